package graph

// podsMatching lists the pod templates and Prometheus pods whose labels
// include every pair of sel, in the order of workloadsAndPrometheusPods. A
// selector that is matched against every namespace (a workload-level
// PeerAuthentication looking for the pods it reaches elsewhere) would
// otherwise cost policies × workloads; through an index of label pairs it
// costs the pods that carry the selector's rarest pair.
func (g *Graph) podsMatching(sel map[string]string) []*Workload {
	if len(sel) == 0 {
		return g.workloadsAndPrometheusPods()
	}
	if g.podsByLabel == nil {
		g.podsByLabel = map[string][]*Workload{}
		for _, w := range g.workloadsAndPrometheusPods() {
			for k, v := range w.Labels {
				g.podsByLabel[labelPair(k, v)] = append(g.podsByLabel[labelPair(k, v)], w)
			}
		}
	}
	// Any pair's list holds every match; filtering the shortest is cheapest,
	// and the result does not depend on which one that is.
	var candidates []*Workload
	first := true
	for k, v := range sel {
		if l := g.podsByLabel[labelPair(k, v)]; first || len(l) < len(candidates) {
			candidates, first = l, false
		}
	}
	var out []*Workload
	for _, w := range candidates {
		if subsetOf(sel, w.Labels) {
			out = append(out, w)
		}
	}
	return out
}

func labelPair(k, v string) string { return k + "\x00" + v }
