package exclude

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMatch: gitignore semantics on paths below the base, and nothing
// outside it.
func TestMatch(t *testing.T) {
	base := t.TempDir()
	other := t.TempDir()
	cases := []struct {
		patterns []string
		path     string
		dir      bool
		want     bool
	}{
		{[]string{"testdata/"}, "a/b/testdata", true, true},
		{[]string{"testdata/"}, "a/testdata/x.yaml", false, true},
		{[]string{"testdata/"}, "a/testdata", false, false}, // a file named testdata
		{[]string{"/releasenotes/"}, "releasenotes", true, true},
		{[]string{"/releasenotes/"}, "sub/releasenotes", true, false},
		{[]string{"**/*.tmpl.yaml"}, "a/b/c.tmpl.yaml", false, true},
		{[]string{"**/*.tmpl.yaml"}, "c.tmpl.yaml", false, true},
		{[]string{"*.yaml"}, "a/b.yml", false, false},
		{[]string{"apps/legacy"}, "apps/legacy", true, true},
		{[]string{"apps/legacy"}, "x/apps/legacy", true, false},
		{[]string{"*.yaml", "!keep.yaml"}, "d/keep.yaml", false, false},
		{[]string{"*.yaml", "!keep.yaml"}, "d/drop.yaml", false, true},
		{[]string{"!keep.yaml", "*.yaml"}, "d/keep.yaml", false, true}, // the last match decides
		{[]string{`\#odd.yaml`}, "#odd.yaml", false, true},
	}
	for _, c := range cases {
		var ps []Pattern
		for _, p := range c.patterns {
			ps = append(ps, Pattern{Pattern: p, Base: base, Source: "test"})
		}
		m, err := New(ps)
		if err != nil {
			t.Fatal(err)
		}
		_, got := m.Match(filepath.Join(base, filepath.FromSlash(c.path)), c.dir)
		if got != c.want {
			t.Errorf("%v on %s (dir %v): excluded %v, want %v", c.patterns, c.path, c.dir, got, c.want)
		}
		// The same relative path below another directory is not the base's.
		if c.want && strings.Contains(c.patterns[0], "/") && !strings.HasPrefix(c.patterns[0], "**") {
			if _, got := m.Match(filepath.Join(other, filepath.FromSlash(c.path)), c.dir); got {
				t.Errorf("%v matches %s outside its base", c.patterns, c.path)
			}
		}
	}
}

// TestMatchNamesThePattern: --verbose says which pattern, from where.
func TestMatchNamesThePattern(t *testing.T) {
	base := t.TempDir()
	m, err := New([]Pattern{{Pattern: "a/", Base: base, Source: ".meshlint.yaml:3"}, {Pattern: "b/", Base: base, Source: "--exclude"}})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := m.Match(filepath.Join(base, "b"), true)
	if !ok || p.Reason() != `excluded by "b/" (--exclude)` {
		t.Errorf("got %q %v", p.Reason(), ok)
	}
	var none *Matcher
	if _, ok := none.Match(base, true); ok || !none.Empty() {
		t.Error("a nil matcher excludes")
	}
}

func TestCheckRejects(t *testing.T) {
	for _, p := range []string{"", "  ", "!", "# note"} {
		if _, err := New([]Pattern{{Pattern: p, Base: ".", Source: "--exclude"}}); err == nil || !strings.HasPrefix(err.Error(), "--exclude: ") {
			t.Errorf("%q: error %v, want one naming --exclude", p, err)
		}
	}
}
