package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/baseline"
	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
	"github.com/meshlint/meshlint/policies"
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
	// settings are what the flags and the config file ask of the run.
	settings lintSettings
}

func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// findConfig returns the config file to use: -c FILE, or .meshlint.yaml in
// the working directory or its nearest parent holding one, up to the
// repository's top; nil when there is none, or for -c /dev/null, the usual
// way to say "no config file" (a device is never read). It is read through
// root with load (config.Load, or config.LoadPartial to collect every
// mistake).
// The file is named relative to base, the directory findings' paths are
// relative to (pathBase), since an unused ignore entry is a finding on it.
func findConfig(root *confine.Root, flagPath, base string, load func(root *confine.Root, path, display string) (*config.Config, error)) (*config.Config, error) {
	if flagPath == os.DevNull {
		return nil, nil
	}
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
	if base == "" {
		base = wd
	}
	display := loader.DisplayPath(path, base)
	if flagPath != "" {
		if err := heldToTree(root, path); err != nil {
			return nil, fmt.Errorf("read config %s: %w", display, err)
		}
	}
	cfg, err := load(root, path, display)
	if cfg == nil {
		return nil, err
	}
	partial := err // mistakes in the file, reported with the unknown rule ids by check
	if flagPath != "" && outsideTree(root, path) {
		// A config file the user typed from outside the repository is the
		// user's, like a path typed on the command line: what it names is
		// trusted as typed (only that, not its whole directory).
		for _, list := range [][]config.Path{cfg.Policies, cfg.PrometheusValuesFiles()} {
			for _, p := range list {
				root.AllowTyped(p.Path)
			}
		}
		return cfg, partial
	}
	if err := cfg.CheckPaths(root); err != nil {
		return nil, fmt.Errorf("config names a path outside the repository: %w", err)
	}
	return cfg, partial
}

// outsideTree reports whether the file p really lies outside every
// directory of root.
func outsideTree(root *confine.Root, p string) bool {
	real, err := filepath.EvalSymlinks(p)
	return err == nil && !inDirs(real, root.Dirs())
}

// heldToTree refuses a path the user typed when it names a place inside the
// repository but is a symbolic link leading out of it. The user chose the
// name, but the link is the linted tree's, which may be a pull request's:
// `--baseline .meshlint-baseline.json` must not read /proc/self/environ
// because a pull request made that file a link to it. A typed path outside
// the repository is the user's choice and is read as typed.
func heldToTree(root *confine.Root, p string) error {
	if root == nil {
		return nil // unconfined
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	// The directories of the root that hold the path's name, lexically or
	// once its parent is resolved. The link must stay in one of them: the
	// root also holds the directories typed, and a link may not borrow the
	// place it points to as its own permission.
	locations := []string{abs}
	if parent, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		locations = append(locations, filepath.Join(parent, filepath.Base(abs)))
	}
	var holders []string
	for _, d := range root.Dirs() {
		for _, loc := range locations {
			if inDirs(loc, []string{d}) {
				holders = append(holders, d)
				break
			}
		}
	}
	if len(holders) == 0 {
		return nil
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil // missing: the read says so
	}
	if !inDirs(real, holders) {
		return &confine.Error{Path: p, Reason: "a symbolic link leaving the repository: its real path is outside the linted tree (--root widens it)"}
	}
	return nil
}

// heldPolicyDirs applies heldToTree to the --policy directories typed.
func heldPolicyDirs(root *confine.Root, dirs []string) error {
	for _, d := range dirs {
		if err := heldToTree(root, d); err != nil {
			return fmt.Errorf("read policy directory %s: %w", report.Sanitize(d), err)
		}
	}
	return nil
}

// inDirs reports whether the absolute path p is one of dirs or below one.
func inDirs(p string, dirs []string) bool {
	for _, d := range dirs {
		if rel, err := filepath.Rel(d, p); err == nil && (rel == "." || filepath.IsLocal(rel)) {
			return true
		}
	}
	return false
}

