package corpus_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/lint"
)

func digest(t *testing.T, opts corpus.Options) string {
	t.Helper()
	h := sha256.New()
	if err := corpus.Walk(opts, func(f corpus.File) error {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Path, len(f.Data))
		h.Write(f.Data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestWalkIsDeterministic(t *testing.T) {
	opts := corpus.Options{Apps: 50, Profile: corpus.ProfileIrrelevant}
	if a, b := digest(t, opts), digest(t, opts); a != b {
		t.Fatalf("two walks differ: %s, %s", a, b)
	}
}

// TestShapeAndMistakes lints a generated corpus: it has the shape of issue 6
// (4 files and about 7.5 resources per app), and exactly the deliberate
// mistakes are reported, each by its rule, and nothing else.
func TestShapeAndMistakes(t *testing.T) {
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const apps = 400
	for _, profile := range corpus.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			dir := t.TempDir()
			st, err := corpus.Generate(dir, corpus.Options{Apps: apps, Profile: profile})
			if err != nil {
				t.Fatal(err)
			}
			filesPerApp, shared := 4, 1
			switch profile {
			case corpus.ProfileIrrelevant:
				filesPerApp = 5
			case corpus.ProfileCrowded:
				filesPerApp, shared = 3, 2 // the namespace is written once
			}
			if st.Files != filesPerApp*apps+shared {
				t.Errorf("%d files, want %d", st.Files, filesPerApp*apps+shared)
			}
			if profile == corpus.ProfileApps {
				if perApp := float64(st.Resources-2) / apps; perApp < 7.3 || perApp > 7.6 {
					t.Errorf("%.2f resources per app, want about 7.45", perApp)
				}
			}
			if _, err := corpus.Generate(dir, corpus.Options{Apps: 1}); err == nil {
				t.Error("Generate wrote into a directory that is not empty")
			}

			res, err := lint.Run(context.Background(), eng, lint.Options{Paths: []string{dir}, Settings: graph.DefaultSettings()})
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary.Files != st.Files || res.Summary.Resources != st.Resources {
				t.Errorf("linted %d files and %d resources; generated %d and %d", res.Summary.Files, res.Summary.Resources, st.Files, st.Resources)
			}
			got := map[string]int{}
			for _, f := range res.Findings {
				got[f.Rule]++
			}
			var rules []string
			for r := range got {
				rules = append(rules, r)
			}
			for r := range st.Mistakes {
				if got[r] == 0 {
					rules = append(rules, r)
				}
			}
			sort.Strings(rules)
			for _, r := range rules {
				if got[r] != st.Mistakes[r] {
					t.Errorf("%s: %d findings, %d apps with that mistake", r, got[r], st.Mistakes[r])
				}
			}
			if profile == corpus.ProfileAdoption {
				if n := mistaken(st); n < apps/6 || n > apps/4 {
					t.Errorf("%d of %d apps with a mistake, want about one in five", n, apps)
				}
			}
			if len(st.Mistakes) < 5 {
				t.Errorf("only %d kinds of mistakes in %d apps", len(st.Mistakes), apps)
			}
		})
	}
}

func mistaken(st corpus.Stats) int {
	n := 0
	for _, c := range st.Mistakes {
		n += c
	}
	return n
}
