package graph

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// AmbientAnnotationScrapeFact is an ambient workload that asks to be scraped
// through the prometheus.io/scrape annotation, on a port that is STRICT,
// by an annotation-driven job whose Prometheus is not enrolled in ambient.
// ztunnel enforces STRICT with a DENY policy on connections that carry no
// mesh identity (istio pilot/pkg/serviceregistry/ambient/authorization.go,
// the static strict policy), and only HBONE carries one. No agent merges
// metrics in ambient, so the job reaches the app port itself.
type AmbientAnnotationScrapeFact struct {
	Resource        int              `json:"resource"`
	Workload        string           `json:"workload"` // "Deployment shop/cart"
	Why             string           `json:"why"`      // why the workload is ambient
	ScrapePointer   string           `json:"scrapePointer"`
	AnnotationsText string           `json:"annotationsText"`
	StrictPorts     []StrictPortFact `json:"strictPorts"`
	// Jobs are the annotation-driven jobs that reach the workload from
	// outside ambient, each with why its scraper is outside.
	Jobs        []AmbientJobFact `json:"jobs"`
	Assumptions []string         `json:"assumptions"`
}

// AmbientJobFact is one annotation-driven job and why its scraper sends no
// HBONE.
type AmbientJobFact struct {
	Loc     Loc    `json:"loc"`
	Name    string `json:"name"`    // "ConfigMap monitoring/prometheus"
	Outside string `json:"outside"` // "Prometheus monitoring/k8s gets a sidecar (...)"
	Decider *Loc   `json:"decider"` // the field that decides the scraper's data plane
}

// AmbientAnnotationScrapes lists the ambient workloads whose STRICT ports an
// annotation-driven job scrapes from outside ambient.
func (g *Graph) AmbientAnnotationScrapes() []AmbientAnnotationScrapeFact {
	out := []AmbientAnnotationScrapeFact{}
	var candidates []*Workload
	for _, w := range g.Workloads {
		if w.Injection.Dataplane != DataplaneAmbient {
			continue
		}
		if on, err := strconv.ParseBool(w.Annotations[annotationPromScrape]); err == nil && on {
			candidates = append(candidates, w)
		}
	}
	if len(candidates) == 0 {
		return out // the job search reads documents; skip it when nothing asks
	}
	jobs := g.annotationScrapeJobs()
	for _, w := range candidates {
		f := AmbientAnnotationScrapeFact{Resource: w.Resource, Workload: w.Display(), Why: w.Injection.Reason,
			ScrapePointer: w.Meta + "/annotations/" + escape(annotationPromScrape), StrictPorts: []StrictPortFact{},
			Jobs: []AmbientJobFact{}, Assumptions: []string{}}
		f.AnnotationsText = annotationsText(w)
		for _, j := range jobs {
			if j.monitor != nil && !(j.monitor.watches(w.Namespace) && monitorSelectorMatch(j.monitor.Selector, w.Labels) == exactMatch) {
				continue
			}
			f.Jobs = append(f.Jobs, g.jobsOutsideAmbient(j)...)
		}
		if len(f.Jobs) == 0 {
			continue
		}
		if w.Injection.Assumed != "" {
			f.Assumptions = append(f.Assumptions, w.Injection.Assumed)
		}
		for _, p := range annotationScrapePorts(w) {
			if sp, assumed, ok := g.strictPort(w, p); ok {
				f.StrictPorts = append(f.StrictPorts, sp)
				if assumed != "" {
					f.Assumptions = append(f.Assumptions, assumed)
				}
			}
		}
		if len(f.StrictPorts) > 0 {
			f.Assumptions = uniqueSorted(f.Assumptions)
			out = append(out, f)
		}
	}
	return out
}

// annotationScrapePorts are the ports an annotation-driven job scrapes on a
// pod: prometheus.io/port, or every declared port when it is absent (the
// usual kubernetes-pods job keeps one target per declared port and rewrites
// the address only when the annotation is set).
func annotationScrapePorts(w *Workload) []int {
	if raw, ok := w.Annotations[annotationPromPort]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(raw)); err == nil && n > 0 {
			return []int{n}
		}
		return nil
	}
	var ports []int
	seen := map[int]bool{}
	for _, cp := range w.Ports {
		if !seen[cp.Port] {
			seen[cp.Port] = true
			ports = append(ports, cp.Port)
		}
	}
	sort.Ints(ports)
	return ports
}

func annotationsText(w *Workload) string {
	var shown []string
	for _, key := range []string{annotationPromScrape, annotationPromPort, annotationPromPath} {
		if v, ok := w.Annotations[key]; ok {
			shown = append(shown, fmt.Sprintf("%s: %q", key, v))
		}
	}
	return strings.Join(shown, ", ")
}

// jobsOutsideAmbient says why a job's scraper sends no HBONE, once per
// scraper known to be outside ambient. A job carried by a monitor runs in
// the Prometheus instances that select it. A raw scrape config runs in a pod
// of its own namespace (a ConfigMap or Secret is mounted there); it is
// reported only when the input holds workloads of that namespace and none
// is enrolled in ambient, since the scraper could otherwise be one of them.
func (g *Graph) jobsOutsideAmbient(j annotationJob) []AmbientJobFact {
	var out []AmbientJobFact
	if j.monitor != nil {
		for _, p := range g.Prometheus {
			if p.Pod == nil || !g.Selects(p, j.monitor) {
				continue
			}
			if why := outsideAmbient(p.Pod); why != "" {
				out = append(out, AmbientJobFact{Loc: j.loc, Name: j.name, Outside: p.Display() + " " + why, Decider: deciderLoc(p.Pod)})
			}
		}
		return out
	}
	ns := g.Resources[j.loc.Resource].Namespace
	ws := g.workloadsByNS[ns]
	if len(ws) == 0 {
		return nil
	}
	for _, w := range ws {
		if w.Injection.Dataplane == DataplaneAmbient || w.Injection.Dataplane == DataplaneUnknown {
			return nil
		}
	}
	return []AmbientJobFact{{Loc: j.loc, Name: j.name,
		Outside: fmt.Sprintf("it runs in namespace %s, where no workload in the input is enrolled in ambient", ns)}}
}

// outsideAmbient says why a scraper pod sends no HBONE; "" when it is
// enrolled in ambient or its data plane is unknown.
func outsideAmbient(w *Workload) string {
	switch w.Injection.Dataplane {
	case DataplaneSidecar:
		return fmt.Sprintf("gets a sidecar (%s), and a sidecar dialing a pod IP sends no HBONE", w.Injection.Reason)
	case DataplaneNone:
		return fmt.Sprintf("is outside the mesh (%s)", w.Injection.Reason)
	}
	return ""
}

func deciderLoc(w *Workload) *Loc {
	if w.Injection.Decider == nil {
		return nil
	}
	return &Loc{Resource: w.Injection.Decider.Resource, Pointer: w.Injection.Decider.Pointer, Message: "decides the Prometheus data plane"}
}
