package graph

import (
	"fmt"
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
		if rd == &nothing { // shared: never changed
			rd = &reading{}
		}
		rd.annotationJob = hintOf(mentionsAnnotationJob(d.Text(), d.Kind == "Secret"))
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
// document's place in the input. It holds only that, not a whole Graph:
// the documents read ahead keep their readings until the loader is done
// (54,000 at 10,000 apps), and most readings hold one object.
type reading struct {
	// parts are the objects read, each a *Namespace, *Workload, *Service,
	// *EndpointRefs, *PeerAuthentication, *Monitor, *Prometheus or
	// *LegacyPolicy, in the order add put them in the graph's lists.
	parts    []any
	problems []Problem
	err      *fieldError // what add reported
	internal bool        // err is a recovered panic
	// annotationJob says whether the text may hold a scrape job driven by
	// the prometheus.io/scrape annotation (annotationScrapeJobs), when Read
	// found out while the text was at hand.
	annotationJob hint
}

// nothing is the reading of a document the graph takes nothing from (not
// decoded, and no evidence of Istio): most documents of a large repository.
// It is shared, and never changed.
var nothing reading

// miniGraphs are the graphs read reads one document into, with the
// resource it reads, used again: a Graph is half a kilobyte, and one for
// every document was a tenth of what loading allocated.
var miniGraphs = sync.Pool{New: func() any { return &miniGraph{} }}

type miniGraph struct {
	g Graph
	r Resource
}

// read reads one document into the model, as resource 0 of a graph of its
// own, under g's settings and sharing g's label maps.
func read(d *loader.Document, g *Graph) *reading {
	s := g.Settings
	if d.Object == nil && !isIstioGroup(d.APIVersion) {
		return &nothing // what addUndecoded would find
	}
	m := miniGraphs.Get().(*miniGraph)
	defer func() {
		m.g.empty()
		m.r = Resource{}
		miniGraphs.Put(m)
	}()
	mini, r := &m.g, &m.r
	mini.Settings, mini.labelSets, mini.annotationSets = s, g.labelSets, g.annotationSets
	*r = *newResource(0, d, s) // newResource is inlined and its Resource copied: nothing allocated
	rd := &reading{}
	if d.Object == nil {
		mini.addUndecoded(r)
	} else {
		rd.err, rd.internal = mini.safeAdd(r)
	}
	rd.parts = make([]any, 0, len(mini.Namespaces)+len(mini.Workloads)+len(mini.Services)+len(mini.Endpoints)+
		len(mini.PeerAuths)+len(mini.Monitors)+len(mini.Prometheus)+len(mini.LegacyPolicies))
	for _, n := range mini.Namespaces {
		rd.parts = append(rd.parts, n)
	}
	rd.parts = appendParts(rd.parts, mini.Workloads)
	rd.parts = appendParts(rd.parts, mini.Services)
	rd.parts = appendParts(rd.parts, mini.Endpoints)
	rd.parts = appendParts(rd.parts, mini.PeerAuths)
	rd.parts = appendParts(rd.parts, mini.Monitors)
	rd.parts = appendParts(rd.parts, mini.Prometheus)
	rd.parts = appendParts(rd.parts, mini.LegacyPolicies)
	if len(mini.Problems) > 0 {
		rd.problems = append([]Problem(nil), mini.Problems...)
	}
	return rd
}

func appendParts[T any](parts []any, from []*T) []any {
	for _, x := range from {
		parts = append(parts, x)
	}
	return parts
}

// empty makes a graph read has used a new one again, its lists' memory
// kept for the next document.
func (g *Graph) empty() {
	clear(g.Namespaces)
	next := Graph{Namespaces: g.Namespaces, Workloads: clearList(g.Workloads), Services: clearList(g.Services),
		Endpoints: clearList(g.Endpoints), PeerAuths: clearList(g.PeerAuths), Monitors: clearList(g.Monitors),
		Prometheus: clearList(g.Prometheus), LegacyPolicies: clearList(g.LegacyPolicies), Problems: clearList(g.Problems)}
	*g = next
}

// clearList is list emptied, its memory kept and holding nothing.
func clearList[T any](list []T) []T {
	clear(list)
	return list[:0]
}

// place adds what was read of a document to the graph as resource r.
func (g *Graph) place(rd *reading, r *Resource) {
	r.annotationJob = rd.annotationJob
	for _, part := range rd.parts {
		switch x := part.(type) {
		case *Namespace:
			ns := g.namespace(x.Name)
			if x.IstioEvidence >= 0 && ns.IstioEvidence < 0 {
				ns.IstioEvidence = r.ID
			}
			if x.Resource >= 0 {
				ns.Resource, ns.Labels = r.ID, x.Labels
			}
		case *Workload:
			x.Resource = r.ID
			g.Workloads = append(g.Workloads, x)
		case *Service:
			x.Resource = r.ID
			g.Services = append(g.Services, x)
		case *EndpointRefs:
			x.Resource = r.ID
			g.Endpoints = append(g.Endpoints, x)
		case *PeerAuthentication:
			x.Resource = r.ID
			g.PeerAuths = append(g.PeerAuths, x)
		case *Monitor:
			x.Resource = r.ID
			g.Monitors = append(g.Monitors, x)
		case *Prometheus:
			x.Resource, x.Pod.Resource = r.ID, r.ID
			g.Prometheus = append(g.Prometheus, x)
		case *LegacyPolicy:
			x.Resource = r.ID
			g.LegacyPolicies = append(g.LegacyPolicies, x)
		default:
			// A kind read learned to make and place did not: it would
			// vanish from the graph without a word.
			panic(fmt.Sprintf("graph: a reading holds a part of type %T that place does not know", part))
		}
	}
	for _, pr := range rd.problems {
		pr.Resource = r.ID
		g.Problems = append(g.Problems, pr)
	}
	if rd.err != nil {
		g.Problems = append(g.Problems, Problem{Resource: r.ID, Pointer: rd.err.Pointer, Message: rd.err.Message, Internal: rd.internal})
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
