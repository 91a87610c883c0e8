package cli

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/promvalues"
	"github.com/meshlint/meshlint/internal/report"
)

// promValuesFlags are --prometheus-values and its two settings (issue 8).
type promValuesFlags struct {
	files     []string
	release   string
	namespace string
}

func (p *promValuesFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&p.files, "prometheus-values", nil,
		"a kube-prometheus-stack values file, or Big Bang umbrella values (monitoring.values), read as the Prometheus it configures; repeatable")
	fs.StringVar(&p.release, "prometheus-release", "",
		"Helm release of --prometheus-values (default kube-prometheus-stack; for Big Bang values the monitoring HelmRelease's name, default monitoring, whose Helm release Flux names <namespace>-<name>)")
	fs.StringVar(&p.namespace, "prometheus-namespace", promvalues.DefaultNamespace, "namespace of the Prometheus that --prometheus-values configures")
}

// load reads the values files into derived Prometheus documents for the
// lint, and says on stderr what each file was read as (unless quiet).
// extra are values files named by the config file, already resolved
// against its directory; they come before the flag's.
func (p *promValuesFlags) load(opts *lint.Options, extra []string, env Env, quiet bool) error {
	files := append(append([]string{}, extra...), p.files...)
	if len(files) == 0 {
		return nil
	}
	if p.namespace == "" {
		return usagef("--prometheus-namespace must not be empty")
	}
	for _, f := range p.files {
		if err := heldToTree(opts.Root, f); err != nil {
			return fmt.Errorf("--prometheus-values %s: %w", report.Sanitize(f), err)
		}
	}
	res, err := promvalues.Load(files, promvalues.Options{Release: p.release, Namespace: p.namespace, Limits: opts.Limits,
		WorkDir: opts.WorkDir, Root: opts.Root})
	if err != nil {
		return err
	}
	opts.Derived = res.Documents()
	for _, pr := range res.Problems {
		opts.DerivedProblems = append(opts.DerivedProblems, lint.DerivedProblem{Problem: pr.Problem, Warning: pr.Warning})
	}
	if !quiet {
		for _, f := range res.Files {
			fmt.Fprintf(env.Stderr, "meshlint: %s\n", report.Sanitize(f.Summary))
		}
	}
	return nil
}
