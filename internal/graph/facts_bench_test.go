package graph_test

// The graph phase of a lint on a first adoption (issue 16), step by step:
// the model built from the loaded documents, the scrape facts counted
// against the limit, and the rule input computed. Each step's share is
// reported next to ns/op, so a regression shows which one it is in:
//
//	go test -run '^$' -bench Facts -benchmem ./internal/graph/
//	go test -run '^$' -bench 'Facts/adoption/apps=10000' -benchtime 3x -cpuprofile cpu.prof ./internal/graph/

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

func BenchmarkFacts(b *testing.B) {
	for _, profile := range []corpus.Profile{corpus.ProfileAdoption, corpus.ProfileCrowded} {
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("%s/apps=%d", profile, n), func(b *testing.B) {
				dir := generatedCorpus(b, profile, n)
				s := graph.DefaultSettings()
				var build, count, facts time.Duration
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					gb, res := loadAhead(b, dir, s)
					b.StartTimer()
					t0 := time.Now()
					for _, d := range res.Documents {
						gb.Add(d)
					}
					g := gb.Graph()
					t1 := time.Now()
					if err := g.CheckFactLimit(loader.DefaultMaxFacts); err != nil {
						b.Fatal(err)
					}
					t2 := time.Now()
					g.Facts()
					t3 := time.Now()
					build, count, facts = build+t1.Sub(t0), count+t2.Sub(t1), facts+t3.Sub(t2)
				}
				b.ReportMetric(float64(build.Nanoseconds())/float64(b.N), "build-ns/op")
				b.ReportMetric(float64(count.Nanoseconds())/float64(b.N), "count-ns/op")
				b.ReportMetric(float64(facts.Nanoseconds())/float64(b.N), "facts-ns/op")
			})
		}
	}
}

// generatedCorpus is the corpus of n apps of profile, written once to the
// temporary directory and reused by later runs.
func generatedCorpus(b *testing.B, profile corpus.Profile, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("meshlint-graphbench-%s-%d", profile, n))
	if _, err := os.Stat(dir + ".done"); err != nil {
		os.RemoveAll(dir)
		if _, err := corpus.Generate(dir, corpus.Options{Apps: n, Profile: profile}); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(dir+".done", nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}
