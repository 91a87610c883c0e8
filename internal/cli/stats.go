package cli

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/meshlint/meshlint/internal/lint"
)

// printStats writes --stats: what was read, how long each phase took, and
// the memory used. It goes to stderr, so machine formats on stdout stay
// clean; timings vary run to run, so nothing here is ever in a report.
func printStats(w io.Writer, st lint.Stats, compile, report time.Duration) {
	fmt.Fprintf(w, "meshlint: stats: %d files (%d skipped), %d YAML documents: %d identified by prescan, %d decoded; %d resources, %d findings\n",
		st.Files, st.SkippedFiles, st.YAMLDocuments, st.Prescanned, st.Decoded, st.Resources, st.Findings)
	if st.FixesInPass+st.FixesAfter > 0 {
		fmt.Fprintf(w, "meshlint: stats: fixes of %d findings computed in the per-file pass, of %d after it (files read again)\n", st.FixesInPass, st.FixesAfter)
	}
	phases := append([]lint.Phase{{Name: "compile rules", Duration: compile}}, st.Phases...)
	phases = append(phases, lint.Phase{Name: "report", Duration: report})
	var total time.Duration
	for _, p := range phases {
		total += p.Duration
		heap := ""
		if p.HeapInUse > 0 {
			heap = fmt.Sprintf("  heap in use after: %s", mebibytes(p.HeapInUse))
		}
		fmt.Fprintf(w, "meshlint: stats:   %-14s %8.3fs%s\n", p.Name, p.Duration.Seconds(), heap)
	}
	fmt.Fprintf(w, "meshlint: stats:   %-14s %8.3fs on %d CPUs (GOMAXPROCS)\n", "total", total.Seconds(), runtime.GOMAXPROCS(0))
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	mem := fmt.Sprintf("meshlint: stats: %s allocated in total, %d garbage collections", mebibytes(m.TotalAlloc), m.NumGC)
	if rss, ok := peakRSS(); ok {
		mem += ", peak RSS " + mebibytes(rss)
	}
	mem += fmt.Sprintf(" (Go heap %s from the OS, %s returned; runtime %s)", mebibytes(m.HeapSys), mebibytes(m.HeapReleased),
		mebibytes(m.Sys-m.HeapSys))
	fmt.Fprintln(w, mem)
}

func mebibytes(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
