package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the config parser: it must return a
// config or errors with a line, never panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	f.Add([]byte("ignore:\n  - {rule: r, name: \"[\", reason: x, expires: 2027-13-01}\n"))
	f.Add([]byte("a: &a [*a]\nrules: *a\n"))
	seeds, _ := filepath.Glob("../../testdata/rules/*/*/*/" + FileName)
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, FileName, "/repo")
		if err != nil {
			errs, ok := err.(Errors)
			if !ok || len(errs) == 0 {
				t.Fatalf("error %T without a line: %v", err, err)
			}
			for _, e := range errs {
				if e.Line < 0 || !strings.HasPrefix(e.Error(), FileName+":") {
					t.Fatalf("error without file and line: %v", e)
				}
			}
			return
		}
		for _, ig := range cfg.Ignore {
			ig.Matches(ig.Rule, "Kind", "ns", "name")
			_ = ig.Scope()
		}
		_ = cfg.CheckRuleIDs(func(string) bool { return false })
	})
}
