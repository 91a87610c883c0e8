package graph

import (
	"hash/maphash"
	"sync"

	"github.com/meshlint/meshlint/internal/loader"
)

// A Builder builds a Graph from the input's documents, added one by one in
// the input's order. A document may be read ahead, as soon as the loader
// has it (Read, loader.Options.Read): its object is then released at once,
// so that the objects of a large repository are never all alive together;
// only the model's few fields per resource stay until the document is
// added.
type Builder struct {
	g *Graph
	// ahead are the documents read, not yet added, in shards so that the
	// loader's workers seldom wait for each other.
	ahead [aheadShards]aheadShard
	seed  maphash.Seed
}

type aheadShard struct {
	sync.Mutex
	m map[*loader.Document]*reading
}

const aheadShards = 16

// NewBuilder starts a graph under these settings.
func NewBuilder(s Settings) *Builder {
	b := &Builder{g: newGraph(s), seed: maphash.MakeSeed()}
	b.g.labelSets, b.g.annotationSets = newLabelSets(), newLabelSets()
	for i := range b.ahead {
		b.ahead[i].m = map[*loader.Document]*reading{}
	}
	return b
}

// shard is the shard of ahead that holds d.
func (b *Builder) shard(d *loader.Document) *aheadShard {
	return &b.ahead[maphash.Comparable(b.seed, d)%aheadShards]
}

// Build resolves the documents into a Graph. Objects whose fields a rule
// needs but cannot read become Problems and are left out of the graph, so
// they cannot cause findings built on a guess.
func Build(docs []*loader.Document, s Settings) *Graph {
	b := NewBuilder(s)
	for _, d := range docs {
		b.Add(d)
	}
	return b.Graph()
}

// Read reads d into the model now, while its object and text are at hand,
// and releases the object; Add places what was read. It is safe for
// concurrent use, as the loader's workers call it.
func (b *Builder) Read(d *loader.Document) {
	rd := read(d, b.g)
	if annotationJobKinds[d.Kind] {
		hinted := *rd
		hinted.annotationJob = hintOf(mentionsAnnotationJob(d.Text(), d.Kind == "Secret"))
		rd = &hinted
	}
	if rd == &nothing {
		return // nothing to keep: Add reads it again, without its text
	}
	sh := b.shard(d)
	sh.Lock()
	sh.m[d] = rd
	sh.Unlock()
	d.ReleaseObject()
}

// Add adds d as the input's next resource: what Read took from it, or what
// it reads now.
func (b *Builder) Add(d *loader.Document) {
	g := b.g
	r := newResource(len(g.Resources), d, g.Settings)
	g.Resources = append(g.Resources, r)
	sh := b.shard(d)
	sh.Lock()
	rd, ok := sh.m[d]
	delete(sh.m, d)
	sh.Unlock()
	if !ok && d.ObjectReleased() {
		// Read by another builder (or added twice): this graph would see
		// a resource without its fields.
		g.Problems = append(g.Problems, Problem{Resource: r.ID, Internal: true,
			Message: "internal error: the object was released before this graph read it (please report it)"})
		return
	}
	if !ok {
		rd = read(d, g)
	}
	g.place(rd, r)
}

// A reading is what the graph takes from one document: what add puts in a
// graph for it, with resource ids of 0 until Add places it under the
// document's place in the input. It holds only that, not a whole Graph.
type reading struct {
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
	// the prometheus.io/scrape annotation (annotationScrapeJobs), when Read
	// found out while the text was at hand.
	annotationJob hint
}

// nothing is the reading of a document the graph takes nothing from (not
// decoded, and no evidence of Istio): most documents of a large repository.
// It is shared, and never changed.
var nothing reading

// read reads one document into the model, as resource 0 of a graph of its
// own, under g's settings and sharing g's label maps.
func read(d *loader.Document, g *Graph) *reading {
	s := g.Settings
	if d.Object == nil && !isIstioGroup(d.APIVersion) {
		return &nothing // what addUndecoded would find
	}
	mini := &Graph{Settings: s, labelSets: g.labelSets, annotationSets: g.annotationSets}
	r := newResource(0, d, s)
	rd := &reading{}
	if d.Object == nil {
		mini.addUndecoded(r)
	} else {
		rd.err, rd.internal = mini.safeAdd(r)
	}
	rd.workloads, rd.services, rd.endpoints, rd.peerAuths = mini.Workloads, mini.Services, mini.Endpoints, mini.PeerAuths
	rd.monitors, rd.prometheus, rd.legacy, rd.problems = mini.Monitors, mini.Prometheus, mini.LegacyPolicies, mini.Problems
	for _, n := range mini.Namespaces {
		rd.namespaces = append(rd.namespaces, n)
	}
	return rd
}

// place adds what was read of a document to the graph as resource r.
func (g *Graph) place(rd *reading, r *Resource) {
	r.annotationJob = rd.annotationJob
	for _, n := range rd.namespaces {
		ns := g.namespace(n.Name)
		if n.IstioEvidence >= 0 && ns.IstioEvidence < 0 {
			ns.IstioEvidence = r.ID
		}
		if n.Resource >= 0 {
			ns.Resource, ns.Labels = r.ID, n.Labels
		}
	}
	placeAll(&g.Workloads, rd.workloads, func(w *Workload) { w.Resource = r.ID })
	placeAll(&g.Services, rd.services, func(s *Service) { s.Resource = r.ID })
	placeAll(&g.Endpoints, rd.endpoints, func(ep *EndpointRefs) { ep.Resource = r.ID })
	placeAll(&g.PeerAuths, rd.peerAuths, func(pa *PeerAuthentication) { pa.Resource = r.ID })
	placeAll(&g.Monitors, rd.monitors, func(m *Monitor) { m.Resource = r.ID })
	placeAll(&g.Prometheus, rd.prometheus, func(pr *Prometheus) { pr.Resource, pr.Pod.Resource = r.ID, r.ID })
	placeAll(&g.LegacyPolicies, rd.legacy, func(lp *LegacyPolicy) { lp.Resource = r.ID })
	for _, pr := range rd.problems {
		pr.Resource = r.ID
		g.Problems = append(g.Problems, pr)
	}
	if rd.err != nil {
		g.Problems = append(g.Problems, Problem{Resource: r.ID, Pointer: rd.err.Pointer, Message: rd.err.Message, Internal: rd.internal})
	}
}

// placeAll appends a reading's entities to one of the graph's lists, each
// given its resource id by set.
func placeAll[T any](list *[]*T, from []*T, set func(*T)) {
	for _, x := range from {
		set(x)
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
