package graph

// This file holds the one index of which monitor endpoints reach which
// container port of which workload. Facts builds it while it resolves the
// scrapes; the PeerAuthentication facts (is an exempted port a metrics
// port, who scrapes a port entry) and the merge facts (who scrapes the
// merged app port directly) read it. It is keyed by the workload itself,
// not by its display name: two objects of one name (an app rendered by two
// overlays) are two workloads.

// scrapedPort is one container port of one workload.
type scrapedPort struct {
	workload *Workload
	port     int
}

// scrapeHit is one monitor endpoint that reaches a port.
type scrapeHit struct {
	monitor string // "ServiceMonitor shop/cart"
	https   bool
	// relabeled: relabelings decide the endpoint's targets, so it counts as
	// reaching every declared port of the workloads its selector reaches;
	// monitor then ends in " (through relabelings)" and there is no scrape
	// fact.
	relabeled bool
	// scrape is the index in Facts.Scrapes of the endpoint's first scrape
	// fact (one per selecting Prometheus, all with the same targets), target
	// the index of the port in its Targets.
	scrape, target int
}

// scrapedPorts indexes the scrape hits by port.
type scrapedPorts map[scrapedPort][]scrapeHit

// addTargets records the targets of one monitor endpoint, whose first
// scrape fact is Facts.Scrapes[scrape].
func (sp scrapedPorts) addTargets(m *Monitor, e *Endpoint, targets []Target, scrape int) {
	name := m.Display()
	for j, t := range targets {
		k := scrapedPort{t.Workload, t.Port}
		sp[k] = append(sp[k], scrapeHit{monitor: name, https: e.Scheme == "https", scrape: scrape, target: j})
	}
}

// addRelabeled records the endpoints whose targets relabelings decide, as
// reaching every declared port of the workloads the monitor's selector
// reaches.
func (sp scrapedPorts) addRelabeled(g *Graph) {
	for _, m := range g.Monitors {
		for i := range m.Endpoints {
			if !m.Endpoints[i].Relabeled {
				continue
			}
			for _, w := range g.mayBeSelectedBy(m) {
				for _, cp := range w.Ports {
					k := scrapedPort{w, cp.Port}
					sp[k] = append(sp[k], scrapeHit{monitor: m.Display() + " (through relabelings)", relabeled: true, scrape: -1, target: -1})
				}
			}
		}
	}
}

// scrapers names every monitor that reaches a port, whatever the scheme,
// relabeled ones included (with repeats; callers sort them once).
func (sp scrapedPorts) scrapers(w *Workload, port int) []string {
	var out []string
	for _, h := range sp[scrapedPort{w, port}] {
		out = append(out, h.monitor)
	}
	return out
}

// plaintextScrapers names the monitors whose resolved targets include a
// port and that scrape it without https. A PERMISSIVE exception exists to
// let plaintext scrapes through; an https scrape with the app's own TLS is
// no sign that the port is exempted for metrics.
func (sp scrapedPorts) plaintextScrapers(w *Workload, port int) []string {
	var out []string
	for _, h := range sp[scrapedPort{w, port}] {
		if !h.relabeled && !h.https {
			out = append(out, h.monitor)
		}
	}
	return out
}

// resolved lists the hits on a port with resolved targets, each endpoint
// once, in the order of the scrape facts.
func (sp scrapedPorts) resolved(w *Workload, port int) []scrapeHit {
	var out []scrapeHit
	for _, h := range sp[scrapedPort{w, port}] {
		if !h.relabeled {
			out = append(out, h)
		}
	}
	return out
}
