package graph

import "github.com/meshlint/meshlint/internal/parallel"

// The facts of one monitor, one PeerAuthentication, one workload do not
// depend on each other's: at platform scale (10,000 apps) working them out
// one after another left all but one core idle through the graph phase.
// parallel.ForEach spreads them over the cores; each result goes to its own slot,
// and the slots are joined in the input's order, so the facts are the same
// to the byte whatever the number of cores. The graph is only read while
// they run: what it works out on first use is worked out before (freeze).

// freeze works out, once, everything the fact computations would
// otherwise fill in on first use (the selection indexes, the namespace
// sets, each Prometheus's cert export, the Services each ServiceMonitor
// selects), so that parallel.ForEach's goroutines only read the graph.
func (g *Graph) freeze() {
	if g.frozen {
		return
	}
	g.nameObjects()
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
	parallel.ForEach(len(parts), func(i int) { parts[i]() })
	selected := make([][]*Service, len(g.Monitors))
	parallel.ForEach(len(g.Monitors), func(i int) {
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

// nameObjects keeps the Display of every workload, monitor and Prometheus:
// the facts name each many times (every scrape, target and policy that
// reaches it), and shared, the name is built once and held once. Set
// before anything runs in parallel, read only after.
func (g *Graph) nameObjects() {
	for _, w := range g.Workloads {
		w.display = w.Display()
	}
	for _, m := range g.Monitors {
		m.display = m.Display()
	}
	for _, p := range g.Prometheus {
		p.display = p.Display()
		if p.Pod != nil {
			p.Pod.display = p.Pod.Display()
		}
	}
}
