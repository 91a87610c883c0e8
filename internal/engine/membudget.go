package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"
)

// A custom policy can exhaust memory long before --policy-timeout fires:
// numbers.range(1, 1e10) or a comprehension over a product of the input
// grows the heap by hundreds of megabytes a second, and a Go program out of
// memory dies with a fatal error that loses every finding. So while rules
// evaluate, a watchdog samples the heap, and past the budget it cancels the
// evaluation (OPA checks for cancellation as it iterates and while it
// generates ranges). Like the deadline it is a backstop that stops meshlint
// (exit 2), never a finding.

// DefaultMemoryBudget is the heap, in bytes, past which evaluation stops
// when Options.MemoryBudget is 0. The built-in rules over 30,000 apps stay
// far below it.
const DefaultMemoryBudget = 4 << 30

// memoryPoll is how often the watchdog samples the heap.
var memoryPoll = 20 * time.Millisecond

// errOverBudget is the cause of a cancellation by the watchdog.
var errOverBudget = errors.New("over the memory budget")

// heapBytes is the memory held by heap objects, live or not yet swept.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// watchMemory returns a context that is cancelled, with errOverBudget as its
// cause, once the heap passes budget bytes; stop ends the watch.
func watchMemory(ctx context.Context, budget uint64) (context.Context, func()) {
	wctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(memoryPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-wctx.Done():
				return
			case <-t.C:
				if heapBytes() > budget {
					cancel(errOverBudget)
					return
				}
			}
		}
	}()
	return wctx, func() {
		close(done)
		cancel(nil)
	}
}

// overBudget reports whether ctx was cancelled by the watchdog.
func overBudget(ctx context.Context) bool { return errors.Is(context.Cause(ctx), errOverBudget) }

// MemoryError is an evaluation the watchdog stopped.
type MemoryError struct {
	Rules  []*Rule // the custom rules, the usual suspects; every rule when there are none
	Budget uint64
}

func (e *MemoryError) Error() string {
	what := suspects(e.Rules)
	mib := e.Budget >> 20
	return fmt.Sprintf("evaluating %s took the heap past %d MiB and was stopped; a policy must not build collections as large as products of the input or numbers.range over millions. If the input is only very large, raise --max-policy-memory (e.g. --max-policy-memory %d)",
		what, mib, 2*mib)
}
