package loader_test

// Placing findings (issue 16): the cost per location of a first adoption's
// findings, placed in one pass per file, against asking each document.
//
//	go test -run '^$' -bench PlaceFindings -benchmem ./internal/loader/

import (
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/internal/loader"
)

// adoptionLookups loads a first-adoption corpus as a lint does (texts
// released) and asks, in one document of four, where three fields are:
// about what that corpus's findings and related locations ask.
func adoptionLookups(b *testing.B, dir string) []loader.Lookup {
	b.Helper()
	res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir, ReleaseTexts: true})
	if err != nil {
		b.Fatal(err)
	}
	var lookups []loader.Lookup
	for i, d := range res.Documents {
		if i%4 == 0 {
			for _, p := range []string{"/metadata/name", "/spec", "/spec/ports/1/port"} {
				lookups = append(lookups, loader.Lookup{Doc: d, Pointer: p})
			}
		}
	}
	return lookups
}

// cpuTime is the process's user and system time so far: with the machine
// shared, the CPU a benchmark spends says more than its wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkPlaceFindings(b *testing.B) {
	dir := b.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: 1000, Profile: corpus.ProfileAdoption}); err != nil {
		b.Fatal(err)
	}
	b.Run("per-file", func(b *testing.B) {
		n, cpu := 0, time.Duration(0)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			lookups := adoptionLookups(b, dir)
			b.StartTimer()
			n += len(lookups)
			start := cpuTime()
			loader.EachFile(lookups, func(p *loader.FilePass) {
				for _, j := range p.Lookups {
					l := lookups[j]
					_, r := p.Locate(l.Doc, l.Pointer)
					p.Snippet(l.Doc, r)
				}
			})
			cpu += cpuTime() - start
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/1000, "µs/location")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(n)/1000, "cpu-µs/location")
	})
	// With fixes, as the lint's pass computes them (lint.fileFixes): a
	// plaintext-scrape fix of every monitor looked up, from a Source of the
	// pass's bytes, its nodes built from the block scan or decoded by
	// yaml.v3.
	for _, way := range []string{"scan", "yaml.v3"} {
		b.Run("per-file+fixes/"+way, func(b *testing.B) {
			n, cpu := 0, time.Duration(0)
			var fixes atomic.Int64 // passes over files run at once
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				lookups := adoptionLookups(b, dir)
				b.StartTimer()
				n += len(lookups)
				start := cpuTime()
				loader.EachFile(lookups, func(p *loader.FilePass) {
					var src *fix.Source
					for _, j := range p.Lookups {
						l := lookups[j]
						_, r := p.Locate(l.Doc, l.Pointer)
						p.Snippet(l.Doc, r)
						if l.Doc.Kind != "ServiceMonitor" || l.Pointer != "/spec" {
							continue
						}
						if src == nil {
							if way == "scan" {
								src = fix.ParseScanned(p.File, p.Bytes(), p.BlockNodes)
							} else {
								src = fix.Parse(p.File, p.Bytes())
							}
						}
						t := fix.Target{Rule: "plaintext-scrape-of-strict-port", Pointer: "/spec/endpoints/0", DocStart: l.Doc.StartLine,
							Hint: fix.Hint{Prometheuses: []fix.Prom{{Name: "monitoring/platform", CertDir: "/etc/prom-certs/"}}}}
						if fs := fix.ForFile(src, []fix.Target{t})[0]; len(fs) != 1 {
							b.Errorf("%s: fixes %+v, want one", p.File, fs) // passes run on every core: no FailNow here
							return
						}
						fixes.Add(1)
					}
				})
				cpu += cpuTime() - start
			}
			if fixes.Load() == 0 {
				b.Fatal("no fix computed")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/1000, "µs/location")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(n)/1000, "cpu-µs/location")
			b.ReportMetric(float64(fixes.Load())/float64(b.N), "fixes/op")
		})
	}
	b.Run("per-document", func(b *testing.B) {
		n, cpu := 0, time.Duration(0)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			lookups := adoptionLookups(b, dir) // fresh documents: their positions are kept once asked
			b.StartTimer()
			n += len(lookups)
			start := cpuTime()
			for _, l := range lookups {
				_, r := l.Doc.Locate(l.Pointer)
				l.Doc.Snippet(r)
			}
			cpu += cpuTime() - start
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/1000, "µs/location")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(n)/1000, "cpu-µs/location")
	})
}

// BenchmarkDocumentPositions: placing three fields of a Deployment by one
// scan of its lines (scanBlock), against parsing it with yaml.v3 and
// following the pointers down its nodes, as for YAML the scan declines.
//
//	go test -run '^$' -bench DocumentPositions -benchmem ./internal/loader/
func BenchmarkDocumentPositions(b *testing.B) {
	text := loader.BenchDeployment
	pointers := []string{"/metadata/name", "/spec/template/spec/containers/0/ports/1/containerPort", "/spec/template/metadata/annotations"}
	for _, way := range []string{"scan", "yaml.v3"} {
		b.Run(way, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if n := loader.PlaceForBench(text, pointers, way == "scan"); n != len(pointers) {
					b.Fatalf("%d of %d pointers placed", n, len(pointers))
				}
			}
		})
	}
}
