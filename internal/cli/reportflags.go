package cli

import (
	"strings"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/report"
)

// reportFlags are the flags that shape one format's output without changing
// what is found.
type reportFlags struct {
	sarifCategory string
}

func (r *reportFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&r.sarifCategory, "sarif-category", "",
		"SARIF runAutomationDetails category (e.g. production): runs with different categories upload to code scanning side by side")
}

// check rejects values no format can use, before anything is linted.
func (r *reportFlags) check() error {
	if r.sarifCategory != "" {
		if strings.TrimSpace(r.sarifCategory) == "" || strings.IndexFunc(r.sarifCategory, unicode.IsControl) >= 0 {
			return usagef("--sarif-category %q: want a name such as production, without control characters", r.sarifCategory)
		}
	}
	return nil
}

// apply sets the flags on the report.
func (r *reportFlags) apply(rep *report.Report) {
	rep.SARIFCategory = r.sarifCategory
}
