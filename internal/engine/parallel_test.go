package engine

import (
	"context"
	"reflect"
	"runtime"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// TestParallelEvaluationMatchesSingleQuery: the rules evaluated in groups
// report exactly what the single query of data.meshlint.rules reports, in
// the same order.
func TestParallelEvaluationMatchesSingleQuery(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: 300}); err != nil {
		t.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	facts := graph.Build(res.Documents, graph.DefaultSettings()).Facts()
	ctx := context.Background()

	parallel, err := New(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(parallel.groups) < 2 {
		t.Fatalf("%d evaluation groups, want at least 2", len(parallel.groups))
	}
	defer func(n int) { maxEvalGroups = n }(maxEvalGroups)
	maxEvalGroups = 1
	single, err := New(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if single.groups != nil {
		t.Fatal("maxEvalGroups = 1 still split the rules")
	}

	got, err := parallel.Evaluate(ctx, facts)
	if err != nil {
		t.Fatal(err)
	}
	want, err := single.Evaluate(ctx, facts)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("the corpus produced no findings")
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parallel evaluation differs: %d findings, single query %d", len(got), len(want))
	}
}
