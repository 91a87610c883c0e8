package cli

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
)

// lintSettings are the settings of a lint that the config file and the
// flags both give. Each is the flag's value when the user typed the flag,
// else the config file's, else the flag's default. The flags (lintFlags)
// keep only what the command line said; what the run does is read from
// here.
type lintSettings struct {
	failOn   string
	policies []string // the config file's directories, then --policy's
	enable   []string
	// disable is the rules the config file disables and --enable does not
	// name, then --disable: --enable runs a rule the config turned off.
	disable []string
	mesh    meshSettings
}

// meshSettings are the assumptions about the mesh, as given; graph checks
// them.
type meshSettings struct {
	rootNamespace    string
	defaultNamespace string
	assumeInjection  string
	mode             string // --mesh-mtls or mesh.defaultMode; "" for Istio's default
	modeSource       string // where mode came from, for the assumptions it is reported in
	prometheusMerge  config.Setting[bool]
}

// newLintSettings fills the settings from the flags and the config file
// (nil when none is used).
func newLintSettings(fs *pflag.FlagSet, f *lintFlags, cfg *config.Config) lintSettings {
	s := lintSettings{failOn: f.failOn, policies: f.policies, enable: f.enable, disable: f.disable,
		mesh: meshSettings{rootNamespace: f.rootNamespace, defaultNamespace: f.namespace, assumeInjection: f.assumeInjection,
			mode: f.meshMTLS, modeSource: "--mesh-mtls"}}
	if cfg == nil {
		return s
	}
	fromConfig := func(flag string, dst *string, c config.Setting[string]) bool {
		if c.Set && !fs.Changed(flag) {
			*dst = c.Value
			return true
		}
		return false
	}
	fromConfig("root-namespace", &s.mesh.rootNamespace, cfg.Mesh.RootNamespace)
	if fromConfig("mesh-mtls", &s.mesh.mode, cfg.Mesh.DefaultMode) {
		s.mesh.modeSource = "mesh.defaultMode in the config file"
	}
	fromConfig("assume-injection", &s.mesh.assumeInjection, cfg.Mesh.AssumeInjection)
	fromConfig(f.defaultNamespaceFlag(), &s.mesh.defaultNamespace, cfg.Namespace)
	fromConfig("fail-on", &s.failOn, cfg.FailOn)
	s.mesh.prometheusMerge = cfg.Mesh.EnablePrometheusMerge
	var policies []string
	for _, p := range cfg.Policies {
		policies = append(policies, p.Path)
	}
	s.policies = append(policies, f.policies...)
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
	s.disable = append(disable, f.disable...)
	return s
}

// checkFailOn refuses a --fail-on (or config failOn) that is no severity.
func (s lintSettings) checkFailOn() error {
	switch s.failOn {
	case "error", "warning", "note", "none":
		return nil
	}
	return usagef("--fail-on %q: want error, warning, note or none", s.failOn)
}

// graph checks the mesh settings and returns the graph's.
func (m meshSettings) graph() (graph.Settings, error) {
	s := graph.DefaultSettings()
	s.RootNamespace = m.rootNamespace
	s.DefaultNamespace = m.defaultNamespace
	if m.mode != "" {
		mode := graph.Mode(strings.ToUpper(m.mode))
		switch mode {
		case graph.ModeStrict, graph.ModePermissive, graph.ModeDisable:
		default:
			return s, usagef("--mesh-mtls %q: want STRICT, PERMISSIVE or DISABLE", m.mode)
		}
		s.MeshDefaultMode, s.MeshModeExplicit = mode, true
		s.MeshModeSource = m.modeSource
	}
	switch m.assumeInjection {
	case "auto", "enabled", "disabled", "unknown":
		s.AssumeInjection = m.assumeInjection
	default:
		return s, usagef("--assume-injection %q: want auto, enabled, disabled or unknown", m.assumeInjection)
	}
	if m.rootNamespace == "" || m.defaultNamespace == "" {
		return s, usagef("--root-namespace and --namespace must not be empty")
	}
	if m.prometheusMerge.Set {
		s.EnablePrometheusMerge = m.prometheusMerge.Value
	}
	return s, nil
}
