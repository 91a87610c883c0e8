package engine

import (
	"context"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// TestParallelEvaluationMatchesSingleQuery: the rules evaluated in stages,
// each over the facts it reads, report exactly what the single query of
// data.meshlint.rules reports over all of them, in
// the same order.
func TestParallelEvaluationMatchesSingleQuery(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	facts := generatedGraph(t, 300).Facts()
	ctx := context.Background()

	parallel, err := New(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(parallel.stages) < 2 {
		t.Fatalf("%d evaluation stages, want at least 2", len(parallel.stages))
	}
	defer func() { singleQuery = false }()
	singleQuery = true
	single, err := New(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if single.stages != nil {
		t.Fatal("singleQuery still split the rules")
	}

	got, err := parallel.Evaluate(ctx, facts.Input())
	if err != nil {
		t.Fatal(err)
	}
	want, err := single.Evaluate(ctx, facts.Input())
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

// TestInputKeys: the facts a rule reads are read from its Rego, and any use
// of the input the analysis cannot follow gives the rule all of it.
func TestInputKeys(t *testing.T) {
	compile := func(t *testing.T, mods map[string]string) map[string][]string {
		t.Helper()
		parsed := map[string]*ast.Module{}
		for name, text := range mods {
			m, err := ast.ParseModuleWithOpts(name, text, ast.ParserOptions{RegoVersion: ast.RegoV1})
			if err != nil {
				t.Fatal(err)
			}
			parsed[name] = m
		}
		c := ast.NewCompiler()
		if c.Compile(parsed); c.Failed() {
			t.Fatal(c.Errors)
		}
		return inputKeys(c)
	}
	lib := "package meshlint.lib\nfinding(r, p, m) := {\"resource\": r, \"pointer\": p, \"message\": m}\n"
	got := compile(t, map[string]string{
		"lib.rego": lib,
		"a.rego": `package meshlint.rules.scrape.a
import data.meshlint.lib
report contains lib.finding(s.monitor, "", "x") if {
	some s in input.scrapes
	some p in input.prometheuses
	p.name == s.name
}`,
		"b.rego": "package meshlint.rules.scrape.b\nreport contains 1 if { some k; input[k] }\n",
		"c.rego": "package meshlint.rules.scrape.c\nreport contains 1 if { x := input; x.a }\n",
		"d.rego": "package meshlint.rules.scrape.d\nreport contains 1 if { data.meshlint.rules.scrape.a.report[_] }\n",
		"e.rego": "package meshlint.rules.scrape.e\nreport contains 1 if { input.peerAuthReview.policies[_].name == \"x\" }\n",
	})
	want := map[string][]string{
		"meshlint.rules.scrape.a": {"scrapes", "prometheuses"},
		"meshlint.rules.scrape.e": {"peerAuthReview"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inputKeys = %v, want %v", got, want)
	}
	// A helper outside the rules that reads the input could be called by any rule.
	got = compile(t, map[string]string{
		"lib.rego": lib + "scrapes := input.scrapes\n",
		"e.rego":   "package meshlint.rules.scrape.e\nreport contains 1 if { input.merge[_] }\n",
	})
	if len(got) != 0 {
		t.Errorf("with a library reading the input, inputKeys = %v, want none", got)
	}
}

// TestBuiltinStagesReadTheirFacts: the built-in rules are staged by
// category, each stage reading only part of the facts.
func TestBuiltinStagesReadTheirFacts(t *testing.T) {
	e, err := New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, st := range e.stages {
		got[st.category] = st.keys
	}
	if !reflect.DeepEqual(got["scrape"], []string{"ambientAnnotationScrapes", "prometheuses", "scrapes"}) {
		t.Errorf("scrape stage reads %v", got["scrape"])
	}
	if !reflect.DeepEqual(got["peerauthentication"], []string{"peerAuthReview", "peerAuthentications"}) {
		t.Errorf("peerauthentication stage reads %v", got["peerauthentication"])
	}
}

// TestInputSectionsAreReleased: evaluation drops every section a stage
// reads once the last stage reading it has run, and keeps the findings of
// an input whose sections all stay (the single query releases none).
func TestInputSectionsAreReleased(t *testing.T) {
	facts := generatedGraph(t, 100).Facts()
	e, err := New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	in := facts.Input()
	got, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { singleQuery = false }()
	singleQuery = true
	single, err := New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	whole := facts.Input()
	want, err := single.Evaluate(context.Background(), whole)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("staged evaluation gave %d findings, the single query %d", len(got), len(want))
	}
	if len(whole.Keys()) != 9 {
		t.Errorf("the single query kept %v, want all 9 sections", whole.Keys())
	}
	for _, st := range e.stages {
		for _, k := range st.keys {
			if slices.Contains(in.Keys(), k) {
				t.Errorf("section %s read by stage %s still held after evaluation", k, st.category)
			}
		}
	}
}

// generatedGraph is the graph of a generated corpus of that many apps.
func generatedGraph(t *testing.T, apps int) *graph.Graph {
	t.Helper()
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: apps}); err != nil {
		t.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return graph.Build(res.Documents, graph.DefaultSettings())
}

// TestChainStages: stages that read the same facts become neighbours, so
// the part they share is converted once.
func TestChainStages(t *testing.T) {
	st := func(cat string, keys ...string) stage { return stage{category: cat, keys: keys} }
	got := chainStages([]stage{st("a", "x"), st("b", "y"), st("c", "z", "w"), st("d", "x", "z"), st("e")})
	var order []string
	for _, s := range got {
		order = append(order, s.category)
	}
	if want := []string{"a", "d", "c", "b", "e"}; !reflect.DeepEqual(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}

// TestCollectionPays: a stage starts with a collection only when the heap
// grew since the last one by enough to matter, in bytes and against what
// the collection has to mark.
func TestCollectionPays(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		objects, live uint64
		want          bool
	}{
		{10 * mib, 2 * mib, false},    // a small input: 8 MiB of garbage
		{200 * mib, 120 * mib, true},  // 80 MiB over 120 MiB live
		{140 * mib, 120 * mib, false}, // 20 MiB: under a quarter of the live heap
		{150 * mib, 120 * mib, true},  // a quarter exactly
		{40 * mib, 20 * mib, true},    // 20 MiB over 20 MiB live
		{100 * mib, 120 * mib, false}, // swept below the last live heap
	} {
		if got := collectionPays(c.objects, c.live); got != c.want {
			t.Errorf("collectionPays(%d MiB, %d MiB) = %v, want %v", c.objects/mib, c.live/mib, got, c.want)
		}
	}
}
