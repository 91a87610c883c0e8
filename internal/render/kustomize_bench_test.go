package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/loader"
)

// A Kustomize-heavy repository (issue 16): 200 overlays over 20 shared
// bases, each with patches and two components. "meshlint" is the render
// phase of a lint (Expand: every top root built on GOMAXPROCS workers, its
// output parsed and placed); "kustomize" builds each top root once with the
// kustomize API in sequence, and nothing else. The budget is at most 1.2x
// (end to end: the kustomize suite of internal/benchgen/measure.sh):
//
//	go test -run '^$' -bench KustomizeHeavy -benchtime 3x ./internal/render/

func kustomizeCorpus(b *testing.B, overlays int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("meshlint-bench-kustomize-%d", overlays))
	if _, err := os.Stat(dir + ".done"); err != nil {
		os.RemoveAll(dir)
		if _, err := corpus.Generate(dir, corpus.Options{Apps: overlays, Profile: corpus.ProfileKustomize}); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(dir+".done", nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// cpuTime is the process's user and system time: with the machine shared,
// the CPU a benchmark spends says more than its wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkKustomizeHeavy(b *testing.B) {
	dir := kustomizeCorpus(b, 200)
	loadIt := func() *loader.Result {
		res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir, DetectRoots: true, ReleaseTexts: true})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	b.Run("meshlint", func(b *testing.B) {
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			res := loadIt()
			b.StartTimer()
			start := cpuTime()
			findings, err := Expand(context.Background(), res, Options{WorkDir: dir})
			if err != nil || len(findings) > 0 {
				b.Fatalf("render: %v %+v", err, findings)
			}
			cpu += cpuTime() - start
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("kustomize", func(b *testing.B) {
		roots, err := filepath.Glob(filepath.Join(dir, "overlays", "*"))
		if err != nil || len(roots) != 200 {
			b.Fatalf("%d overlays: %v", len(roots), err)
		}
		fs := filesys.MakeFsOnDisk()
		start := cpuTime()
		for i := 0; i < b.N; i++ {
			for _, root := range roots {
				if _, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, root); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
	})
}
