package render

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// A chart is rendered in a child process of meshlint itself: a template can
// allocate gigabytes (repeat, until, indent) or loop for hours before any
// output limit sees a byte, and a Go out-of-memory is fatal, so in process
// it would kill the run and lose every other file's findings. The child
// runs under rlimits (child_linux.go) with an empty environment, reads
// none of the repository's files (the parent sends the chart's, read
// through the Root), and answers on stdout; the
// parent turns its death into a render-error naming the budget.

// childMarker is the environment variable that makes a meshlint process
// (or a test binary whose TestMain calls ServeChild) a render child.
const childMarker = "MESHLINT_RENDER_CHILD"

// childFlag is the child's only argument. A binary that does not serve
// children (a test binary without the TestMain hook) rejects it as an
// unknown flag and exits at once, rather than running as something else.
const childFlag = "-meshlint-render-child"

// childLimits are the budgets the child sets on itself before rendering.
type childLimits struct {
	MemoryMiB  int64
	CPUSeconds int64
}

// ServeChild makes this process a render child when the parent asked for
// one: it reads a request on stdin, renders it and writes the answer on
// stdout. It reports whether it handled the process, and the exit code;
// main (and the TestMain of every test binary that renders charts) calls
// it first thing and exits with code when handled.
func ServeChild() (handled bool, code int) {
	if os.Getenv(childMarker) != "1" {
		return false, 0
	}
	gc := startCollector()
	// Helm's loader and engine log warnings with raw file names; the
	// parent never shows the child's stderr, but nothing needs writing.
	log.SetOutput(io.Discard)
	if err := serveChild(os.Stdin, os.Stdout, gc); err != nil {
		fmt.Fprintln(os.Stderr, "meshlint render child:", err)
		return true, 1
	}
	return true, 0
}

// serveChild answers one request.
func serveChild(in io.Reader, out io.Writer, gc *collector) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("read render request: %w", err)
	}
	req, values, err := decodeRequest(data)
	if err != nil {
		return err
	}
	data = nil
	if req.Limits.MemoryMiB > 0 {
		// The GC works hard before the address space runs out, so that
		// only a rendering that truly needs the memory fails.
		gc.setLimit(req.Limits.MemoryMiB << 20 * 3 / 4)
	}
	if err := limitChild(req.Limits); err != nil {
		return fmt.Errorf("set render budgets: %w", err)
	}
	resp := renderRequest(req, values)
	if err := json.NewEncoder(out).Encode(resp); err != nil {
		return fmt.Errorf("write render answer: %w", err)
	}
	return nil
}

// The child starts with the collector off (the parent sets GOGC=off in its
// environment, sandbox.go), so that the package initialisation of Helm and
// its dependencies, a few megabytes of schemas and API types, runs without
// a collection, and it stays off until the heap reaches childHeapFloor:
// rendering a chart of a few files then runs no collection at all, where it
// ran two, a quarter of the child's CPU. At the first collection the
// collector hands over to GOGC's usual pace, so a large rendering holds
// little more memory than before (a chart of 12,000 objects: 93 MB of
// peak RSS instead of 84, for 5-17 % less CPU); the memory limit and the
// address-space limit stay as they were.

// childHeapFloor is the memory the child may use before its first
// collection: the example chart's child stays well below it.
const childHeapFloor = 32 << 20

// childGCPercent is the collector's pace after the first collection:
// GOGC's default, which the child ran with before.
const childGCPercent = 100

// collector is the child's collector: at its floor until the first
// collection, then at its pace.
type collector struct {
	mu     sync.Mutex
	paced  bool  // the first collection has run
	limit  int64 // the memory limit once paced (math.MaxInt64: none)
	handed chan struct{}
}

// startCollector turns the collector off below childHeapFloor, and on at
// childGCPercent after the first collection, which the floor triggers.
func startCollector() *collector {
	c := &collector{limit: math.MaxInt64, handed: make(chan struct{})}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(childHeapFloor)
	// The first collection finds the sentinel unreachable and runs its
	// cleanup. It holds a pointer, so that it is not batched with other
	// tiny objects, whose cleanups may never run.
	sentinel := &struct{ _ *collector }{}
	runtime.AddCleanup(sentinel, func(c *collector) { c.pace() }, c)
	return c
}

// pace hands the collector over to its usual pace, under the memory limit.
func (c *collector) pace() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paced {
		return
	}
	c.paced = true
	debug.SetGCPercent(childGCPercent)
	debug.SetMemoryLimit(c.limit)
	close(c.handed)
}

// setLimit sets the memory limit, which bounds the floor too.
func (c *collector) setLimit(limit int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.limit = limit
	if c.paced {
		debug.SetMemoryLimit(limit)
	} else {
		debug.SetMemoryLimit(min(limit, childHeapFloor))
	}
}
