package lint

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestRenderPaceFollowsTheLiveHeap: while rendering, the collector runs at
// the given pace under the limit; once the live heap is more than half the
// limit, the limit rises to twice the live heap after the next collection
// (so the collector never runs back to back to hold it); and restore puts
// the pace and the limit back as they were.
func TestRenderPaceFollowsTheLiveHeap(t *testing.T) {
	beforePercent := debug.SetGCPercent(100)
	beforeLimit := debug.SetMemoryLimit(-1)
	defer debug.SetGCPercent(beforePercent)

	const limit = 8 << 20
	restore := paceRendering(400, limit)
	if got := debug.SetGCPercent(400); got != 400 {
		t.Errorf("pace while rendering %d, want 400", got)
	}
	if got := debug.SetMemoryLimit(-1); got < limit || got > max(limit, 2*liveHeap()) {
		t.Errorf("memory limit while rendering %d, want %d or twice the live heap", got, limit)
	}

	live := make([]byte, 32<<20) // more than half the limit, kept live
	for i := range live {
		live[i] = 1
	}
	raised := false
	for range 200 { // the raise runs on the runtime's cleanup goroutine, after a collection
		runtime.GC()
		if debug.SetMemoryLimit(-1) >= 2*int64(len(live)) {
			raised = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(live)
	if !raised {
		t.Errorf("memory limit %d with %d bytes live, want at least twice that", debug.SetMemoryLimit(-1), len(live))
	}

	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("pace after rendering %d, want 100 as before", got)
	}
	if got := debug.SetMemoryLimit(-1); got != beforeLimit {
		t.Errorf("memory limit after rendering %d, want %d as before", got, beforeLimit)
	}
}
