package cli

import (
	"fmt"
	"io"

	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/report"
)

// printEnvironments says on stderr which environments a run linted apart,
// and with --verbose the files of each: a finding that names an
// environment is only clear when the run said what the environments are.
func printEnvironments(w io.Writer, envs []lint.Environment, verbose, quiet bool) {
	if line := lint.EnvironmentsLine(envs); line != "" && (!quiet || verbose) {
		fmt.Fprintln(w, report.Sanitize(line))
	}
	if !verbose {
		return
	}
	for _, e := range envs {
		for _, f := range e.Files {
			fmt.Fprintf(w, "meshlint: environment %s: %s\n", report.Sanitize(e.Name), report.Sanitize(f))
		}
	}
}
