package graph

import "fmt"

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
// limit's worth of target resolution.
func (g *Graph) CheckFactLimit(max int) error {
	total := 0
	var largest *Monitor
	largestFacts := 0
	g.countedTargets = make([][][]Target, len(g.Monitors))
	for mi, m := range g.Monitors {
		variants := 0
		for _, p := range g.Prometheus {
			if g.Selects(p, m) {
				variants++
			}
		}
		variants = max1(variants)
		facts := 0
		g.countedTargets[mi] = make([][]Target, len(m.Endpoints))
		for i := range m.Endpoints {
			targets := g.Targets(m, &m.Endpoints[i])
			g.countedTargets[mi][i] = targets
			facts += variants * (1 + len(targets))
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
	return nil
}

// endpointTargets are the targets of endpoint i of monitor mi (the index
// in g.Monitors): those CheckFactLimit resolved, handed over once, or
// resolved now.
func (g *Graph) endpointTargets(mi int, m *Monitor, i int) []Target {
	if mi < len(g.countedTargets) && i < len(g.countedTargets[mi]) {
		t := g.countedTargets[mi][i]
		if t != nil {
			g.countedTargets[mi][i] = nil
			return t
		}
	}
	return g.Targets(m, &m.Endpoints[i])
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
