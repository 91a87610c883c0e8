package lint

import (
	"runtime"
	"time"
)

// Stats say what a run read and where its time went, for --stats.
type Stats struct {
	Files         int // files read as manifests
	SkippedFiles  int
	YAMLDocuments int // in the files read
	Prescanned    int // identified from their text alone: kinds no rule reads
	Decoded       int // fully decoded for the graph
	Resources     int
	Findings      int
	// FixesInPass count the findings whose fixes the per-file pass that
	// places findings computed; FixesAfter those computed after it, from
	// files read again (templates, Kustomize bases, values files).
	FixesInPass, FixesAfter int
	Phases                  []Phase // in the order they ran
}

// Phase is one step of a run.
type Phase struct {
	Name     string
	Duration time.Duration
	// HeapInUse is the Go heap in use when the phase ended, garbage
	// included: a lower bound of the process's memory at that point.
	HeapInUse uint64
}

// phaseClock times consecutive phases.
type phaseClock struct {
	phases []Phase
	name   string
	start  time.Time
}

// next ends the running phase, if any, and starts name.
func (c *phaseClock) next(name string) {
	c.end()
	c.name, c.start = name, time.Now()
}

func (c *phaseClock) end() {
	if c.name == "" {
		return
	}
	d := time.Since(c.start)
	var m runtime.MemStats
	runtime.ReadMemStats(&m) // cheap: no collection, a brief pause
	c.phases = append(c.phases, Phase{Name: c.name, Duration: d, HeapInUse: m.HeapInuse})
	c.name = ""
}
