package graph

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// This file computes the facts of the metrics merging rules
// (docs/model.md#metrics-merging): which sidecar workloads Istio merges, what their
// prometheus.io annotations point at, and who else scrapes that port.

const (
	annotationMergeMetrics = "prometheus.istio.io/merge-metrics"
	annotationPromScrape   = "prometheus.io/scrape"
	annotationPromPort     = "prometheus.io/port"
	annotationPromPath     = "prometheus.io/path"
	mergedMetricsPath      = "/stats/prometheus"
)

// MergeFact is a sidecar workload as metrics merging sees it.
type MergeFact struct {
	Resource int    `json:"resource"`
	Workload string `json:"workload"` // "Deployment shop/cart"
	// Merged: the injector rewrites this pod's prometheus.io annotations to
	// the agent's merged endpoint (sidecar, not injected yet, merging on,
	// prometheus.io/scrape not "false").
	Merged   bool   `json:"merged"`
	MergeWhy string `json:"mergeWhy"` // why merging is on, or why it is off
	// MergeOff is set when merging is turned off: "annotation" or "mesh".
	MergeOff        string `json:"mergeOff"`
	MergePointer    string `json:"mergePointer"` // the merge-metrics annotation, or the pod metadata
	Scrape          string `json:"scrape"`       // prometheus.io/scrape as written; "" when absent
	ScrapePointer   string `json:"scrapePointer"`
	Port            int    `json:"port"` // prometheus.io/port; 0 when absent or not a number
	PortPointer     string `json:"portPointer"`
	Path            string `json:"path"` // prometheus.io/path; "" when absent
	StatusPort      int    `json:"statusPort"`
	AnnotationsText string `json:"annotationsText"` // `prometheus.io/port: "8080"`, for messages
	// AppPort is where the agent fetches the app's metrics when merged:
	// prometheus.io/port, or 80 when only other prometheus.io annotations
	// are set; 0 when the pod has none (nothing of the app is merged).
	AppPort int `json:"appPort"`
	// Reserved says why Port is an Istio port the app cannot serve on; "".
	Reserved string `json:"reserved"`
	// Monitors are the monitor endpoints that scrape AppPort directly.
	Monitors []MergeScrapeFact `json:"monitors"`
	// AnnotationJobs are scrape jobs in the input driven by the
	// prometheus.io/scrape pod annotation that may scrape this pod; with
	// merging on, they scrape the merged endpoint.
	AnnotationJobs     []Loc    `json:"annotationJobs"`
	AnnotationJobNames []string `json:"annotationJobNames"` // "PodMonitor monitoring/istio-envoy"
	// StrictPorts are the ports an annotation-driven job scrapes on this pod
	// (prometheus.io/port, or every declared port) that the sidecar captures
	// and that are STRICT.
	StrictPorts []StrictPortFact `json:"strictPorts"`
	Assumptions []string         `json:"assumptions"`
}

// MergeScrapeFact is one monitor endpoint scraping a merged workload's app
// metrics port.
type MergeScrapeFact struct {
	Monitor  string `json:"monitor"` // "ServiceMonitor shop/cart endpoint 0"
	Loc      Loc    `json:"loc"`     // the endpoint's scheme, or the endpoint
	Scheme   string `json:"scheme"`
	IstioTLS bool   `json:"istioTLS"` // https with Istio's exported certs: the sidecar's TLS
	Captured bool   `json:"captured"` // the sidecar intercepts the port
	// AppTLS: the app itself serves TLS there: https without Istio certs, or
	// https to a port the sidecar does not intercept.
	AppTLS bool `json:"appTLS"`
	// Down: the port is STRICT behind the sidecar and the scrape presents
	// no Istio client certificate, so the sidecar refuses it and the
	// monitor collects nothing there (istio pilot/pkg/security/authn/utils
	// BuildInboundTLS sets RequireClientCertificate).
	Down bool `json:"down"`
}

// StrictPortFact is a STRICT port an annotation-driven job scrapes.
type StrictPortFact struct {
	Port        int    `json:"port"`
	ModeExplain string `json:"modeExplain"`
	Source      *Loc   `json:"source"`
}

// istioReservedPorts are the ports of the sidecar and agent that an app
// cannot serve metrics on (istio pilot-agent status IstioReservedPortReason).
var istioReservedPorts = map[int]string{
	15000: "Envoy's admin port",
	15001: "Envoy's outbound capture port",
	15004: "the agent's debug port",
	15006: "Envoy's inbound capture port",
	15008: "the HBONE tunnel port",
	15020: "the agent's status and merged metrics port",
	15021: "the health check port",
	15053: "the agent's DNS proxy port",
	15090: "Envoy's Prometheus telemetry port",
}

