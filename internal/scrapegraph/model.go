// Package scrapegraph draws the scrape paths meshlint resolves: each
// Prometheus, the monitors it selects, the Service port and container port
// a monitor endpoint reaches, and the PeerAuthentication that decides that
// port's mTLS mode, with each path's verdict from the lint's findings. The
// paths come from the mesh model (internal/graph) as a lint builds it; this
// package only copies them out and renders them as Mermaid or Graphviz DOT.
package scrapegraph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
)

// Ref names a Kubernetes object of the picture; the zero Ref is none.
type Ref struct {
	Kind      string
	Namespace string
	Name      string
}

// IsZero reports whether r names nothing.
func (r Ref) IsZero() bool { return r.Kind == "" }

// Verdict is what the lint says about a scrape path.
type Verdict int

const (
	Works  Verdict = iota // no finding on the path
	AtRisk                // warnings or notes only
	Broken                // an error: the scrape fails or is insecure
)

func (v Verdict) String() string {
	switch v {
	case Broken:
		return "broken"
	case AtRisk:
		return "at risk"
	}
	return "works"
}

// Path is one scrape: a Prometheus (none when no Prometheus in the input
// selects the monitor), a monitor endpoint, and the container port it
// reaches, through a Service port for a ServiceMonitor.
type Path struct {
	Environment string // "" for a run without environments
	Scraper     Ref
	Monitor     Ref
	Endpoint    int
	Service     Ref    // zero for a PodMonitor
	ServicePort string // "http-metrics (9090)"; "" when discovered with no Service port
	Workload    Ref
	Port        string // "metrics (9090)"
	// Policy is the PeerAuthentication that decides the port's mode; zero
	// when the mesh default decides or nothing enforces mTLS there.
	Policy      Ref
	PolicyLevel string // port, workload, namespace, mesh
	Mode        string // STRICT, PERMISSIVE, DISABLE, "no sidecar", "not captured", "unknown"
	Scheme      string // "http", "https", "https, Istio certs"
	Verdict     Verdict
	Rules       []string // the rules whose findings are on the path, sorted

	// Where the path is written, to find the findings on it.
	endpointPointer string
	servicePortPtr  string
	containerPtr    string
}

// Picture is the scrape paths of a lint run, in a fixed order.
type Picture struct {
	Paths []Path
}

// Observe copies the scrape paths of one mesh model into the picture; it
// is lint.Options.Observe. The facts say, per monitor endpoint and
// Prometheus, which targets the endpoint reaches and the mode each port
// demands; the graph names the objects on the way.
func (p *Picture) Observe(env string, g *graph.Graph, f *graph.Facts) {
	monitors := map[int]*graph.Monitor{}
	for _, m := range g.Monitors {
		monitors[m.Resource] = m
	}
	targets := map[string][]graph.Target{} // per monitor endpoint, as the facts resolved them
	for _, sf := range f.Scrapes {
		m := monitors[sf.Monitor]
		e := endpointOf(m, sf.Endpoint)
		if e == nil {
			continue
		}
		key := fmt.Sprintf("%d/%d", sf.Monitor, sf.Endpoint)
		ts, ok := targets[key]
		if !ok {
			ts = g.Targets(m, e)
			targets[key] = ts
		}
		if len(ts) != len(sf.Targets) {
			continue // not the targets the facts hold: nothing to pair them with
		}
		for i, tf := range sf.Targets {
			p.Paths = append(p.Paths, pathOf(env, g, m, e, sf, ts[i], tf))
		}
	}
}

func endpointOf(m *graph.Monitor, index int) *graph.Endpoint {
	if m == nil {
		return nil
	}
	for i := range m.Endpoints {
		if m.Endpoints[i].Index == index {
			return &m.Endpoints[i]
		}
	}
	return nil
}

func pathOf(env string, g *graph.Graph, m *graph.Monitor, e *graph.Endpoint, sf graph.ScrapeFact, t graph.Target, tf graph.TargetFact) Path {
	w := t.Workload
	p := Path{Environment: env, Monitor: Ref{m.Kind, m.Namespace, m.Name}, Endpoint: e.Index,
		Workload: Ref{w.Kind, w.Namespace, w.Name}, Port: fmt.Sprint(t.Port), Scheme: sf.Scheme,
		endpointPointer: e.Pointer}
	if sf.Prometheus != nil {
		pr := g.Resources[sf.Prometheus.Resource]
		p.Scraper = Ref{pr.Kind, pr.Namespace, pr.Name}
	}
	if sf.TLS.Istio {
		p.Scheme += ", Istio certs"
	}
	if t.ContainerPort != nil {
		if t.ContainerPort.Name != "" {
			p.Port = fmt.Sprintf("%s (%d)", t.ContainerPort.Name, t.Port)
		}
		if t.ContainerPort.Pointer != "" {
			p.containerPtr = t.ContainerPort.Pointer
		}
	}
	if t.Service != nil {
		p.Service = Ref{"Service", t.Service.Namespace, t.Service.Name}
		if sp := t.ServicePort; sp != nil {
			p.ServicePort = fmt.Sprint(sp.Port)
			if sp.Name != "" {
				p.ServicePort = fmt.Sprintf("%s (%d)", sp.Name, sp.Port)
			}
			p.servicePortPtr = sp.Pointer
		}
	}
	p.Mode = modeOf(tf)
	if tf.Mode != "" {
		// The facts name the mode; the deciding policy is the same
		// decision's, which the facts keep only as a location.
		d := g.EffectiveMode(w, t.Port)
		if d.Policy != nil {
			p.Policy = Ref{"PeerAuthentication", d.Policy.Namespace, d.Policy.Name}
			p.PolicyLevel = d.Level
		}
	}
	return p
}

// modeOf is the port's effective mode as the scrape meets it.
func modeOf(tf graph.TargetFact) string {
	switch {
	case tf.Mode != "":
		return tf.Mode
	case tf.Dataplane == string(graph.DataplaneUnknown):
		return "unknown"
	case tf.Dataplane == string(graph.DataplaneNone):
		return "no sidecar"
	case !tf.Captured:
		return "not captured"
	}
	return "unknown"
}

// Sort puts the paths in a fixed order, so the output never depends on the
// order files were read or environments linted in.
func (p *Picture) Sort() {
	sort.SliceStable(p.Paths, func(i, j int) bool { return p.Paths[i].key() < p.Paths[j].key() })
	// The same path through the same Prometheus twice (a monitor read from
	// two renderings) is drawn once.
	out := p.Paths[:0]
	for i, x := range p.Paths {
		if i > 0 && x.key() == p.Paths[i-1].key() {
			continue
		}
		out = append(out, x)
	}
	p.Paths = out
}

func (p Path) key() string {
	return strings.Join([]string{p.Environment, p.Scraper.key(), p.Monitor.key(), fmt.Sprintf("%06d", p.Endpoint),
		p.Service.key(), p.ServicePort, p.Workload.key(), p.Port}, "\x00")
}

func (r Ref) key() string { return r.Namespace + "\x01" + r.Kind + "\x01" + r.Name }
