package report

import (
	"strings"
	"testing"
)

// TestEveryRegisteredFormatRenders makes each row of the registry produce
// its formatter under its own name.
func TestEveryRegisteredFormatRenders(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Registry {
		if seen[f.Name] || f.Summary == "" {
			t.Errorf("format %q: duplicate or without summary", f.Name)
		}
		seen[f.Name] = true
		fm, err := New(f.Name, Options{})
		if err != nil || fm == nil {
			t.Errorf("New(%q): %v", f.Name, err)
		}
	}
	if _, err := New("yaml", Options{}); err == nil || !strings.Contains(err.Error(), strings.Join(Formats, ", ")) {
		t.Errorf("an unknown format should be refused naming the known ones: %v", err)
	}
}