// mergeFacts computes the merging facts of every sidecar workload, given
// the scrapes Facts resolved and who scrapes which port.
func (g *Graph) mergeFacts(scrapes []ScrapeFact, scraped scrapedPorts) []MergeFact {
	sidecars := 0
	for _, w := range g.Workloads {
		if w.Injection.Dataplane == DataplaneSidecar {
			sidecars++
		}
	}
	out := make([]MergeFact, 0, sidecars) // grown by appending, twice that allocated
	jobs := g.annotationScrapeJobs()
	for _, w := range g.Workloads {
		if w.Injection.Dataplane != DataplaneSidecar {
			continue // merging happens in the sidecar's agent only
		}
		mf := g.mergeFact(w, jobs)
		if mf.AppPort != 0 {
			for _, h := range scraped.resolved(w, mf.AppPort) {
				s := &scrapes[h.scrape]
				t := &s.Targets[h.target]
				mf.Monitors = append(mf.Monitors, MergeScrapeFact{
					Monitor: fmt.Sprintf("%s endpoint %d", s.Name, s.Endpoint), Scheme: s.Scheme,
					Loc:      Loc{Resource: s.Monitor, Pointer: s.SchemePointer, Message: "scrapes port " + strconv.Itoa(mf.AppPort) + " directly"},
					IstioTLS: s.Scheme == "https" && s.TLS.Istio, Captured: t.Captured,
					AppTLS: s.Scheme == "https" && (!s.TLS.Istio || !t.Captured),
					Down:   t.Requirement == "mtls" && (s.Scheme != "https" || s.TLS.ClientCert != "istio")})
			}
		}
		out = append(out, mf)
	}
	return out
}

func (g *Graph) mergeFact(w *Workload, jobs []annotationJob) MergeFact {
	annPtr := func(key string) string { return w.Meta + "/annotations/" + escape(key) }
	mf := MergeFact{Resource: w.Resource, Workload: w.Display(), StatusPort: 15020, Monitors: []MergeScrapeFact{},
		AnnotationJobs: []Loc{}, AnnotationJobNames: []string{}, StrictPorts: []StrictPortFact{}, Assumptions: []string{}, MergePointer: w.Meta}
	// Most pods have no such annotation: Atoi of "" would build an error.
	if s := strings.TrimSpace(w.Annotations["status.sidecar.istio.io/port"]); s != "" {
		if v, err := strconv.Atoi(s); err == nil {
			mf.StatusPort = v
		}
	}
	if w.Injection.Assumed != "" {
		mf.Assumptions = append(mf.Assumptions, w.Injection.Assumed)
	}
	var shown []string
	for _, key := range []string{annotationPromScrape, annotationPromPort, annotationPromPath} {
		if v, ok := w.Annotations[key]; ok {
			shown = append(shown, fmt.Sprintf("%s: %q", key, v))
		}
	}
	mf.AnnotationsText = strings.Join(shown, ", ")
	scrape, hasScrape := w.Annotations[annotationPromScrape]
	if hasScrape {
		mf.Scrape, mf.ScrapePointer = scrape, annPtr(annotationPromScrape)
	}
	portRaw, hasPort := w.Annotations[annotationPromPort]
	if hasPort {
		mf.PortPointer = annPtr(annotationPromPort)
		mf.Port, _ = strconv.Atoi(strings.TrimSpace(portRaw))
	}
	path, hasPath := w.Annotations[annotationPromPath]
	mf.Path = path
	switch {
	case hasPort:
		mf.AppPort = mf.Port
	case hasScrape || hasPath:
		mf.AppPort = 80 // the agent's default
	}

	enabled := g.mergeEnabled(w, &mf)
	scrapeOff := false
	if b, err := strconv.ParseBool(scrape); hasScrape && err == nil && !b {
		scrapeOff = true
	}
	mf.Merged = enabled && !scrapeOff && !w.HasProxy
	if mf.Merged && hasPort {
		switch {
		case mf.Port == mf.StatusPort && path != mergedMetricsPath:
			mf.Reserved = fmt.Sprintf("%d is the agent's own port: the injector takes it to mean the pod is merged already and leaves the annotations alone, so the app's metrics are never merged and Prometheus scrapes :%d%s, which is not the merged endpoint (%s)",
				mf.Port, mf.Port, pathOrDefault(path), mergedMetricsPath)
		case mf.Port == mf.StatusPort:
			// Pointing the annotations at the merged endpoint itself is how
			// gateways and re-injected pods look; nothing is wrong.
		case istioReservedPorts[mf.Port] != "":
			mf.Reserved = fmt.Sprintf("%d is %s: the agent would fetch the app's metrics from http://localhost:%d%s, which is Istio's port, not the app's (Istio 1.31 rejects it: \"reserved for Istio\")",
				mf.Port, istioReservedPorts[mf.Port], mf.Port, pathOrDefault(path))
		}
	}

	// An annotation-driven job scrapes prometheus.io/port, or every declared
	// port when it is absent.
	for _, j := range jobs {
		if j.monitor == nil || (j.monitor.watches(w.Namespace) && monitorSelectorMatch(j.monitor.Selector, w.Labels) == exactMatch) {
			mf.AnnotationJobs = append(mf.AnnotationJobs, j.loc)
			mf.AnnotationJobNames = append(mf.AnnotationJobNames, j.name)
		}
	}
	// The same object rendered twice is one job.
	mf.AnnotationJobNames = append([]string{}, uniqueSorted(mf.AnnotationJobNames)...)
	if mf.MergeOff == "" || scrape != "true" || len(mf.AnnotationJobs) == 0 {
		return mf // nothing scrapes the app port through the annotations
	}
	g.addStrictPorts(w, &mf, hasPort)
	return mf
}

