package engine

import (
	"runtime/debug"
	"sync"
)

// Compiling the rules allocates about 9 MB of parse trees and rewritten
// copies, nearly all of it garbage once they are compiled, in a process
// whose heap is a few megabytes: at GOGC's pace the collector ran four times
// while they compiled, for nothing it could keep free, about a tenth of the
// CPU of linting a small directory. So the collector waits until they are
// compiled, and then runs at its pace again (once, soon after). A memory
// limit still bounds the heap meanwhile, should anything else allocate.

// pausedMemoryLimit bounds the Go runtime's memory while the collector
// waits: far above what compiling needs, far below any machine's memory.
const pausedMemoryLimit = 256 << 20

// gcPause counts the compilations under way, so that compilations at the
// same time (tests) restore the collector's settings once, when the last
// one ends.
var gcPause struct {
	sync.Mutex
	n       int
	percent int   // debug.SetGCPercent before the first pause
	limit   int64 // debug.SetMemoryLimit before the first pause
}

// pauseGC stops the collector, below the memory limit, until resume is
// called. A GOGC or GOMEMLIMIT the user set is restored as it was.
func pauseGC() (resume func()) {
	gcPause.Lock()
	defer gcPause.Unlock()
	if gcPause.n == 0 {
		gcPause.percent = debug.SetGCPercent(-1)
		gcPause.limit = debug.SetMemoryLimit(-1) // -1 reads it
		debug.SetMemoryLimit(min(gcPause.limit, pausedMemoryLimit))
	}
	gcPause.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			gcPause.Lock()
			defer gcPause.Unlock()
			if gcPause.n--; gcPause.n == 0 {
				debug.SetMemoryLimit(gcPause.limit)
				debug.SetGCPercent(gcPause.percent)
			}
		})
	}
}
