package lint_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// TestExtractionMatchesBuild holds graph.Extractor, which reads each object
// while the loader reads it and then releases it and its text, to
// graph.Build reading the kept objects and texts: on every rule fixture, the
// examples and a generated corpus, both must give the same facts and
// problems, byte for byte.
func TestExtractionMatchesBuild(t *testing.T) {
	dirs, _ := filepath.Glob("../../testdata/rules/*/*/*")
	dirs = append(dirs, "../../examples")
	gen := t.TempDir()
	if _, err := corpus.Generate(gen, corpus.Options{Apps: 60}); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, gen)
	if len(dirs) < 100 {
		t.Fatalf("found only %d fixture directories", len(dirs))
	}
	s := graph.DefaultSettings()
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		kept := modelJSON(t, dir, s, nil)
		extracted := modelJSON(t, dir, s, graph.Extractor(s))
		if kept != extracted {
			t.Errorf("%s: extracting while loading changes the model\nkept:      %.600s\nextracted: %.600s", dir, kept, extracted)
		}
	}
}

func modelJSON(t *testing.T, dir string, s graph.Settings, extract func(*loader.Document)) string {
	t.Helper()
	l, err := loader.Load([]string{dir}, loader.Options{Limits: loader.DefaultLimits, Extract: extract, ReleaseTexts: extract != nil})
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	g := graph.Build(l.Documents, s)
	b, err := json.Marshal(struct {
		Facts    *graph.Facts
		Problems []graph.Problem
	}{g.Facts(), g.Problems})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
