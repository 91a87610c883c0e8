package graph

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The facts of one monitor, one PeerAuthentication, one workload do not
// depend on each other's: at platform scale (10,000 apps) working them out
// one after another left all but one core idle through the graph phase.
// forEach spreads them over the cores; each result goes to its own slot,
// and the slots are joined in the input's order, so the facts are the same
// to the byte whatever the number of cores. The graph is only read while
// they run: what it works out on first use is worked out before (freeze).

// forEach calls fn(i) for every i in [0, n), on up to GOMAXPROCS
// goroutines that claim the indexes in order, a few at a time. fn must
// write nothing that another index writes or reads. A panic in fn (a bug
// in meshlint) stops the claiming and is raised again in the caller,
// where lint's recovery reports it: the one of the lowest index when
// several panic.
func forEach(n int, fn func(i int)) {
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

// freeze works out, once, everything the fact computations would
// otherwise fill in on first use (the selection indexes, the namespace
// sets, each Prometheus's cert export, the Services each ServiceMonitor
// selects), so that forEach's goroutines only read the graph.
func (g *Graph) freeze() {
	if g.frozen {
		return
	}
	// Each part fills its own fields.
	parts := []func(){
		func() { g.selection() },
		func() {
			for _, pa := range g.PeerAuths {
				if len(pa.MatchLabels) > 0 && (pa.Scope == ScopeWorkload || pa.Scope == ScopeIgnored) {
					g.podLabelIndex() // policyFact's podsMatching
					break
				}
			}
		},
		func() {
			g.hiddenNamespaces() // and incompleteNamespaces
			g.operatorPods()
			g.meshAssumption = g.meshModeAssumption()
			for _, p := range g.Prometheus {
				p.ExportedCerts()
			}
		},
	}
	forEach(len(parts), func(i int) { parts[i]() })
	selected := make([][]*Service, len(g.Monitors))
	forEach(len(g.Monitors), func(i int) {
		if m := g.Monitors[i]; m.Role == RoleService {
			selected[i] = g.selectServices(m)
		}
	})
	if g.selectedServices == nil {
		g.selectedServices = make(map[*Monitor][]*Service, len(g.Monitors))
	}
	for i, m := range g.Monitors {
		if m.Role == RoleService {
			g.selectedServices[m] = selected[i]
		}
	}
	g.frozen = true
}
