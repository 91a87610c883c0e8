// Package parallel runs independent pieces of work on every core. At
// platform scale (10,000 apps) the graph's facts and the per-file pass over
// findings left all but one core idle when done one after another.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// ForEach calls fn(i) for every i in [0, n), on up to GOMAXPROCS
// goroutines that claim the indexes in order, a few at a time. fn must
// write nothing that another index writes or reads. A panic in fn (a bug
// in meshlint) stops the claiming and is raised again in the caller,
// where lint's recovery reports it: the one of the lowest index when
// several panic. Callers join the results in index order, so that what
// they produce is the same whatever the number of cores.
func ForEach(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	// Small claims keep the cores busy to the end when the costs of the
	// items differ; more than one item per claim keeps the counter cold.
	chunk := max(1, min(64, n/(workers*8)))
	var next atomic.Int64
	var stop atomic.Bool
	var mu sync.Mutex
	panicAt, panicked := n, any(nil)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			i := -1
			defer func() {
				if p := recover(); p != nil {
					stop.Store(true)
					mu.Lock()
					if i < panicAt {
						panicAt, panicked = i, p
					}
					mu.Unlock()
				}
			}()
			for !stop.Load() {
				start := int(next.Add(int64(chunk))) - chunk
				if start >= n {
					return
				}
				for i = start; i < min(start+chunk, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
	if panicAt < n {
		panic(panicked)
	}
}
