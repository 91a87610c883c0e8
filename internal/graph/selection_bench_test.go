package graph_test

// Selection in a crowded namespace (issue 16): the graph and its facts for
// N apps in one namespace against the same apps in their own namespaces.
// The budget is at most 2× (docs/performance.md):
//
//	go test -run '^$' -bench Selection -benchmem ./internal/graph/

import (
	"fmt"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

func BenchmarkSelection(b *testing.B) {
	for _, n := range []int{2000, 10000} {
		for _, profile := range []corpus.Profile{corpus.ProfileCrowdedSpread, corpus.ProfileCrowded} {
			b.Run(fmt.Sprintf("%s/apps=%d", profile, n), func(b *testing.B) {
				dir := generatedCorpus(b, profile, n)
				s := graph.DefaultSettings()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					gb, res := loadAhead(b, dir, s)
					b.StartTimer()
					for _, d := range res.Documents {
						gb.Add(d)
					}
					gb.Graph().Facts()
				}
			})
		}
	}
}

// loadAhead loads dir as lint.Run does, each document read ahead into a new
// builder (a builder is used up by its graph, and reading takes each
// document's decoded object, so a benchmark loads afresh each time).
func loadAhead(b *testing.B, dir string, s graph.Settings) (*graph.Builder, *loader.Result) {
	b.Helper()
	gb := graph.NewBuilder(s)
	res, err := loader.Load([]string{dir}, loader.Options{Kinds: graph.ReadsKind, Fields: graph.ReadsFields, Read: gb.Read, ReleaseTexts: true})
	if err != nil {
		b.Fatal(err)
	}
	return gb, res
}
