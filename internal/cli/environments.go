package cli

import (
	"fmt"
	"io"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/report"
)

// printEnvironments says on stderr which environments a run linted apart,
// and with --verbose the files of each: a finding that names an
// environment is only clear when the run said what the environments are.
func printEnvironments(w io.Writer, envs []lint.Environment, tooMany int, verbose, quiet bool) {
	if tooMany > 0 {
		fmt.Fprintf(w, "meshlint: the layout suggests %d environments, more than %d; linted as one mesh (declare them under environments: in .meshlint.yaml)\n", tooMany, lint.MaxFoundEnvironments)
	}
	if line := lint.EnvironmentsLine(envs, verbose); line != "" && (!quiet || verbose) {
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

// declaredEnvironments are the config's environments: for the lint run.
func declaredEnvironments(envs []config.Environment) []lint.DeclaredEnvironment {
	var out []lint.DeclaredEnvironment
	for _, e := range envs {
		d := lint.DeclaredEnvironment{Name: e.Name}
		for _, p := range e.Paths {
			d.Paths = append(d.Paths, p.Path)
		}
		out = append(out, d)
	}
	return out
}
