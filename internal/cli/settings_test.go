package cli

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/graph"
)

// TestSettingsFromConfigAndFlags: each setting is the typed flag's, else
// the config file's, else the default, and the flags keep what was typed.
func TestSettingsFromConfigAndFlags(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, ".meshlint.yaml", "mesh:\n  defaultMode: strict\nfailOn: warning\npolicies: [./pol]\n"+
		"rules:\n  plaintext-scrape-of-strict-port: {enabled: false}\n  duplicate-resource: {enabled: false}\n")
	writeFile(t, dir, "pol/x.rego", "package meshlint.rules.org.x\n")
	for _, c := range []struct {
		args             []string
		mode, modeSource string
		failOn, typed    string // the run's --fail-on, and the flag's own
		disable          []string
	}{
		{nil, "STRICT", "mesh.defaultMode in the config file", "warning", "error", []string{"plaintext-scrape-of-strict-port", "duplicate-resource"}},
		{[]string{"--mesh-mtls", "disable", "--fail-on", "note", "--enable", "duplicate-resource", "--disable", "invalid-manifest"},
			"disable", "--mesh-mtls", "note", "note", []string{"plaintext-scrape-of-strict-port", "invalid-manifest"}},
	} {
		var f lintFlags
		fs := newLintFlagSet(&f, &bytes.Buffer{})
		if err := fs.Parse(append([]string{"-c", cfg}, c.args...)); err != nil {
			t.Fatal(err)
		}
		lc, err := loadLintConfig(fs, &f, confine.New([]string{dir}, nil))
		if err != nil {
			t.Fatal(err)
		}
		s := lc.settings
		if s.mesh.mode != c.mode || s.mesh.modeSource != c.modeSource || s.failOn != c.failOn || !reflect.DeepEqual(s.disable, c.disable) {
			t.Errorf("%v: mode %q from %q, failOn %q, disable %v", c.args, s.mesh.mode, s.mesh.modeSource, s.failOn, s.disable)
		}
		if len(s.policies) != 1 || f.policies != nil || f.failOn != c.typed {
			t.Errorf("%v: policies %v, flags hold %v and fail-on %q", c.args, s.policies, f.policies, f.failOn)
		}
		g, err := s.mesh.graph()
		if err != nil {
			t.Fatal(err)
		}
		if g.MeshModeSource != c.modeSource || !g.MeshModeExplicit || g.MeshDefaultMode != graph.Mode(strings.ToUpper(c.mode)) {
			t.Errorf("%v: graph settings %+v", c.args, g)
		}
	}
}
