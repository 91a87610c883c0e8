package engine

import (
	"runtime/debug"
	"testing"
)

// gcSettings reads the collector's percent and memory limit.
func gcSettings() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// TestPauseGCRestoresOnceTheLastEnds: overlapping compilations pause the
// collector until the last one ends, and then the user's settings return.
func TestPauseGCRestoresOnceTheLastEnds(t *testing.T) {
	percent, limit := gcSettings()
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	debug.SetGCPercent(77)
	debug.SetMemoryLimit(1 << 40)
	first := pauseGC()
	second := pauseGC()
	if p, l := gcSettings(); p != -1 || l != pausedMemoryLimit {
		t.Fatalf("paused: GC percent %d, memory limit %d; want -1 and %d", p, l, pausedMemoryLimit)
	}
	first()
	first() // a second call changes nothing
	if p, _ := gcSettings(); p != -1 {
		t.Fatalf("GC percent %d while a compilation is still under way, want -1", p)
	}
	second()
	if p, l := gcSettings(); p != 77 || l != 1<<40 {
		t.Fatalf("after the last compilation: GC percent %d, memory limit %d; want 77 and %d", p, l, int64(1<<40))
	}
}

// TestPauseGCKeepsALowerLimit: a memory limit below the pause's own stays.
func TestPauseGCKeepsALowerLimit(t *testing.T) {
	percent, limit := gcSettings()
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	debug.SetMemoryLimit(64 << 20)
	resume := pauseGC()
	_, l := gcSettings()
	resume()
	if l != 64<<20 {
		t.Fatalf("memory limit %d while paused, want the user's %d", l, 64<<20)
	}
}
