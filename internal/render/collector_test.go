package render

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcSettings reads the collector's percent and memory limit.
func gcSettings() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// TestChildCollectorHandsOver: the child's collector is off below its floor
// (and below a smaller memory limit), and at the first collection it runs at
// GOGC's pace under the child's memory limit.
func TestChildCollectorHandsOver(t *testing.T) {
	percent, limit := gcSettings()
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	c := startCollector()
	if p, l := gcSettings(); p != -1 || l != childHeapFloor {
		t.Fatalf("at the floor: GC percent %d, memory limit %d; want -1 and %d", p, l, childHeapFloor)
	}
	c.setLimit(16 << 20)
	if _, l := gcSettings(); l != 16<<20 {
		t.Fatalf("a memory limit below the floor: %d, want %d", l, 16<<20)
	}
	c.setLimit(768 << 20)
	if _, l := gcSettings(); l != childHeapFloor {
		t.Fatalf("a memory limit above the floor: %d, want the floor %d", l, childHeapFloor)
	}
	runtime.GC()
	select {
	case <-c.handed:
	case <-time.After(time.Minute):
		t.Fatal("the first collection did not hand the collector over")
	}
	if p, l := gcSettings(); p != childGCPercent || l != 768<<20 {
		t.Fatalf("after the first collection: GC percent %d, memory limit %d; want %d and %d", p, l, childGCPercent, 768<<20)
	}
	c.setLimit(512 << 20)
	if _, l := gcSettings(); l != 512<<20 {
		t.Fatalf("a memory limit set once paced: %d, want %d", l, 512<<20)
	}
}
