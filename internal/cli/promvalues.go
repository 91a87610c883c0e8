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
	fs        *pflag.FlagSet // to tell whether the settings were typed
}

func (p *promValuesFlags) register(fs *pflag.FlagSet) {
	p.fs = fs
	fs.StringArrayVar(&p.files, "prometheus-values", nil,
		"a kube-prometheus-stack values file, or Big Bang umbrella values (monitoring.values), read as the Prometheus it configures; repeat it to layer files in order like helm -f")
	fs.StringVar(&p.release, "prometheus-release", "",
		"Helm release of --prometheus-values (default kube-prometheus-stack; for Big Bang values the monitoring HelmRelease's name, default monitoring, whose Helm release Flux names <namespace>-<name>)")
	fs.StringVar(&p.namespace, "prometheus-namespace", promvalues.DefaultNamespace, "namespace of the Prometheus that --prometheus-values configures")
}

// load reads the values files into derived Prometheus documents for the
// lint, and says on stderr what each server's files were read as (unless
// quiet). The config file's list of names comes first and
// --prometheus-values files layer over it, as helm -f files do; the config
// file's server objects are Prometheus servers of their own.
func (p *promValuesFlags) load(opts *lint.Options, lc *lintConfig, env Env, quiet bool) error {
	layered, servers := lc.prometheusServers()
	layered = append(layered, p.files...)
	if len(layered) == 0 && len(servers) == 0 {
		return nil
	}
	if p.namespace == "" {
		return usagef("--prometheus-namespace must not be empty")
	}
	if len(layered) == 0 && p.fs != nil && (p.fs.Changed("prometheus-release") || p.fs.Changed("prometheus-namespace")) {
		return usagef("--prometheus-release and --prometheus-namespace set the Prometheus of --prometheus-values, and the config file " +
			"lists Prometheus servers of its own: give each its release: and namespace: there")
	}
	for _, f := range p.files {
		if err := heldToTree(opts.Root, f); err != nil {
			return fmt.Errorf("--prometheus-values %s: %w", report.Sanitize(f), err)
		}
	}
	if len(layered) > 0 {
		servers = append(servers, promvalues.Server{Files: layered, Release: p.release, Namespace: p.namespace})
	}
	for i := range servers {
		if servers[i].Namespace == "" {
			servers[i].Namespace = promvalues.DefaultNamespace
		}
	}
	res, err := promvalues.LoadServers(servers, promvalues.Options{Limits: opts.Limits, WorkDir: opts.WorkDir, Root: opts.Root})
	if err != nil {
		return err
	}
	opts.Derived = res.Documents()
	opts.DerivedProblems = append(opts.DerivedProblems, res.Problems...)
	if !quiet {
		for _, f := range res.Files {
			fmt.Fprintf(env.Stderr, "meshlint: %s\n", report.Sanitize(f.Summary))
		}
	}
	return nil
}

// prometheusServers are the config file's prometheusValues: the files of a
// list of names, which --prometheus-values files layer over, and the
// independent servers of a list of objects.
func (lc *lintConfig) prometheusServers() ([]string, []promvalues.Server) {
	if lc == nil || lc.cfg == nil {
		return nil, nil
	}
	var layered []string
	for _, p := range lc.cfg.PrometheusValues {
		layered = append(layered, p.Path)
	}
	var servers []promvalues.Server
	for _, s := range lc.cfg.PrometheusServers {
		srv := promvalues.Server{Release: s.Release.Value, Namespace: s.Namespace.Value}
		for _, p := range s.Files {
			srv.Files = append(srv.Files, p.Path)
		}
		servers = append(servers, srv)
	}
	return layered, servers
}