// mergeEnabled decides whether Istio merges w's metrics, and records why in
// mf (docs/model.md#metrics-merging-enablement): the pod annotation wins
// over the mesh setting.
func (g *Graph) mergeEnabled(w *Workload, mf *MergeFact) bool {
	enabled := g.Settings.EnablePrometheusMerge
	if v, ok := w.Annotations[annotationMergeMetrics]; ok {
		mf.MergePointer = w.Meta + "/annotations/" + escape(annotationMergeMetrics)
		if b, err := strconv.ParseBool(v); err == nil {
			enabled = b
			mf.MergeWhy = fmt.Sprintf("its annotation %s is %q", annotationMergeMetrics, v)
			if !b {
				mf.MergeOff = "annotation"
			}
		}
	}
	if mf.MergeWhy == "" {
		if enabled {
			mf.MergeWhy = "metrics merging is on by default (meshConfig.enablePrometheusMerge; if your mesh turns it off, set mesh.enablePrometheusMerge: false in .meshlint.yaml)"
		} else {
			mf.MergeWhy, mf.MergeOff = "mesh.enablePrometheusMerge is false in the meshlint config", "mesh"
		}
	}
	return enabled
}

// addStrictPorts adds to mf the ports that annotation-driven jobs scrape
// (prometheus.io/port, or every declared port when it is absent) on which
// the sidecar captures traffic under STRICT mTLS.
func (g *Graph) addStrictPorts(w *Workload, mf *MergeFact, hasPort bool) {
	var ports []int
	switch {
	case hasPort && mf.Port > 0:
		ports = []int{mf.Port}
	case !hasPort:
		for _, cp := range w.Ports {
			ports = append(ports, cp.Port)
		}
	}
	sort.Ints(ports)
	done := map[int]bool{}
	for _, p := range ports {
		if done[p] {
			continue
		}
		done[p] = true
		if captured, _ := w.Captured(p); !captured {
			continue
		}
		if sp, assumed, ok := g.strictPort(w, p); ok {
			mf.StrictPorts = append(mf.StrictPorts, sp)
			if assumed != "" {
				mf.Assumptions = append(mf.Assumptions, assumed)
			}
		}
	}
}

func pathOrDefault(p string) string {
	if p == "" {
		return "/metrics"
	}
	return p
}

// annotationJob is a scrape job that reads the prometheus.io/scrape pod
// annotation; monitor is set when a PodMonitor or ServiceMonitor carries it,
// limiting the pods it reaches.
type annotationJob struct {
	loc     Loc
	name    string // "ConfigMap monitoring/prometheus"
	monitor *Monitor
}

// annotationJobMarkers are the relabeling source labels of jobs that keep
// pods by their prometheus.io/scrape annotation.
var annotationJobMarkers = []string{
	"__meta_kubernetes_pod_annotation_prometheus_io_scrape",
	"__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape",
}

