package graph

import (
	"fmt"
	"sync/atomic"

	"github.com/meshlint/meshlint/internal/parallel"
)

// FactLimitError is a model whose rule input would hold more scrape facts
// than the limit: the facts are counted before any is built, so a hostile
// input (a monitor with hundreds of thousands of endpoints, written as
// aliases in a small file) is refused before it costs the memory and time.
type FactLimitError struct {
	Limit int
	// Largest is the monitor with the most facts, where to look first.
	Largest      *Resource
	LargestFacts int
}

func (e *FactLimitError) Error() string {
	msg := fmt.Sprintf("the mesh model would hold more than the limit of %d scrape facts (monitor endpoints, times the Prometheus servers that select them, times their targets); --max-facts raises it. The rules were not run: only what reading and rendering the files found is reported", e.Limit)
	if e.Largest != nil {
		d := e.Largest.Doc
		msg += fmt.Sprintf("; the largest is %s %s/%s in %s (document starting at line %d) with at least %d", e.Largest.Kind, e.Largest.Namespace,
			truncate(e.Largest.Name, 80), d.File, d.StartLine, e.LargestFacts)
	}
	return msg
}

// truncate shortens a name for a message.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// CheckFactLimit counts the facts Facts would build: for each monitor
// endpoint, one scrape fact per Prometheus that selects the monitor (or
// one when none does), each with the endpoint's targets. It stops counting
// as soon as the count passes max, so the count itself costs at most the
// limit's worth of target resolution (and an endpoint's per core).
//
// The monitors are counted in parallel (forEach), keeping what was
// resolved for Facts. Whether the count passes max does not depend on the
// order; which monitor is the largest so far when it does is the order's,
// so a count that passes is done again in order for the message.
func (g *Graph) CheckFactLimit(max int) error {
	g.freeze()
	g.countedTargets = make([][][]Target, len(g.Monitors))
	g.selecting = make([][]*Prometheus, len(g.Monitors))
	var total atomic.Int64
	parallel.ForEach(len(g.Monitors), func(mi int) {
		if total.Load() > int64(max) {
			return
		}
		m := g.Monitors[mi]
		g.selecting[mi] = g.selectingPrometheus(m)
		variants := max1(len(g.selecting[mi]))
		targets := make([][]Target, len(m.Endpoints))
		facts := 0
		for i := range m.Endpoints {
			targets[i] = g.Targets(m, &m.Endpoints[i])
			facts += variants * (1 + len(targets[i]))
			if total.Load()+int64(facts) > int64(max) {
				break
			}
		}
		g.countedTargets[mi] = targets
		total.Add(int64(facts))
	})
	if total.Load() <= int64(max) {
		return nil
	}
	g.countedTargets, g.selecting = nil, nil
	return g.factLimitError(max)
}

// factLimitError counts the facts monitor by monitor, in order, until the
// count passes max, and names the largest monitor counted by then.
func (g *Graph) factLimitError(max int) error {
	total := 0
	var largest *Monitor
	largestFacts := 0
	for _, m := range g.Monitors {
		variants := max1(len(g.selectingPrometheus(m)))
		facts := 0
		for i := range m.Endpoints {
			facts += variants * (1 + len(g.Targets(m, &m.Endpoints[i])))
			if total+facts > max {
				break
			}
		}
		total += facts
		if facts > largestFacts {
			largest, largestFacts = m, facts
		}
		if total > max {
			return &FactLimitError{Limit: max, Largest: g.Resources[largest.Resource], LargestFacts: largestFacts}
		}
	}
	return nil // not reached: the parallel count passed max
}

// selectingPrometheus lists the Prometheus servers that select m (Selects),
// in the graph's order.
func (g *Graph) selectingPrometheus(m *Monitor) []*Prometheus {
	var out []*Prometheus
	for _, p := range g.Prometheus {
		if g.Selects(p, m) {
			out = append(out, p)
		}
	}
	return out
}

// countedFor hands over what CheckFactLimit resolved for monitor mi (the
// index in g.Monitors): the Prometheus servers that select it and its
// endpoints' targets, each once; what it did not resolve is resolved now.
// Each monitor's slots are read and cleared by the one goroutine that
// builds its facts.
func (g *Graph) countedFor(mi int) (selecting []*Prometheus, targets [][]Target) {
	m := g.Monitors[mi]
	if mi < len(g.countedTargets) && g.countedTargets[mi] != nil {
		selecting, targets = g.selecting[mi], g.countedTargets[mi]
		g.selecting[mi], g.countedTargets[mi] = nil, nil
		return selecting, targets
	}
	targets = make([][]Target, len(m.Endpoints))
	for i := range m.Endpoints {
		targets[i] = g.Targets(m, &m.Endpoints[i])
	}
	return g.selectingPrometheus(m), targets
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
