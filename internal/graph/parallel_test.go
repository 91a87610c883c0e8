package graph_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// factsJSON builds the graph of docs, counts its facts against max and
// builds them, on procs cores; the facts' JSON, or the count's error.
func factsJSON(t *testing.T, docs []*loader.Document, max, procs int) string {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	g := graph.Build(docs, graph.DefaultSettings())
	if err := g.CheckFactLimit(max); err != nil {
		return "error: " + err.Error()
	}
	b, err := json.Marshal(g.Facts())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFactsSameOnAnyNumberOfCores: the facts worked out on many cores are
// those worked out on one, to the byte, run after run, on the rule
// fixtures, the examples and generated corpora with many monitors and
// PeerAuthentications (a first adoption; one crowded namespace).
func TestFactsSameOnAnyNumberOfCores(t *testing.T) {
	dirs, err := filepath.Glob("../../testdata/rules/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no rule fixtures: %v", err)
	}
	dirs = append(dirs, "../../examples")
	for _, g := range []struct {
		profile corpus.Profile
		apps    int
	}{{corpus.ProfileAdoption, 150}, {corpus.ProfileCrowded, 80}} {
		dir := filepath.Join(t.TempDir(), string(g.profile))
		if _, err := corpus.Generate(dir, corpus.Options{Apps: g.apps, Profile: g.profile}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		want := factsJSON(t, res.Documents, loader.DefaultMaxFacts, 1)
		if strings.HasPrefix(want, "error: ") {
			t.Fatalf("%s: %s", dir, want)
		}
		for run := range 3 {
			if got := factsJSON(t, res.Documents, loader.DefaultMaxFacts, 8); got != want {
				t.Fatalf("%s, run %d: the facts on 8 cores differ from those on one:\n%s", dir, run, firstDifference(want, got))
			}
		}
	}
}

// TestFactLimitSameOnAnyNumberOfCores: over the limit, the error names the
// monitor that the count in the input's order names, however many cores
// counted; at the limit there is none.
func TestFactLimitSameOnAnyNumberOfCores(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: 200, Profile: corpus.ProfileAdoption}); err != nil {
		t.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var facts graph.Facts
	if err := json.Unmarshal([]byte(factsJSON(t, res.Documents, loader.DefaultMaxFacts, 1)), &facts); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range facts.Scrapes {
		total += 1 + len(s.Targets)
	}
	if got := factsJSON(t, res.Documents, total, 8); strings.HasPrefix(got, "error: ") {
		t.Fatalf("at the limit of %d: %s", total, got)
	}
	for _, max := range []int{1, total / 3, total / 2, total - 1} {
		want := factsJSON(t, res.Documents, max, 1)
		if !strings.HasPrefix(want, "error: ") {
			t.Fatalf("limit %d of %d: no error", max, total)
		}
		for run := range 3 {
			if got := factsJSON(t, res.Documents, max, 8); got != want {
				t.Fatalf("limit %d, run %d: on 8 cores\n%s\nwant, as on one\n%s", max, run, got, want)
			}
		}
	}
}

func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("want ...%s...\ngot  ...%s...", a[from:min(len(a), i+200)], b[from:min(len(b), i+200)])
}
