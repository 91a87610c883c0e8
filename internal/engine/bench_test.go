package engine

// Benchmarks of the evaluate phase, whole and by stage, so that a
// regression shows in the stage or the section that costs it:
//
//	go test -run '^$' -bench 'Evaluate|Stage|Section' -benchmem ./internal/engine/
//	go test -run '^$' -bench 'Stage/adoption/apps=2000/scrape' -cpuprofile cpu.prof ./internal/engine/
//
// The facts come from the generator's corpora (internal/benchgen/corpus):
// the apps of issue 6 and a first adoption, whose mistakes give the rules
// findings to report. Nothing here asserts a time.

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/engine/input"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// benchCorpora are the profiles and sizes the benchmarks run on.
var benchCorpora = []struct {
	profile corpus.Profile
	apps    int
}{{corpus.ProfileApps, 2000}, {corpus.ProfileAdoption, 2000}}

var benchFactsCache struct {
	sync.Mutex
	facts map[string]*graph.Facts
}

// benchFacts are the facts of a generated corpus, built once per run of
// the test binary.
func benchFacts(b *testing.B, profile corpus.Profile, apps int) *graph.Facts {
	b.Helper()
	key := fmt.Sprintf("%s-%d", profile, apps)
	benchFactsCache.Lock()
	defer benchFactsCache.Unlock()
	if f, ok := benchFactsCache.facts[key]; ok {
		return f
	}
	dir := b.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: apps, Profile: profile}); err != nil {
		b.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{})
	if err != nil {
		b.Fatal(err)
	}
	f := graph.Build(res.Documents, graph.DefaultSettings()).Facts()
	if benchFactsCache.facts == nil {
		benchFactsCache.facts = map[string]*graph.Facts{}
	}
	benchFactsCache.facts[key] = f
	return f
}

// forCorpora runs fn as a sub-benchmark per corpus, with the built-in
// rules compiled once.
func forCorpora(b *testing.B, fn func(b *testing.B, e *Engine, facts *graph.Facts)) {
	e, err := New(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range benchCorpora {
		b.Run(fmt.Sprintf("%s/apps=%d", c.profile, c.apps), func(b *testing.B) {
			facts := benchFacts(b, c.profile, c.apps)
			b.ReportAllocs()
			b.ResetTimer()
			fn(b, e, facts)
		})
	}
}

// BenchmarkEvaluate: the whole evaluate phase, converting each stage's
// sections and evaluating its rules, as lint runs it.
func BenchmarkEvaluate(b *testing.B) {
	forCorpora(b, func(b *testing.B, e *Engine, facts *graph.Facts) {
		for b.Loop() {
			if _, err := e.Evaluate(context.Background(), facts.Input()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStage: one stage's rules over its input, converted beforehand:
// the evaluation and the decoding of the reports, without the conversion.
func BenchmarkStage(b *testing.B) {
	forCorpora(b, func(b *testing.B, e *Engine, facts *graph.Facts) {
		for _, st := range e.stages {
			b.Run(st.category, func(b *testing.B) {
				in := stageInput(facts.Input(), st.keys, map[string]*ast.Term{})
				b.ResetTimer()
				for b.Loop() {
					if _, err := evalRules(context.Background(), st.rules, in, e.workers, e.timeout); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkSection: converting one section of the facts to its OPA value.
func BenchmarkSection(b *testing.B) {
	forCorpora(b, func(b *testing.B, _ *Engine, facts *graph.Facts) {
		for _, key := range facts.Input().Keys() {
			b.Run(key, func(b *testing.B) {
				in := facts.Input()
				for b.Loop() {
					in.Term(input.NewEncoder(), key)
				}
			})
		}
	})
}
