package lint_test

// Benchmarks per phase and end to end on generated corpora (issue 6):
//
//	go test -run '^$' -bench . -benchmem ./internal/lint/
//	go test -run '^$' -bench 'Lint/apps=10000' -cpuprofile cpu.prof ./internal/lint/
//
// The corpora are written once per size to the temporary directory and
// reused while their content is unchanged; nothing here asserts a time.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
)

// benchSizes are the app counts: ~7.5 resources and 4 files per app.
var benchSizes = []int{100, 1000, 10000}

var corpora struct {
	sync.Mutex
	dirs map[string]string
}

// benchCorpus returns a directory holding the corpus for n apps, writing it
// when the cached copy is missing or differs from what the generator makes
// now (its content hash is kept next to it).
func benchCorpus(b *testing.B, n int, profile corpus.Profile) string {
	b.Helper()
	key := fmt.Sprintf("%s-%d", profile, n)
	corpora.Lock()
	defer corpora.Unlock()
	if d, ok := corpora.dirs[key]; ok {
		return d
	}
	h := sha256.New()
	opts := corpus.Options{Apps: n, Profile: profile}
	if err := corpus.Walk(opts, func(f corpus.File) error {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Path, len(f.Data))
		h.Write(f.Data)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dir := filepath.Join(os.TempDir(), "meshlint-bench-"+key)
	stamp := dir + ".sha256"
	if got, err := os.ReadFile(stamp); err != nil || string(got) != sum {
		os.Remove(stamp)
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		if _, err := corpus.Generate(dir, opts); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(stamp, []byte(sum), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if corpora.dirs == nil {
		corpora.dirs = map[string]string{}
	}
	corpora.dirs[key] = dir
	return dir
}

func benchEngine(b *testing.B) *engine.Engine {
	b.Helper()
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	return eng
}

// forSizes runs fn as a sub-benchmark per corpus size.
func forSizes(b *testing.B, profile corpus.Profile, fn func(b *testing.B, dir string)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("apps=%d", n), func(b *testing.B) {
			dir := benchCorpus(b, n, profile)
			b.ResetTimer()
			fn(b, dir)
		})
	}
}

func load(b *testing.B, dir string) (*loader.Result, *graph.Builder) {
	b.Helper()
	// As lint.Run loads: each object read ahead into the model and
	// released, and the texts released.
	gb := graph.NewBuilder(graph.DefaultSettings())
	res, err := loader.Load([]string{dir}, loader.Options{Kinds: graph.ReadsKind, Fields: graph.ReadsFields, Read: gb.Read, ReleaseTexts: true})
	if err != nil {
		b.Fatal(err)
	}
	return res, gb
}

// loadGraph loads dir and builds its graph, as lint.Run does.
func loadGraph(b *testing.B, dir string) *graph.Graph {
	res, gb := load(b, dir)
	for _, d := range res.Documents {
		gb.Add(d)
	}
	return gb.Graph()
}

// BenchmarkLoad: walk, read, split, decide kinds, decode.
func BenchmarkLoad(b *testing.B) {
	forSizes(b, corpus.ProfileApps, func(b *testing.B, dir string) {
		for i := 0; i < b.N; i++ {
			load(b, dir)
		}
	})
}

// BenchmarkLoadAdoption: the same on a first adoption's repository, whose
// Deployments carry what real ones do (env, probes, resources, security
// contexts): most of what is decoded.
func BenchmarkLoadAdoption(b *testing.B) {
	forSizes(b, corpus.ProfileAdoption, func(b *testing.B, dir string) {
		for i := 0; i < b.N; i++ {
			load(b, dir)
		}
	})
}

// BenchmarkLoadIrrelevant: the same with large kinds no rule reads.
func BenchmarkLoadIrrelevant(b *testing.B) {
	forSizes(b, corpus.ProfileIrrelevant, func(b *testing.B, dir string) {
		for i := 0; i < b.N; i++ {
			load(b, dir)
		}
	})
}

// BenchmarkGraph: graph build, the count of the facts against the limit,
// and the facts handed to Rego, as lint builds them.
func BenchmarkGraph(b *testing.B) {
	forSizes(b, corpus.ProfileApps, func(b *testing.B, dir string) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			res, gb := load(b, dir) // a builder is used up by its graph: a fresh one each time
			b.StartTimer()
			for _, d := range res.Documents {
				gb.Add(d)
			}
			g := gb.Graph()
			if err := g.CheckFactLimit(loader.DefaultLimits.MaxFacts); err != nil { // as lint counts them first
				b.Fatal(err)
			}
			g.Facts()
		}
	})
}

// BenchmarkEvaluate: converting the facts to Rego values and evaluating the
// rules, stage by stage.
func BenchmarkEvaluate(b *testing.B) {
	eng := benchEngine(b)
	forSizes(b, corpus.ProfileApps, func(b *testing.B, dir string) {
		b.StopTimer()
		facts := loadGraph(b, dir).Facts()
		b.StartTimer()
		for i := 0; i < b.N; i++ {
			if _, err := eng.Evaluate(context.Background(), facts.Input()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReport: rendering the findings as JSON.
func BenchmarkReport(b *testing.B) {
	eng := benchEngine(b)
	forSizes(b, corpus.ProfileApps, func(b *testing.B, dir string) {
		b.StopTimer()
		res := lintDir(b, eng, dir)
		fm, err := report.New("json", report.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rep := &report.Report{Tool: report.Tool{Name: "meshlint"}, Findings: res.Findings, Summary: res.Summary}
		b.StartTimer()
		for i := 0; i < b.N; i++ {
			if err := fm.Format(io.Discard, rep); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLint: everything `meshlint --format json DIR` does after the
// rules are compiled.
func BenchmarkLint(b *testing.B) {
	eng := benchEngine(b)
	for _, profile := range corpus.Profiles {
		b.Run(string(profile), func(b *testing.B) {
			forSizes(b, profile, func(b *testing.B, dir string) {
				fm, err := report.New("json", report.Options{})
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < b.N; i++ {
					res := lintDir(b, eng, dir)
					rep := &report.Report{Tool: report.Tool{Name: "meshlint"}, Findings: res.Findings, Summary: res.Summary}
					if err := fm.Format(io.Discard, rep); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func lintDir(b *testing.B, eng *engine.Engine, dir string) *lint.Result {
	b.Helper()
	res, err := lint.Run(context.Background(), eng, lint.Options{Paths: []string{dir}, Settings: graph.DefaultSettings()})
	if err != nil {
		b.Fatal(err)
	}
	return res
}
