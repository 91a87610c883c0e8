package lint_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/lint"
)

// TestFixesAreComputedInThePass: on plain files (a first adoption), every
// fixable finding gets its fixes in the per-file pass that places it, and
// no file is read again for fixes after it (issue 16's budget per location
// holds with fixes on).
func TestFixesAreComputedInThePass(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: 60, Profile: corpus.ProfileAdoption}); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Run(context.Background(), eng, lint.Options{Paths: []string{dir}, WorkDir: dir, Settings: graph.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	requireFixesInThePass(t, res)
}

// TestFixesAreComputedInThePassPerEnvironment: with several environments,
// each builds its own model from the files read again whole; their
// findings' fixes are still computed in the pass that places them.
func TestFixesAreComputedInThePassPerEnvironment(t *testing.T) {
	dir := t.TempDir()
	for _, env := range []string{"dev", "prod"} {
		if _, err := corpus.Generate(filepath.Join(dir, env), corpus.Options{Apps: 20, Profile: corpus.ProfileAdoption}); err != nil {
			t.Fatal(err)
		}
	}
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Run(context.Background(), eng, lint.Options{Paths: []string{dir}, WorkDir: dir, Settings: graph.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Environments) != 2 {
		t.Fatalf("environments %+v, want dev and prod", res.Environments)
	}
	requireFixesInThePass(t, res)
}

// requireFixesInThePass fails unless some findings have fixes and every
// one of them was computed in the per-file pass.
func requireFixesInThePass(t *testing.T, res *lint.Result) {
	t.Helper()
	withFixes := 0
	for _, f := range res.Findings {
		if len(f.Fixes) > 0 {
			withFixes++
		}
	}
	if withFixes == 0 || res.Stats.FixesInPass < withFixes || res.Stats.FixesAfter != 0 {
		t.Errorf("%d findings with fixes: %d computed in the pass, %d after it; want all in the pass", withFixes, res.Stats.FixesInPass, res.Stats.FixesAfter)
	}
}
