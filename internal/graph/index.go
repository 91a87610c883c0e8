package graph

import (
	"sort"

	"github.com/meshlint/meshlint/internal/parallel"
)

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
	byLabel := g.podLabelIndex()
	// Any pair's list holds every match; filtering the shortest is cheapest,
	// and the result does not depend on which one that is.
	var candidates []*Workload
	first := true
	for k, v := range sel {
		if l := byLabel[labelPair(k, v)]; first || len(l) < len(candidates) {
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

// podLabelIndex maps a label pair to the pod templates and Prometheus
// pods that carry it, in order; built on first use.
func (g *Graph) podLabelIndex() map[string][]*Workload {
	if g.podsByLabel == nil {
		g.podsByLabel = map[string][]*Workload{}
		for _, w := range g.workloadsAndPrometheusPods() {
			for k, v := range w.Labels {
				g.podsByLabel[labelPair(k, v)] = append(g.podsByLabel[labelPair(k, v)], w)
			}
		}
	}
	return g.podsByLabel
}

func labelPair(k, v string) string { return k + "\x00" + v }

// Selection within one namespace: a monitor's selector, a Service's
// selector, the Services a workload sits behind. Through per-namespace
// indexes of label pairs, each costs the objects that carry its rarest
// pair rather than the whole namespace, which would make a namespace of N
// apps cost N². Every index lists positions in the namespace's own order,
// so what is found, and in which order, is what a scan finds.

// nsLabelIndex maps a label pair ("key\x00value") to the positions, in
// order, of the objects of one namespace that carry it. A namespace of at
// most smallNamespace objects of a kind has none (nil): each selection
// tries all of them, which costs no more than a look-up in an index that
// would take a map, keys and lists for every one of them (at 10,000 apps of
// one namespace each, 15 MB of the heap while the model is built).
type nsLabelIndex map[string][]int

// smallNamespace is the most objects of a kind a namespace holds and is
// still scanned rather than indexed.
const smallNamespace = 8

// selectionIndex holds the indexes of every namespace, built on first use,
// after Build has filled servicesByNS and workloadsByNS.
type selectionIndex struct {
	serviceLabels   map[string]nsLabelIndex // by namespace: Services by metadata.labels
	workloadLabels  map[string]nsLabelIndex // by namespace: pod templates by their labels
	serviceSelector map[string]nsLabelIndex // by namespace: Services by the first pair (by key) of their selector
	// peerAuths, by namespace: the PeerAuthentications that are not
	// workload-level or select by no label, and the others by the first
	// pair of their selector.
	peerAuthsAlways   map[string][]int
	peerAuthsSelector map[string]nsLabelIndex
}

func (g *Graph) selection() *selectionIndex {
	if g.selIndex != nil {
		return g.selIndex
	}
	// The namespaces are indexed apart from each other, in parallel, and
	// then put together.
	seen := map[string]bool{}
	var names []string
	note := func(ns string, n int) {
		if n > smallNamespace && !seen[ns] {
			seen[ns] = true
			names = append(names, ns)
		}
	}
	for ns, svcs := range g.servicesByNS {
		note(ns, len(svcs))
	}
	for ns, ws := range g.workloadsByNS {
		note(ns, len(ws))
	}
	for ns, pas := range g.peerAuthsByNS {
		note(ns, len(pas))
	}
	perNS := make([]namespaceIndex, len(names))
	parallel.ForEach(len(names), func(i int) { perNS[i] = g.indexNamespace(names[i]) })
	x := &selectionIndex{serviceLabels: map[string]nsLabelIndex{}, workloadLabels: map[string]nsLabelIndex{}, serviceSelector: map[string]nsLabelIndex{},
		peerAuthsAlways: map[string][]int{}, peerAuthsSelector: map[string]nsLabelIndex{}}
	for i, ns := range names {
		n := &perNS[i]
		if n.serviceLabels != nil {
			x.serviceLabels[ns], x.serviceSelector[ns] = n.serviceLabels, n.serviceSelector
		}
		if n.workloadLabels != nil {
			x.workloadLabels[ns] = n.workloadLabels
		}
		if n.peerAuthsSelector != nil {
			if n.peerAuthsAlways != nil {
				x.peerAuthsAlways[ns] = n.peerAuthsAlways
			}
			x.peerAuthsSelector[ns] = n.peerAuthsSelector
		}
	}
	g.selIndex = x
	return x
}

// namespaceIndex is the part of a selectionIndex for one namespace.
type namespaceIndex struct {
	serviceLabels, workloadLabels, serviceSelector nsLabelIndex
	peerAuthsAlways                                []int
	peerAuthsSelector                              nsLabelIndex
}

// indexNamespace indexes the Services, pod templates and
// PeerAuthentications of one namespace.
func (g *Graph) indexNamespace(ns string) namespaceIndex {
	var x namespaceIndex
	if svcs := g.servicesByNS[ns]; len(svcs) > smallNamespace {
		x.serviceLabels, x.serviceSelector = nsLabelIndex{}, nsLabelIndex{}
		for i, svc := range svcs {
			x.serviceLabels.add(svc.Labels, i)
			if len(svc.Selector) > 0 {
				k := firstKey(svc.Selector)
				x.serviceSelector[labelPair(k, svc.Selector[k])] = append(x.serviceSelector[labelPair(k, svc.Selector[k])], i)
			}
		}
	}
	if ws := g.workloadsByNS[ns]; len(ws) > smallNamespace {
		x.workloadLabels = nsLabelIndex{}
		for i, w := range ws {
			x.workloadLabels.add(w.Labels, i)
		}
	}
	if pas := g.peerAuthsByNS[ns]; len(pas) > smallNamespace {
		x.peerAuthsSelector = nsLabelIndex{}
		for i, pa := range pas {
			if pa.Scope != ScopeWorkload || len(pa.MatchLabels) == 0 {
				x.peerAuthsAlways = append(x.peerAuthsAlways, i)
				continue
			}
			k := firstKey(pa.MatchLabels)
			x.peerAuthsSelector[labelPair(k, pa.MatchLabels[k])] = append(x.peerAuthsSelector[labelPair(k, pa.MatchLabels[k])], i)
		}
	}
	return x
}

// peerAuthsFor are the positions, in order, of the PeerAuthentications of
// w's namespace (n of them) that can apply to w: every one that is not
// workload-level, and the workload-level ones whose selector's first pair
// w's labels carry; in a namespace too small to be indexed, every one.
// Callers test each, and only read the list.
func (x *selectionIndex) peerAuthsFor(w *Workload, n int) []int {
	idx, indexed := x.peerAuthsSelector[w.Namespace]
	if !indexed {
		return allPositions(n) // a small namespace: every one can
	}
	if len(idx) == 0 {
		return x.peerAuthsAlways[w.Namespace] // in order; callers only read it
	}
	pos := append([]int(nil), x.peerAuthsAlways[w.Namespace]...)
	for k, v := range w.Labels {
		pos = append(pos, idx[labelPair(k, v)]...)
	}
	sort.Ints(pos) // each policy is listed once
	return pos
}

func (x nsLabelIndex) add(labels map[string]string, i int) {
	for k, v := range labels {
		x[labelPair(k, v)] = append(x[labelPair(k, v)], i)
	}
}

func firstKey(m map[string]string) string {
	first := ""
	for k := range m {
		if first == "" || k < first {
			first = k
		}
	}
	return first
}

// narrow returns the positions of the objects that can match every pair
// of sel that literal accepts: the list of the rarest such pair. all is
// true when no pair of sel is literal, or the namespace is not indexed, and
// every object must be tried.
func (x nsLabelIndex) narrow(sel map[string]string, literal func(string) bool) (pos []int, all bool) {
	all = true
	if x == nil {
		return nil, true // a small namespace (or none): scanned
	}
	for k, v := range sel {
		if literal != nil && !literal(v) {
			continue
		}
		if l := x[labelPair(k, v)]; all || len(l) < len(pos) {
			pos, all = l, false
		}
	}
	return pos, all
}

// servicesBehind are the positions, in order, of the Services of w's
// namespace (svcs) whose selector's first pair w's labels carry: every
// Service that selects w is among them, and none without a selector; in a
// namespace too small to be indexed, every Service with a selector. Callers
// test each.
func (x *selectionIndex) servicesBehind(w *Workload, svcs []*Service) []int {
	idx, indexed := x.serviceSelector[w.Namespace]
	var pos []int
	if !indexed {
		for i, svc := range svcs { // a small namespace: every one with a selector
			if len(svc.Selector) > 0 {
				pos = append(pos, i)
			}
		}
		return pos
	}
	for k, v := range w.Labels {
		pos = append(pos, idx[labelPair(k, v)]...)
	}
	sort.Ints(pos) // each Service is listed under one pair, so there are no repeats
	return pos
}

// candidates are the positions, in order, of the n objects of a namespace
// that s can match: narrowed by its matchLabels pairs that literal accepts
// (all of them when literal is nil), else every position. A nil selector
// matches nothing.
func candidates(x nsLabelIndex, s *LabelSelector, n int, literal func(string) bool) []int {
	if s == nil {
		return nil
	}
	if pos, all := x.narrow(s.MatchLabels, literal); !all {
		return pos
	}
	return allPositions(n)
}

// allPositions are 0 to n-1, for callers that only read them: shared up to
// smallNamespace, for the selections of small namespaces.
func allPositions(n int) []int {
	if n <= smallNamespace {
		return firstPositions[:n:n]
	}
	pos := make([]int, n)
	for i := range pos {
		pos[i] = i
	}
	return pos
}

var firstPositions = func() []int {
	pos := make([]int, smallNamespace)
	for i := range pos {
		pos[i] = i
	}
	return pos
}()
