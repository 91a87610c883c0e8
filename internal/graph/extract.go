package graph

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/loader"
)

// A part is what the graph reads from one document, taken while the loader
// reads it: what add would put in the graph for it, with resource ids of 0
// until Build adopts it under the document's place in the input. It holds
// only that, not a whole Graph: there is one per manifest.
type part struct {
	settings   *Settings
	namespaces []*Namespace
	workloads  []*Workload
	services   []*Service
	endpoints  []*EndpointRefs
	peerAuths  []*PeerAuthentication
	monitors   []*Monitor
	prometheus []*Prometheus
	legacy     []*LegacyPolicy
	problems   []Problem
	err        *fieldError // what add reported
	internal   bool        // err is a recovered panic
	// annotationJob says whether the text may hold a scrape job driven by
	// the prometheus.io/scrape annotation (annotationScrapeJobs), read
	// while the text is at hand.
	annotationJob hint
}

// adopted replaces a part once Build has taken it, so that the graph's
// entities are not kept alive by the documents after the graph is dropped.
var adopted = &part{}

// Extractor returns the loader's Extract hook for these settings (Build
// must be given the same). It reads each decoded document into the graph's
// model on the loader's workers and releases the decoded object, so that the
// objects of a large repository are never all alive at once; only the
// model's few fields per resource stay.
func Extractor(s Settings) func(*loader.Document) {
	settings := &s
	return func(d *loader.Document) {
		mini := &Graph{Settings: s}
		r := newResource(0, d, s)
		var err *fieldError
		var internal bool
		if d.Object == nil {
			mini.addUndecoded(r)
		} else {
			err, internal = mini.safeAdd(r)
		}
		p := &part{settings: settings, workloads: mini.Workloads, services: mini.Services, endpoints: mini.Endpoints, peerAuths: mini.PeerAuths,
			monitors: mini.Monitors, prometheus: mini.Prometheus, legacy: mini.LegacyPolicies, problems: mini.Problems,
			err: err, internal: internal}
		if annotationJobKinds[d.Kind] {
			p.annotationJob = hintOf(mentionsAnnotationJob(d.Text(), d.Kind == "Secret"))
		}
		for _, n := range mini.Namespaces {
			p.namespaces = append(p.namespaces, n)
		}
		d.Extracted = p
		d.ReleaseObject()
	}
}

// adopt adds an extracted part to the graph as resource r, as add would
// have: the same entries, in the same order, under r's id.
func (g *Graph) adopt(p *part, r *Resource) {
	switch {
	case p == adopted:
		panic(fmt.Sprintf("%s was already built into a graph; extract the documents again for another", r.Doc.File))
	case *p.settings != g.Settings:
		panic(fmt.Sprintf("%s was extracted with other settings than the graph is built with", r.Doc.File))
	}
	r.Doc.Extracted = adopted
	r.annotationJob = p.annotationJob
	for _, n := range p.namespaces {
		ns := g.namespace(n.Name)
		if n.IstioEvidence >= 0 && ns.IstioEvidence < 0 {
			ns.IstioEvidence = r.ID
		}
		if n.Resource >= 0 {
			ns.Resource, ns.Labels = r.ID, n.Labels
		}
	}
	adoptAll(&g.Workloads, p.workloads, func(w *Workload) { w.Resource = r.ID })
	adoptAll(&g.Services, p.services, func(s *Service) { s.Resource = r.ID })
	adoptAll(&g.Endpoints, p.endpoints, func(ep *EndpointRefs) { ep.Resource = r.ID })
	adoptAll(&g.PeerAuths, p.peerAuths, func(pa *PeerAuthentication) { pa.Resource = r.ID })
	adoptAll(&g.Monitors, p.monitors, func(m *Monitor) { m.Resource = r.ID })
	adoptAll(&g.Prometheus, p.prometheus, func(pr *Prometheus) { pr.Resource, pr.Pod.Resource = r.ID, r.ID })
	adoptAll(&g.LegacyPolicies, p.legacy, func(lp *LegacyPolicy) { lp.Resource = r.ID })
	for _, pr := range p.problems {
		pr.Resource = r.ID
		g.Problems = append(g.Problems, pr)
	}
	if p.err != nil {
		g.Problems = append(g.Problems, Problem{Resource: r.ID, Pointer: p.err.Pointer, Message: p.err.Message, Internal: p.internal})
	}
}

// adoptAll appends a part's entities to one of the graph's lists, each
// given its resource id by adopt.
func adoptAll[T any](list *[]*T, from []*T, adopt func(*T)) {
	for _, x := range from {
		adopt(x)
		*list = append(*list, x)
	}
}

// hint is a yes or no found out early, or unknown.
type hint int8

const (
	hintUnknown hint = iota
	hintYes
	hintNo
)

func hintOf(b bool) hint {
	if b {
		return hintYes
	}
	return hintNo
}
