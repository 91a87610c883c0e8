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

// TestReadingAheadKeepsTheModel: a graph.Builder that reads each object
// while the loader reads it (Builder.Read), then releases it and its text,
// gives the model one that reads the kept objects and texts when they are
// added: no later step may need a released object. On every rule fixture,
// the examples and a generated corpus, both must give the same facts and
// problems, byte for byte.
func TestReadingAheadKeepsTheModel(t *testing.T) {
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
	released := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		kept, none := modelJSON(t, dir, s, false)
		ahead, n := modelJSON(t, dir, s, true)
		if none != 0 {
			t.Errorf("%s: %d objects released without reading ahead", dir, none)
		}
		released += n
		if kept != ahead {
			t.Errorf("%s: reading ahead while loading changes the model\nkept:  %.600s\nahead: %.600s", dir, kept, ahead)
		}
	}
	if released < 1000 {
		t.Errorf("reading ahead released %d objects; want every one the graph read", released)
	}
}

// modelJSON is the graph's facts and problems of dir, and how many decoded
// objects were released before the graph was built.
func modelJSON(t *testing.T, dir string, s graph.Settings, ahead bool) (string, int) {
	t.Helper()
	gb := graph.NewBuilder(s)
	opts := loader.Options{Limits: loader.DefaultLimits, Kinds: graph.ReadsKind}
	if ahead {
		opts.Read, opts.ReleaseTexts = gb.Read, true
	}
	l, err := loader.Load([]string{dir}, opts)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	released := 0
	for _, d := range l.Documents {
		if d.ObjectReleased() {
			released++
		}
		gb.Add(d)
	}
	g := gb.Graph()
	b, err := json.Marshal(struct {
		Facts    *graph.Facts
		Problems []graph.Problem
	}{g.Facts(), g.Problems})
	if err != nil {
		t.Fatal(err)
	}
	return string(b), released
}
