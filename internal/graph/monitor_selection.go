package graph

import "fmt"

// This file answers "does this Prometheus pick up this monitor" once
// (docs/model.md#monitor-selection). The scrape facts, the fact budget and
// the ambient facts read it through Selects; the monitor facts read the
// verdict with its reason and the field that decides.

type verdict int

const (
	notSelected verdict = iota
	selected
	// undecided: the input does not show what decides (a namespace's
	// labels, where a monitor without metadata.namespace lands, what an
	// incomplete build left out).
	undecided
	// unrelated: scrapers of the Prometheus's family never select this kind
	// of monitor, so the Prometheus is no candidate at all.
	unrelated
)

// rejection says why a Prometheus does not select a monitor.
type rejection int

const (
	notRejected rejection = iota
	nullSelector
	labelsDiffer
	ownNamespaceOnly
	namespaceDiffers
)

// monitorSelection is the verdict of one Prometheus on one monitor, with
// what decided it. The reason of a rejection is rendered only on request,
// since Selects asks for every pair of Prometheus and monitor.
type monitorSelection struct {
	verdict verdict
	// asWritten: the Prometheus selects the monitor when the input is read
	// at face value, the monitor in the namespace it is taken to be in. It
	// is what Selects answers, and differs from verdict == selected only for
	// a monitor without metadata.namespace whose assumed namespace's labels
	// match.
	asWritten      bool
	why            rejection
	at             string // "", field or nsField: the spec field that decides
	field, nsField string
	sel, nsSel     *LabelSelector
}

// Selects reports whether a Prometheus picks up a monitor, reading the
// input at face value: a null selector selects nothing, an empty one
// everything; a null namespace selector means the Prometheus's own
// namespace.
func (g *Graph) Selects(p *Prometheus, m *Monitor) bool {
	return g.selectionOf(p, m).asWritten
}

// selectionOf decides whether a Prometheus picks up a monitor.
func (g *Graph) selectionOf(p *Prometheus, m *Monitor) monitorSelection {
	if _, _, ok := m.Source.selectorFields(p.Scraper.Family); !ok {
		return monitorSelection{verdict: unrelated}
	}
	s := monitorSelection{}
	s.sel, s.nsSel, s.field, s.nsField = p.selection(m.Source)
	s.decide(g, p, m)
	if s.verdict == notSelected && g.incompleteNamespace(m.Namespace) {
		s.verdict = undecided // the labels or selectors that decide may be in what the build left out
	}
	return s
}

func (s *monitorSelection) decide(g *Graph, p *Prometheus, m *Monitor) {
	if s.sel == nil {
		s.verdict, s.why = notSelected, nullSelector
		return
	}
	if !s.sel.Matches(m.Labels) {
		s.verdict, s.why, s.at = notSelected, labelsDiffer, s.field
		return
	}
	if s.nsSel == nil {
		explicit := g.explicitNamespace(m.Resource) && g.explicitNamespace(p.Resource)
		switch {
		case m.Namespace == p.Namespace:
			s.verdict, s.asWritten, s.at = selected, true, s.field
		case !explicit:
			s.verdict = undecided
		default:
			s.verdict, s.why = notSelected, ownNamespaceOnly
		}
		return
	}
	// An empty selector matches every namespace: no labels to gather.
	matches := s.nsSel.IsEmpty() || s.nsSel.Matches(g.namespaceLabels(m.Namespace))
	s.asWritten = matches
	if s.nsSel.IsEmpty() || matches && g.explicitNamespace(m.Resource) {
		s.verdict, s.at = selected, s.field
		return
	}
	s.at = s.nsField
	if !g.explicitNamespace(m.Resource) {
		s.verdict = undecided
		return
	}
	if ns, ok := g.Namespaces[m.Namespace]; (!ok || ns.Resource < 0) && !onlyNameKey(s.nsSel) {
		s.verdict = undecided
		return
	}
	s.verdict, s.why = notSelected, namespaceDiffers
}

// pointer is the field of the Prometheus that decides.
func (s *monitorSelection) pointer() string {
	if s.at == "" {
		return "/spec"
	}
	return "/spec/" + s.at
}

// reason says why the Prometheus does not select the monitor.
func (s *monitorSelection) reason(g *Graph, p *Prometheus, m *Monitor) string {
	switch s.why {
	case nullSelector:
		return fmt.Sprintf("%s has no %s (null selects no %ss)", p.Display(), s.field, m.Kind)
	case labelsDiffer:
		return fmt.Sprintf("%s %s %s does not match the monitor's labels (%s)", p.Display(), s.field, s.sel.String(), renderLabels(m.Labels))
	case ownNamespaceOnly:
		return fmt.Sprintf("%s has no %s, so it only watches its own namespace %s, not %s", p.Display(), s.nsField, p.Namespace, m.Namespace)
	case namespaceDiffers:
		labels := g.namespaceLabels(m.Namespace)
		return fmt.Sprintf("%s %s %s does not match namespace %s (labels %s)", p.Display(), s.nsField, s.nsSel.String(), m.Namespace, renderLabels(labels))
	}
	return ""
}

// incompleteNamespace reports whether an incomplete build touches ns.
func (g *Graph) incompleteNamespace(ns string) bool { return g.incompleteNamespaces()[ns] }

// onlyNameKey reports whether a namespace selector tests nothing but the
// kubernetes.io/metadata.name label, which every namespace carries.
func onlyNameKey(s *LabelSelector) bool {
	for k := range s.MatchLabels {
		if k != "kubernetes.io/metadata.name" {
			return false
		}
	}
	for _, r := range s.MatchExpressions {
		if r.Key != "kubernetes.io/metadata.name" {
			return false
		}
	}
	return true
}