// loadLintConfig reads the config file and the baseline through root, and
// fills the run's settings from the flags and the config file.
func loadLintConfig(fs *pflag.FlagSet, f *lintFlags, root *confine.Root) (*lintConfig, error) {
	lc := &lintConfig{}
	if err := heldPolicyDirs(root, f.policies); err != nil {
		return nil, err
	}
	cfg, err := findConfig(root, f.config, f.base, config.LoadPartial)
	if errors.As(err, &lc.errs) && cfg != nil {
		err = nil // reported by check, with the unknown rule ids
	}
	if err != nil {
		return nil, err
	}
	lc.cfg = cfg
	lc.settings = newLintSettings(fs, f, cfg)
	if f.baseline != "" {
		if lc.baseline, err = readBaseline(root, f.baseline, f.base, f.limits.MaxFileBytes); err != nil {
			return nil, err
		}
	}
	return lc, nil
}

// readBaseline reads the --baseline file through root, held to the tree
// when it names a place in it, at most max bytes.
func readBaseline(root *confine.Root, p, base string, max int64) (*baseline.Baseline, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("get working directory: %w", err)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(wd, p)
	}
	if base == "" {
		base = wd
	}
	display := loader.DisplayPath(p, base)
	if err := heldToTree(root, p); err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", display, err)
	}
	if max <= 0 {
		max = loader.DefaultLimits.MaxFileBytes
	}
	return baseline.ReadFile(root, p, display, max)
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
	o.Environments = declaredEnvironments(lc.cfg.Environments) // environments.go
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
func writeBaseline(out *output, res *lint.Result, env Env, quiet bool) error {
	var keep []finding.Finding
	for _, f := range res.Findings {
		if f.Rule == policies.UnusedSuppression {
			continue
		}
		if !f.Suppressed || (f.Suppression != nil && f.Suppression.Kind == "external" && f.Suppression.Justification == baseline.Justification) {
			keep = append(keep, f)
		}
	}
	if err := out.write(func(w io.Writer) error { return baseline.Write(w, keep) }); err != nil {
		return fmt.Errorf("write baseline %s: %w", out.target.path, err)
	}
	if !quiet {
		noun := "findings"
		if len(keep) == 1 {
			noun = "finding"
		}
		fmt.Fprintf(env.Stderr, "meshlint: wrote %d %s to baseline %s\n", len(keep), noun, report.Sanitize(out.target.path))
	}
	return nil
}

// configPolicies returns the policy directories of the config file and of
// --policy, and the root to read them through (for the rules and explain
// commands, which list custom rules too): the working directory's
// repository and the paths typed.
func configPolicies(flagPath string, flagPolicies []string) ([]string, *confine.Root, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, nil, fmt.Errorf("get working directory: %w", err)
	}
	root := confine.New(nil, nil)
	if dir, err := confine.RepositoryRoot(wd); err == nil {
		root.AllowDir(dir)
	}
	for _, p := range flagPolicies {
		root.AllowTyped(p)
	}
	if err := heldPolicyDirs(root, flagPolicies); err != nil {
		return nil, nil, err
	}
	if flagPath != "" {
		root.AllowTyped(flagPath)
	}
	cfg, err := findConfig(root, flagPath, "", config.Load)
	if err != nil || cfg == nil {
		return flagPolicies, root, err
	}
	var out []string
	for _, p := range cfg.Policies {
		out = append(out, p.Path)
	}
	return append(out, flagPolicies...), root, nil
}

// prometheusValues are all the values files the config file names,
// resolved against its directory.
func (lc *lintConfig) prometheusValues() []string {
	if lc == nil || lc.cfg == nil {
		return nil
	}
	var out []string
	for _, p := range lc.cfg.PrometheusValuesFiles() {
		out = append(out, p.Path)
	}
	return out
}

// sources are the config's GitRepository mappings (namespace/name to a
// directory), for rendering Flux HelmReleases.
func (lc *lintConfig) sources() map[string]string {
	if lc == nil || lc.cfg == nil || len(lc.cfg.Sources) == 0 {
		return nil
	}
	out := make(map[string]string, len(lc.cfg.Sources))
	for _, s := range lc.cfg.Sources {
		p := s.Path.Path
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		out[s.Namespace+"/"+s.Name] = p
	}
	return out
}
