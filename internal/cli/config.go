package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/baseline"
	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/report"
)

// lintConfig is what the config file and the baseline add to a lint. Flags
// the user typed always win over the config file.
type lintConfig struct {
	cfg      *config.Config // nil when no config file is used
	baseline *baseline.Baseline
	// errs are the config file's mistakes, held until the rules are
	// compiled so that unknown rule ids are named in the same message;
	// cfg is then what could be read of the file.
	errs config.Errors
}

func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// findConfig returns the config file to use: -c FILE, or .meshlint.yaml in
// the working directory or its nearest parent; nil when there is none.
func findConfig(flagPath string) (*config.Config, error) {
	return findConfigWith(flagPath, config.Load)
}

func findConfigWith(flagPath string, load func(path, display string) (*config.Config, error)) (*config.Config, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("get working directory: %w", err)
	}
	path := flagPath
	if path == "" {
		if path, err = config.Discover(wd); err != nil || path == "" {
			return nil, err
		}
	} else if !filepath.IsAbs(path) {
		path = filepath.Join(wd, path)
	}
	return load(path, displayPath(path, wd))
}

// loadLintConfig reads the config file and the baseline, and copies the
// config file's values into f wherever the user did not type the flag.
func loadLintConfig(fs *pflag.FlagSet, f *lintFlags) (*lintConfig, error) {
	lc := &lintConfig{}
	cfg, err := findConfigWith(f.config, config.LoadPartial)
	if errors.As(err, &lc.errs) && cfg != nil {
		err = nil // reported by check, with the unknown rule ids
	}
	if err != nil {
		return nil, err
	}
	lc.cfg = cfg
	if cfg != nil {
		str := func(flag string, dst *string, s config.Setting[string]) {
			if s.Set && !fs.Changed(flag) {
				*dst = s.Value
			}
		}
		str("root-namespace", &f.rootNamespace, cfg.Mesh.RootNamespace)
		str("mesh-mtls", &f.meshMTLS, cfg.Mesh.DefaultMode)
		str("assume-injection", &f.assumeInjection, cfg.Mesh.AssumeInjection)
		str("namespace", &f.namespace, cfg.Namespace)
		str("fail-on", &f.failOn, cfg.FailOn)
		var policies []string
		for _, p := range cfg.Policies {
			policies = append(policies, p.Path)
		}
		f.policies = append(policies, f.policies...)
		// A rule the config disables runs again when --enable names it;
		// --disable adds to the config's list.
		named := map[string]bool{}
		for _, id := range f.enable {
			named[id] = true
		}
		var disable []string
		for _, r := range cfg.Rules {
			if r.Enabled.Set && !r.Enabled.Value && !named[r.ID] {
				disable = append(disable, r.ID)
			}
		}
		f.disable = append(disable, f.disable...)
	}
	if f.baseline != "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("get working directory: %w", err)
		}
		path := f.baseline
		if !filepath.IsAbs(path) {
			path = filepath.Join(wd, path)
		}
		if lc.baseline, err = baseline.ReadFile(path, displayPath(path, wd)); err != nil {
			return nil, err
		}
	}
	return lc, nil
}

// settings applies config values that have no flag.
func (lc *lintConfig) settings(s *graph.Settings) {
	if lc.cfg == nil {
		return
	}
	if m := lc.cfg.Mesh.EnablePrometheusMerge; m.Set {
		s.EnablePrometheusMerge = m.Value
	}
}

// check validates what needs the compiled rules: the rule ids the file names.
func (lc *lintConfig) check(eng *engine.Engine) error {
	if lc.cfg == nil {
		return nil
	}
	err := lc.cfg.CheckRuleIDs(func(id string) bool { return eng.Rule(id) != nil })
	if len(lc.errs) == 0 {
		return err
	}
	var unknown config.Errors
	errors.As(err, &unknown)
	return lc.errs.Merge(unknown)
}

// options adds severity overrides, ignore entries and the baseline.
func (lc *lintConfig) options(o *lint.Options, env Env) {
	o.Baseline = lc.baseline
	o.Now = env.now()
	if lc.cfg == nil {
		return
	}
	o.Ignores = lc.cfg.Ignore
	for _, r := range lc.cfg.Rules {
		if r.Severity.Set {
			if o.Severity == nil {
				o.Severity = map[string]string{}
			}
			o.Severity[r.ID] = r.Severity.Value
		}
	}
}

// describe says which config file is in force, for --verbose.
func (lc *lintConfig) describe() string {
	if lc.cfg == nil {
		return "no config file (" + config.FileName + " not found)"
	}
	return "config file " + report.Sanitize(lc.cfg.File)
}

// writeBaseline writes the findings nothing but a baseline accepts: the
// ones a new baseline must accept. unused-suppression findings are left
// out; the fix for a stale suppression is to delete it.
func writeBaseline(path string, res *lint.Result, env Env, quiet bool) error {
	var keep []report.Finding
	for _, f := range res.Findings {
		if f.Rule == "unused-suppression" {
			continue
		}
		if !f.Suppressed || (f.Suppression != nil && f.Suppression.Kind == "external" && f.Suppression.Justification == baseline.Justification) {
			keep = append(keep, f)
		}
	}
	if err := baseline.WriteFile(path, keep); err != nil {
		return err
	}
	if !quiet {
		noun := "findings"
		if len(keep) == 1 {
			noun = "finding"
		}
		fmt.Fprintf(env.Stderr, "meshlint: wrote %d %s to baseline %s\n", len(keep), noun, report.Sanitize(path))
	}
	return nil
}

// configPolicies returns the policy directories of the config file (for
// the rules and explain commands, which list custom rules too).
func configPolicies(flagPath string, flagPolicies []string) ([]string, error) {
	cfg, err := findConfig(flagPath)
	if err != nil || cfg == nil {
		return flagPolicies, err
	}
	var out []string
	for _, p := range cfg.Policies {
		out = append(out, p.Path)
	}
	return append(out, flagPolicies...), nil
}

// displayPath shows p relative to the working directory when it is inside
// it, with forward slashes, as findings show files.
func displayPath(p, wd string) string {
	if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	if rel, err := filepath.Rel(wd, p); err == nil {
		return filepath.ToSlash(rel) // a parent directory: ../.meshlint.yaml
	}
	return filepath.ToSlash(p)
}

// prometheusValues are the values files the config file names, resolved
// against its directory; --prometheus-values files come after them.
func (lc *lintConfig) prometheusValues() []string {
	if lc == nil || lc.cfg == nil {
		return nil
	}
	var out []string
	for _, p := range lc.cfg.PrometheusValues {
		out = append(out, p.Path)
	}
	return out
}
