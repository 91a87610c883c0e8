package lint

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Rendering (Kustomize builds above all) allocates far more than it keeps:
// about 5 MB per Kustomize root, over a live heap that holds kustomize's
// parsed OpenAPI schema and the output rendered so far. At GOGC's default
// pace each collection marks that live heap again, and the collector was a
// third to two fifths of rendering's time (kubeflow/manifests: 53 s of CPU
// at GOGC=100, 30 s at 400; docs/performance.md). So while rendering, the
// collector runs at a slower pace, under a soft memory limit that keeps
// the peak bounded. The limit never falls below twice the live heap, so
// the collector never runs back to back to hold it (which is what a fixed
// memory limit below a large repository's live heap would make it do): at
// worst it paces as at GOGC=100.

// renderMemoryLimit is the soft memory limit while rendering, unless the
// live heap needs more. Under it, kubeflow/manifests peaked lower than at
// GOGC's pace (589 against 747 MB): the limit also has the runtime return
// freed memory sooner. 1 GiB made no run faster and that one 1.1 GB.
const renderMemoryLimit = 512 << 20

// renderPacer holds the collector's settings while rendering.
type renderPacer struct {
	mu       sync.Mutex
	done     bool
	limit    int64
	percent  int   // GOGC before rendering
	oldLimit int64 // the memory limit before rendering
}

// paceRendering sets the collector's pace for rendering to percent, under
// limit (renderMemoryLimit) or twice the live heap, when larger, and
// returns the function that puts the settings back.
func paceRendering(percent int, limit int64) (restore func()) {
	p := &renderPacer{limit: max(limit, 2*liveHeap())}
	p.oldLimit = debug.SetMemoryLimit(-1)
	p.percent = debug.SetGCPercent(percent)
	debug.SetMemoryLimit(min(p.limit, p.oldLimit))
	p.arm()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.done = true
		debug.SetGCPercent(p.percent)
		debug.SetMemoryLimit(p.oldLimit)
	}
}

// arm has cycle run after the next collection: a sentinel only that
// collection finds unreachable. It holds a pointer, so that it is not
// batched with other tiny objects, whose cleanups may never run.
func (p *renderPacer) arm() {
	sentinel := &struct{ _ *renderPacer }{}
	runtime.AddCleanup(sentinel, func(p *renderPacer) { p.cycle() }, p)
}

// cycle raises the limit to twice the live heap the collection just found,
// when that is above it, and waits for the next collection.
func (p *renderPacer) cycle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	if need := 2 * liveHeap(); need > p.limit {
		p.limit = need
		debug.SetMemoryLimit(min(p.limit, p.oldLimit))
	}
	p.arm()
}

// liveHeap is the heap the last collection found live, in bytes.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(min(s[0].Value.Uint64(), math.MaxInt64/4))
}