// annotationJobKinds are the kinds that may carry a Prometheus scrape
// config: raw config files (ConfigMap, Secret), operator objects and Flux
// Helm values.
var annotationJobKinds = map[string]bool{
	"ConfigMap": true, "Secret": true, "PodMonitor": true, "ServiceMonitor": true, "ScrapeConfig": true,
	"Prometheus": true, "PrometheusAgent": true, "HelmRelease": true, "OpenTelemetryCollector": true,
}

// annotationScrapeJobs finds the scrape jobs in the input that are driven by
// the prometheus.io/scrape pod annotation. The loader keeps no decoded object
// for kinds the graph does not model (ConfigMap, Secret, HelmRelease), so the
// document text is searched first and only matching documents are decoded.
func (g *Graph) annotationScrapeJobs() []annotationJob {
	var out []annotationJob
	monitors := map[int]*Monitor{}
	for _, m := range g.Monitors {
		monitors[m.Resource] = m
	}
	for _, r := range g.Resources {
		if !annotationJobKinds[r.Kind] || !r.mayHoldAnnotationJob() {
			continue
		}
		obj, ok := r.Doc.Decode()
		if !ok {
			continue
		}
		ptr, ok := findMarker(obj, "", r.Kind == "Secret")
		if !ok {
			continue
		}
		name := r.Kind + " " + r.Name
		if r.Namespace != "" {
			name = r.Kind + " " + r.Namespace + "/" + r.Name
		}
		out = append(out, annotationJob{
			loc:     Loc{Resource: r.ID, Pointer: ptr, Message: "this scrape job keeps pods by their prometheus.io/scrape annotation"},
			name:    name,
			monitor: monitors[r.ID],
		})
	}
	return out
}

// mayHoldAnnotationJob reports whether the resource's text may hold such a
// job: as found while its document was read, or by searching the text now.
func (r *Resource) mayHoldAnnotationJob() bool {
	switch r.annotationJob {
	case hintYes:
		return true
	case hintNo:
		return false
	}
	return mentionsAnnotationJob(r.Doc.Text(), r.Kind == "Secret")
}

// annotationJobNeedle is the part of every marker that a document's text
// must contain; in a Secret's data it is base64 at one of three alignments.
const annotationJobNeedle = "_annotation"

var annotationJobB64Needles = func() []string {
	var out []string
	for pad := 0; pad < 3; pad++ {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", pad) + "prometheus_io_scrape"))
		// Drop the characters that depend on the bytes around the needle.
		start := (pad*8 + 5) / 6
		out = append(out, enc[start:len(enc)-4])
	}
	return out
}()

func mentionsAnnotationJob(text string, secret bool) bool {
	if strings.Contains(text, annotationJobNeedle) && strings.Contains(text, "prometheus_io_scrape") {
		return true
	}
	if secret {
		for _, n := range annotationJobB64Needles {
			if strings.Contains(text, n) {
				return true
			}
		}
	}
	return false
}

// findMarker walks v for a string holding an annotation job marker and
// returns its JSON pointer. Secret data values are base64 and decoded.
func findMarker(v any, ptr string, secret bool) (string, bool) {
	switch x := v.(type) {
	case string:
		s := x
		if secret && strings.HasPrefix(ptr, "/data/") {
			if b, err := base64.StdEncoding.DecodeString(x); err == nil {
				s = string(b)
			}
		}
		for _, m := range annotationJobMarkers {
			if strings.Contains(s, m) {
				return ptr, true
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if k == "metadata" && ptr == "" {
				continue
			}
			if p, ok := findMarker(x[k], ptr+"/"+escape(k), secret); ok {
				return p, true
			}
		}
	case []any:
		for i, e := range x {
			if p, ok := findMarker(e, ptr+"/"+strconv.Itoa(i), secret); ok {
				return p, true
			}
		}
	}
	return "", false
}

// strictPort is port p of w as a StrictPortFact, with the assumption its
// mode rests on; ok is false when the port is not STRICT.
func (g *Graph) strictPort(w *Workload, p int) (sp StrictPortFact, assumed string, ok bool) {
	d := g.EffectiveMode(w, p)
	if d.Mode != ModeStrict {
		return sp, "", false
	}
	sp = StrictPortFact{Port: p, ModeExplain: d.Explain()}
	if d.Source != nil {
		sp.Source = &Loc{Resource: d.Source.Resource, Pointer: d.Source.Pointer, Message: "STRICT set here"}
	}
	return sp, d.Assumed, true
}
