package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// TestForEachCallsEachIndexOnce, on one core and on many.
func TestForEachCallsEachIndexOnce(t *testing.T) {
	for _, procs := range []int{1, 8} {
		old := runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 2, 7, 1000} {
			calls := make([]atomic.Int32, n)
			ForEach(n, func(i int) { calls[i].Add(1) })
			for i := range calls {
				if c := calls[i].Load(); c != 1 {
					t.Errorf("GOMAXPROCS %d, n %d: index %d called %d times", procs, n, i, c)
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

// TestForEachRaisesPanicInCaller: a panic on a worker reaches the caller,
// where lint's recovery sees it, rather than ending the process; of
// several, the lowest index's (index 3 always runs: it is in the first
// claim, which runs to its end or its panic).
func TestForEachRaisesPanicInCaller(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	for run := range 20 {
		func() {
			defer func() {
				if p := recover(); p != 3 {
					t.Fatalf("run %d: recovered %v, want the panic of index 3", run, p)
				}
			}()
			ForEach(1000, func(i int) {
				if i >= 3 {
					panic(i)
				}
			})
			t.Fatalf("run %d: no panic", run)
		}()
	}
}
