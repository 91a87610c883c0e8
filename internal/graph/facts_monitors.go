package graph

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// This file resolves the monitor wiring (which Prometheus picks up a
// monitor, what its selector and ports find) and the parts of the Prometheus
// setup and pod metadata that the full-tier rules of the scrape, prometheus
// and monitor categories read.

// MonitorFact is a ServiceMonitor or PodMonitor with its wiring resolved.
type MonitorFact struct {
	Resource int    `json:"resource"`
	Kind     string `json:"kind"`
	Name     string `json:"name"` // "ServiceMonitor shop/cart"
	// Role is how the monitor finds targets ("service", "pod", "static"),
	// Object what its selector picks ("Service", "pod template"), Scrapers
	// the kinds of scraper that may select it ("Prometheus").
	Role               string `json:"role"`
	Object             string `json:"object"`
	Scrapers           string `json:"scrapers"`
	LabelsPointer      string `json:"labelsPointer"`
	SelectorPointer    string `json:"selectorPointer"`
	Selector           string `json:"selector"` // rendered like kubectl
	ScrapeClass        string `json:"scrapeClass"`
	ScrapeClassPointer string `json:"scrapeClassPointer"`

	// Selection by the Prometheus (and PrometheusAgent) CRs of the input
	// (docs/model.md#monitor-selection). Undecided lists the CRs whose namespace
	// selector tests labels of a Namespace manifest that is not in the input.
	PrometheusCount int             `json:"prometheusCount"`
	SelectedBy      []Loc           `json:"selectedBy"`
	Undecided       []Loc           `json:"undecided"`
	NotSelectedBy   []RejectionFact `json:"notSelectedBy"`
	// ClassMissingIn lists the selecting Prometheus CRs that do not define
	// the monitor's scrapeClass (docs/model.md#scrape-class-reference).
	ClassMissingIn []Loc `json:"classMissingIn"`
	// DeniedFiles lists endpoints that read files while a selecting
	// Prometheus sets arbitraryFSAccessThroughSMs.deny
	// (docs/model.md#arbitrary-fs-access).
	DeniedFiles []DeniedFilesFact `json:"deniedFiles"`

	// Watched names the namespaces the monitor looks in ("namespace shop").
	Watched string `json:"watched"`
	// WatchedInInput: every namespace the monitor looks in is evidently in
	// the input (see namespaceInInput), so an empty result means something.
	WatchedInInput   bool       `json:"watchedInInput"`
	SelectsSomething bool       `json:"selectsSomething"`
	Hints            []HintFact `json:"hints"`
	// PortProblems are endpoints whose port names or numbers nothing that
	// the monitor selects declares (docs/model.md#servicemonitor-ports,
	// docs/model.md#podmonitor-ports).
	PortProblems []PortProblemFact `json:"portProblems"`
}

// RejectionFact is a Prometheus that does not select a monitor, and why.
type RejectionFact struct {
	Prometheus Loc    `json:"prometheus"`
	Reason     string `json:"reason"`
}

// DeniedFilesFact is an endpoint that reads files from the Prometheus
// container while the Prometheus forbids it.
type DeniedFilesFact struct {
	Endpoint   int      `json:"endpoint"`
	Pointer    string   `json:"pointer"` // the first file field
	Fields     []string `json:"fields"`  // "tlsConfig.caFile /etc/prom-certs/root-cert.pem"
	Prometheus Loc      `json:"prometheus"`
}

// HintFact is a near miss of a selector that matches nothing: the labels of
// the wrong kind of object, or an object in a namespace it does not watch.
type HintFact struct {
	Kind    string `json:"kind"` // "pod-labels", "service-labels", "other-namespace"
	Message string `json:"message"`
	Related []Loc  `json:"related"`
}

// PortProblemFact is an endpoint port that resolves to nothing.
type PortProblemFact struct {
	Endpoint int    `json:"endpoint"`
	Pointer  string `json:"pointer"`
	Field    string `json:"field"` // port, targetPort or portNumber
	Value    string `json:"value"`
	// Problem is "name" (no port of that name), "number" (a number written
	// where a name is expected), "unnamed" (the Service's only port has no
	// name), or "undeclared" (no container port with that name or number).
	Problem string `json:"problem"`
	// Declared describes what the selected objects do declare.
	Declared string `json:"declared"`
	// Suggestion is a port name that would work, when one is evident.
	Suggestion string `json:"suggestion"`
	Related    []Loc  `json:"related"`
}

// ControllerFact is a pod controller, or a Prometheus CR, whose own
// metadata carries Istio or Prometheus pod keys that its pod template lacks.
type ControllerFact struct {
	Resource           int           `json:"resource"`
	Name               string        `json:"name"` // "Deployment shop/cart"
	PodMetadata        string        `json:"podMetadata"`
	PodMetadataPointer string        `json:"podMetadataPointer"`
	Keys               []MetadataKey `json:"keys"`
}

// MetadataKey is a label or annotation of an object's own metadata.
type MetadataKey struct {
	Key     string `json:"key"`
	Field   string `json:"field"` // "annotations" or "labels"
	Pointer string `json:"pointer"`
}

// PrometheusConfigFact is the part of a Prometheus CR that the outbound
// capture and scrape class rules read.
type PrometheusConfigFact struct {
	Resource       int    `json:"resource"`
	Kind           string `json:"kind"` // Prometheus, PrometheusAgent...
	Name           string `json:"name"` // "monitoring/k8s"
	UsesIstioCerts bool   `json:"usesIstioCerts"`
	// ExportsCerts: the pod carries the cert export annotations of the
	// sidecar-cert recipe (proxy.istio.io/config or userVolumeMount).
	ExportsCerts       bool   `json:"exportsCerts"`
	Dataplane          string `json:"dataplane"`
	AnnotationsPointer string `json:"annotationsPointer"`
	// OutboundSet / Outbound: the includeOutboundIPRanges pod annotation.
	OutboundSet     bool   `json:"outboundSet"`
	Outbound        string `json:"outbound"`
	OutboundPointer string `json:"outboundPointer"`
	// OutboundBypassed says why outbound traffic skips the sidecar anyway
	// ("" when it does not).
	OutboundBypassed string `json:"outboundBypassed"`
	// OutboundMisplaced: the annotation sits on the CR's own metadata,
	// which istio-annotations-misplaced reports.
	OutboundMisplaced bool               `json:"outboundMisplaced"`
	DefaultClasses    []DefaultClassFact `json:"defaultClasses"`
}

// DefaultClassFact is a scrape class with default: true.
type DefaultClassFact struct {
	Name    string `json:"name"`
	Pointer string `json:"pointer"`
}

const annotationIncludeOutbound = "traffic.sidecar.istio.io/includeOutboundIPRanges"

// undeclaredIstioPorts are the ports the sidecar serves but the injected
// istio-proxy container does not declare: pilot-agent's status and merged
// metrics port and the health port. Its only declared port is
// http-envoy-prom 15090 (istio
// manifests/charts/istio-control/istio-discovery/files/injection-template.yaml),
// and Prometheus pod discovery lists declared ports only, so a PodMonitor
// picking these by number has no target.
var undeclaredIstioPorts = map[int]string{15020: "pilot-agent's status and merged metrics port", 15021: "the health check port"}

// selectablePorts are the ports a PodMonitor endpoint can pick on w.
func (w *Workload) selectablePorts(e *Endpoint) (declared, proxy []ContainerPort) {
	return w.ports()
}

// statusPort is pilot-agent's port (15020 unless the pod overrides it).
func (w *Workload) statusPort() int {
	if v, ok := w.Annotations["status.sidecar.istio.io/port"]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
	}
	return 15020
}

// isIstioPort reports whether port is one of the sidecar's own plaintext
// ports: Envoy's stats (15090), the health port (15021), the agent's status
// and merged-metrics port (15020 by default).
func (w *Workload) isIstioPort(port int) bool {
	if w.Injection.Dataplane != DataplaneSidecar {
		return false
	}
	return port == 15090 || port == 15021 || port == w.statusPort()
}

// tlsPortName reports whether a port name says the app speaks TLS: Istio's
// protocol selection prefixes (https-, tls-) and the common suffixes.
func tlsPortName(name string) bool {
	n := strings.ToLower(name)
	return n == "https" || n == "tls" || strings.HasPrefix(n, "https-") || strings.HasPrefix(n, "tls-") ||
		strings.HasSuffix(n, "-https") || strings.HasSuffix(n, "-tls")
}

// appTLS says why the target port is known to serve TLS from the app
// itself: an appProtocol of https or tls on the Service port, or a Service
// or container port name that says so. "" when nothing says so.
func (t Target) appTLS() string {
	if sp := t.ServicePort; sp != nil {
		if p := strings.ToLower(sp.AppProtocol); p == "https" || p == "tls" || strings.HasSuffix(p, "/https") {
			return fmt.Sprintf("Service %s/%s port %d has appProtocol %s", t.Service.Namespace, t.Service.Name, sp.Port, sp.AppProtocol)
		}
		if tlsPortName(sp.Name) {
			return fmt.Sprintf("Service %s/%s names the port %q", t.Service.Namespace, t.Service.Name, sp.Name)
		}
	}
	if cp := t.ContainerPort; cp != nil && tlsPortName(cp.Name) {
		return fmt.Sprintf("%s names the container port %q", t.Workload.Display(), cp.Name)
	}
	return ""
}

// endpointPort renders how an endpoint picks its port.
func endpointPort(e *Endpoint) string {
	switch {
	case e.Port != "":
		return "port " + e.Port
	case e.PortNumber != 0:
		return fmt.Sprintf("portNumber %d", e.PortNumber)
	case e.TargetPort.Set:
		return "targetPort " + e.TargetPort.String()
	}
	return ""
}

// endpointAppTLS says why an endpoint's own tlsConfig shows that it talks to
// an app with its own certificate: it checks a serverName, or verifies the
// target against a CA that is not Istio's root.
func endpointAppTLS(e *Endpoint, certDirs []string) string {
	t := e.TLS
	if !t.Present {
		return ""
	}
	if t.ServerName != "" {
		return fmt.Sprintf("its tlsConfig expects serverName %q in the app's certificate", t.ServerName)
	}
	if t.HasSecretCA {
		return "its tlsConfig verifies the target against a CA from a Secret or ConfigMap, not Istio's root"
	}
	for _, f := range t.Files {
		if f.Field == "caFile" && !IsIstioCertFile(f.Path, certDirs) {
			return fmt.Sprintf("its tlsConfig verifies the target against %s, which is not Istio's root cert", f.Path)
		}
	}
	return ""
}

// addWiringFacts fills Controllers and PrometheusConfigs; Facts fills
// Monitors with the monitor facts.
func (g *Graph) addWiringFacts(f *Facts) {
	f.Controllers, f.PrometheusConfigs = []ControllerFact{}, []PrometheusConfigFact{}
	for _, w := range g.Workloads {
		if keys := w.Misplaced; len(keys) > 0 {
			f.Controllers = append(f.Controllers, ControllerFact{Resource: w.Resource, Name: w.Display(),
				PodMetadata: "the pod template (" + dotted(w.Meta) + ")", PodMetadataPointer: w.Meta, Keys: keys})
		}
	}
	for i, p := range g.Prometheus {
		if keys := p.Misplaced; len(keys) > 0 {
			f.Controllers = append(f.Controllers, ControllerFact{Resource: p.Resource, Name: p.Display(),
				PodMetadata: "spec.podMetadata", PodMetadataPointer: p.PodMetadataPointer, Keys: keys})
		}
		uses := false
		if i < len(f.Prometheuses) && f.Prometheuses[i].Resource == p.Resource {
			uses = f.Prometheuses[i].UsesIstioCerts
		}
		f.PrometheusConfigs = append(f.PrometheusConfigs, prometheusConfigFact(p, uses, p.Misplaced))
	}
}

// dotted turns "/spec/template/metadata" into "spec.template.metadata".
func dotted(pointer string) string {
	return strings.ReplaceAll(strings.TrimPrefix(pointer, "/"), "/", ".")
}

// misplacedKeys lists the Istio and Prometheus pod keys (their domain ends
// in istio.io or prometheus.io) on an object's own metadata that its pod
// metadata does not carry, as a label or an annotation. Which of them the
// injector or Prometheus reads is the rule's to say.
func misplacedKeys(obj map[string]any, podLabels, podAnnotations map[string]string) []MetadataKey {
	var out []MetadataKey
	for _, field := range []string{"annotations", "labels"} {
		own := asMap(dig(obj, "metadata", field))
		for _, k := range sortedKeys(own) {
			domain, _, ok := strings.Cut(k, "/")
			if !ok || !(strings.HasSuffix(domain, "istio.io") || strings.HasSuffix(domain, "prometheus.io")) {
				continue
			}
			if _, onPod := podLabels[k]; onPod {
				continue
			}
			if _, onPod := podAnnotations[k]; onPod {
				continue
			}
			out = append(out, MetadataKey{Key: k, Field: field, Pointer: "/metadata/" + field + "/" + escape(k)})
		}
	}
	return out
}

func prometheusConfigFact(p *Prometheus, usesIstioCerts bool, misplaced []MetadataKey) PrometheusConfigFact {
	pc := PrometheusConfigFact{Resource: p.Resource, Kind: p.Kind, Name: p.Namespace + "/" + p.Name, UsesIstioCerts: usesIstioCerts,
		Dataplane: string(p.Pod.Injection.Dataplane), AnnotationsPointer: "/spec/podMetadata/annotations", DefaultClasses: []DefaultClassFact{}}
	_, proxyConfig := p.PodAnnotations[annotationProxyConfig]
	_, userMount := p.PodAnnotations[annotationUserVolumeMount]
	pc.ExportsCerts = proxyConfig || userMount
	pc.Outbound, pc.OutboundSet = p.PodAnnotations[annotationIncludeOutbound]
	pc.OutboundPointer = pc.AnnotationsPointer
	if pc.OutboundSet {
		pc.OutboundPointer += "/" + escape(annotationIncludeOutbound)
	}
	switch {
	case pc.OutboundSet && strings.TrimSpace(pc.Outbound) == "":
		pc.OutboundBypassed = annotationIncludeOutbound + " is empty"
	case strings.EqualFold(strings.TrimSpace(p.PodAnnotations["sidecar.istio.io/interceptionMode"]), "NONE"):
		pc.OutboundBypassed = "sidecar.istio.io/interceptionMode is NONE"
	case inCIDRList(p.PodAnnotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"], "0.0.0.0/0"):
		pc.OutboundBypassed = "traffic.sidecar.istio.io/excludeOutboundIPRanges excludes 0.0.0.0/0"
	}
	for _, k := range misplaced {
		if k.Key == annotationIncludeOutbound {
			pc.OutboundMisplaced = true
		}
	}
	for _, sc := range p.ScrapeClasses {
		if sc.Default {
			pc.DefaultClasses = append(pc.DefaultClasses, DefaultClassFact{Name: sc.Name, Pointer: sc.Pointer + "/default"})
		}
	}
	return pc
}

func inCIDRList(list, cidr string) bool {
	for _, c := range strings.Split(list, ",") {
		if strings.TrimSpace(c) == cidr {
			return true
		}
	}
	return false
}

// selectorCR is a scraper CR as a picker of monitors.
type selectorCR struct {
	loc                   Loc // the CR, pointer "/spec"
	kind, namespace, name string
	family                string
	prometheus            *Prometheus
}

// synthetic is an object the cluster or the operator creates that no
// manifest shows: a Service or pod a monitor may select.
type synthetic struct {
	display  string
	labels   map[string]string
	at       Loc
	workload *Workload // set for the pod template of a workload of the input
}

// wiring holds what every monitor's resolution needs, computed once.
type wiring struct {
	selectors []*selectorCR
	// unknownPods: namespaces holding CRs whose pods' labels cannot be
	// derived (ThanosRuler); PodMonitors there stay silent.
	unknownPods map[string]bool
	services    map[string][]synthetic // operator and cluster Services by namespace
	pods        map[string][]synthetic // operator pods by namespace
	// floatingServices and floatingPods have no metadata.namespace: they
	// land in whatever namespace they are applied to (Helm output often
	// leaves it to the release), so they may be in any watched namespace.
	floatingServices, floatingPods []synthetic
}

// passiveGroups are API groups whose objects create no Services or pods,
// but for the kinds that run pods of their own (see createsUnmodeled).
// Objects of any other group that is not built into Kubernetes may come
// from an operator that does.
var passiveGroups = map[string]bool{
	"": true, "v1": true, "apps": true, "batch": true, "extensions": true, "networking.k8s.io": true, "policy": true,
	"rbac.authorization.k8s.io": true, "autoscaling": true, "storage.k8s.io": true, "coordination.k8s.io": true,
	"scheduling.k8s.io": true, "apiextensions.k8s.io": true, "admissionregistration.k8s.io": true,
	"discovery.k8s.io": true, "cert-manager.io": true, "security.istio.io": true, "networking.istio.io": true,
	"telemetry.istio.io": true, "monitoring.coreos.com": true, "argoproj.io": true,
	"helm.toolkit.fluxcd.io": true, "kustomize.toolkit.fluxcd.io": true, "source.toolkit.fluxcd.io": true,
	"external-secrets.io": true, "kyverno.io": true,
}

const operatorGroup = "monitoring.coreos.com/"

func (g *Graph) wiringContext() *wiring {
	c := &wiring{unknownPods: map[string]bool{}, services: map[string][]synthetic{}, pods: map[string][]synthetic{}}
	// The API server's own Service, which kube-prometheus style apiserver
	// monitors select in the default namespace.
	c.services["default"] = append(c.services["default"], synthetic{display: "Service default/kubernetes",
		labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}, at: Loc{Resource: -1}})
	for _, p := range g.Prometheus {
		c.selectors = append(c.selectors, &selectorCR{loc: Loc{Resource: p.Resource, Pointer: "/spec", Message: p.Display()},
			kind: p.Kind, namespace: p.Namespace, name: p.Name, prometheus: p, family: p.Scraper.Family})
		at := Loc{Resource: p.Resource, Pointer: "/metadata", Message: p.Display()}
		svc, labels := p.Scraper.Service(p.Name)
		c.services[p.Namespace] = append(c.services[p.Namespace], synthetic{display: "Service " + p.Namespace + "/" + svc + " (created by the operator)",
			labels: labels, at: at})
		c.pods[p.Namespace] = append(c.pods[p.Namespace], synthetic{display: "the pods of " + p.Display(), labels: p.Pod.Labels, at: at})
	}
	for _, r := range g.Resources {
		var obj map[string]any
		if strings.HasPrefix(r.Doc.APIVersion, operatorGroup) && r.Kind == "Alertmanager" {
			obj, _ = r.Doc.Decode() // the loader keeps no object for kinds the graph does not model
		}
		switch {
		case strings.HasPrefix(r.Doc.APIVersion, operatorGroup) && r.Kind == "ThanosRuler":
			c.unknownPods[r.Namespace] = true
			c.services[r.Namespace] = append(c.services[r.Namespace], synthetic{display: "Service " + r.Namespace + "/thanos-ruler-operated (created by the operator)",
				labels: map[string]string{"operated-thanos-ruler": "true"}, at: Loc{Resource: r.ID, Pointer: "/metadata"}})
		case strings.HasPrefix(r.Doc.APIVersion, operatorGroup) && r.Kind == "Alertmanager":
			at := Loc{Resource: r.ID, Pointer: "/metadata", Message: "Alertmanager " + r.Namespace + "/" + r.Name}
			c.services[r.Namespace] = append(c.services[r.Namespace], synthetic{display: "Service " + r.Namespace + "/alertmanager-operated (created by the operator)",
				labels: map[string]string{"operated-alertmanager": "true", "app.kubernetes.io/managed-by": "prometheus-operator"}, at: at})
			labels := map[string]string{"app.kubernetes.io/name": "alertmanager", "alertmanager": r.Name,
				"app.kubernetes.io/instance": r.Name, "app.kubernetes.io/managed-by": "prometheus-operator"}
			for k, v := range asMap(dig(obj, "spec", "podMetadata", "labels")) {
				labels[k] = scalarString(v)
			}
			c.pods[r.Namespace] = append(c.pods[r.Namespace], synthetic{display: "the pods of Alertmanager " + r.Namespace + "/" + r.Name, labels: labels, at: at})
		}
	}
	for _, svc := range g.Services {
		if g.Resources[svc.Resource].Doc.Namespace == "" {
			c.floatingServices = append(c.floatingServices, synthetic{labels: svc.Labels})
		}
	}
	for _, w := range g.Workloads {
		if g.Resources[w.Resource].Doc.Namespace == "" {
			c.floatingPods = append(c.floatingPods, synthetic{labels: w.Labels})
		}
	}
	sort.SliceStable(c.selectors, func(i, j int) bool { return c.selectors[i].loc.Resource < c.selectors[j].loc.Resource })
	return c
}

// explicitNamespace reports whether a resource names its namespace, rather
// than taking the default at lint time.
func (g *Graph) explicitNamespace(id int) bool { return g.Resources[id].Doc.Namespace != "" }

// clusterNamespaces hold objects the cluster itself creates (kube-dns, the
// kubelet Service the operator maintains), which manifests never show.
var clusterNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true}

// namespaceInInput reports whether the input evidently holds a namespace's
// objects: at least one workload or Service of it is present, and it is not
// hidden (see hiddenNamespaces). A Namespace manifest alone is no such
// evidence: platform repositories declare namespaces apart from the apps
// that run in them.
func (g *Graph) namespaceInInput(ns string) bool {
	if g.hiddenNamespaces()[ns] {
		return false
	}
	return g.hasDeclaredWorkloads(ns) || len(g.servicesByNS[ns]) > 0
}

func (g *Graph) monitorFact(m *Monitor, c *wiring) MonitorFact {
	mf := MonitorFact{Resource: m.Resource, Kind: m.Kind, Name: m.Display(), Role: string(m.Role), Object: roleObject(m.Role), LabelsPointer: "/metadata/labels",
		SelectorPointer: m.SelectorPointer, Selector: m.Selector.String(), ScrapeClass: m.ScrapeClass, ScrapeClassPointer: m.ScrapeClassPointer,
		SelectedBy: []Loc{}, Undecided: []Loc{}, NotSelectedBy: []RejectionFact{}, ClassMissingIn: []Loc{},
		DeniedFiles: []DeniedFilesFact{}, Hints: []HintFact{}, PortProblems: []PortProblemFact{}}
	families := []string{m.Source.Family}
	for _, s := range c.selectors {
		sel := g.selectionOf(s.prometheus, m)
		if sel.verdict == unrelated {
			continue
		}
		mf.PrometheusCount++
		families = append(families, s.family)
		loc := Loc{Resource: s.loc.Resource, Pointer: sel.pointer(), Message: s.loc.Message}
		switch sel.verdict {
		case selected:
			mf.SelectedBy = append(mf.SelectedBy, loc)
			g.checkSelectedBy(&mf, m, s.prometheus)
		case undecided:
			mf.Undecided = append(mf.Undecided, loc)
		default:
			mf.NotSelectedBy = append(mf.NotSelectedBy, RejectionFact{Prometheus: loc, Reason: sel.reason(g, s.prometheus, m)})
		}
	}
	mf.Scrapers = scraperNames(families)
	g.resolveSelector(&mf, m, c)
	mf.PortProblems = append(mf.PortProblems, g.portProblems(m, c)...)
	return mf
}

func renderLabels(labels map[string]string) string {
	if len(labels) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(labels) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

// checkSelectedBy records what a selecting Prometheus rejects the monitor
// for: an undefined scrape class, or file access it denies.
func (g *Graph) checkSelectedBy(mf *MonitorFact, m *Monitor, p *Prometheus) {
	if m.ScrapeClass != "" {
		defined := false
		for _, sc := range p.ScrapeClasses {
			if sc.Name == m.ScrapeClass {
				defined = true
			}
		}
		if !defined {
			ptr := "/spec"
			if len(p.ScrapeClasses) > 0 {
				ptr = "/spec/scrapeClasses"
			}
			msg := fmt.Sprintf("%s defines no scrape class %q", p.Display(), m.ScrapeClass)
			mf.ClassMissingIn = append(mf.ClassMissingIn, Loc{Resource: p.Resource, Pointer: ptr, Message: msg})
		}
	}
	if !p.ArbitraryFSDeny || !m.Source.FileTLS {
		return
	}
	for _, e := range m.Endpoints {
		var fields []string
		first := ""
		if e.BearerTokenFile != "" {
			fields = append(fields, "bearerTokenFile "+e.BearerTokenFile)
			first = e.BearerTokenFilePointer
		}
		for _, f := range e.TLS.Files {
			fields = append(fields, "tlsConfig."+f.Field+" "+f.Path)
			if first == "" {
				first = f.Pointer
			}
		}
		if len(fields) > 0 {
			mf.DeniedFiles = append(mf.DeniedFiles, DeniedFilesFact{Endpoint: e.Index, Pointer: first, Fields: fields,
				Prometheus: Loc{Resource: p.Resource, Pointer: p.ArbitraryFSDenyPointer, Message: p.Display()}})
		}
	}
}

// resolveSelector decides whether the monitor's selector finds anything in
// the namespaces it watches, and collects near misses for the message.
func (g *Graph) resolveSelector(mf *MonitorFact, m *Monitor, c *wiring) {
	watched := g.watchedNamespaces(mf, m, c)
	if m.Role == RoleStatic {
		// Static targets are named, not selected.
		mf.SelectsSomething = true
		return
	}
	if m.AnyNamespace {
		// Every namespace of the cluster is never in the input; still, a
		// match anywhere is a match.
		watched = g.namespacesWatched(m)
	}
	watch := map[string]bool{}
	for _, ns := range watched {
		watch[ns] = true
	}
	cands := selectorCandidates{g: g, m: m, c: c}
	want, other, floating := cands.services, cands.pods, c.floatingServices
	if m.Role == RolePod {
		want, other, floating = cands.pods, cands.services, c.floatingPods
	}
	for _, o := range floating {
		if monitorSelectorMatch(m.Selector, o.labels) != noMatch {
			mf.SelectsSomething = true
			return
		}
	}
	for ns := range watch {
		for _, o := range want(ns) {
			if monitorSelectorMatch(m.Selector, o.labels) != noMatch {
				mf.SelectsSomething = true
				return
			}
		}
	}
	if h, ok := g.wrongKindHint(m, watch, other); ok {
		mf.Hints = append(mf.Hints, h)
	}
	if h, ok := g.otherNamespaceHint(m, watch, want); ok {
		mf.Hints = append(mf.Hints, h)
	}
}

// watchedNamespaces fills Watched and WatchedInInput, and returns the
// namespaces a monitor names (none for namespaceSelector.any).
func (g *Graph) watchedNamespaces(mf *MonitorFact, m *Monitor, c *wiring) []string {
	var watched []string
	switch {
	case m.AnyNamespace:
		mf.Watched = "any namespace"
	case len(m.MatchNamespaces) > 0:
		watched = uniqueSorted(m.MatchNamespaces)
	default:
		watched = []string{m.Namespace}
	}
	if len(watched) == 1 {
		mf.Watched = "namespace " + watched[0]
	} else if len(watched) > 1 {
		mf.Watched = "namespaces " + strings.Join(watched, ", ")
	}
	// A monitor without metadata.namespace that watches its own namespace
	// watches wherever it is applied, which the input does not say.
	mf.WatchedInInput = len(watched) > 0 && (len(m.MatchNamespaces) > 0 || g.explicitNamespace(m.Resource))
	if m.Role == RoleStatic {
		return watched
	}
	for _, ns := range watched {
		if !g.namespaceInInput(ns) || (m.Role == RolePod && c.unknownPods[ns]) {
			mf.WatchedInInput = false
		}
	}
	return watched
}

// selectorCandidates lists, per namespace, the objects a monitor's selector
// may match: only those the selection index cannot rule out, since every
// use filters them with monitorSelectorMatch, and the operator's and the
// cluster's own objects.
type selectorCandidates struct {
	g *Graph
	m *Monitor
	c *wiring
}

func (s selectorCandidates) services(ns string) []synthetic {
	var out []synthetic
	svcs := s.g.servicesByNS[ns]
	for _, i := range candidates(s.g.selection().serviceLabels[ns], s.m.Selector, len(svcs), isLiteral) {
		svc := svcs[i]
		display := "Service " + svc.Namespace + "/" + svc.Name
		out = append(out, synthetic{display: display, labels: svc.Labels,
			at: Loc{Resource: svc.Resource, Pointer: "/metadata/labels", Message: display}})
	}
	return append(out, s.c.services[ns]...)
}

func (s selectorCandidates) pods(ns string) []synthetic {
	var out []synthetic
	ws := s.g.workloadsByNS[ns]
	for _, i := range candidates(s.g.selection().workloadLabels[ns], s.m.Selector, len(ws), isLiteral) {
		w := ws[i]
		out = append(out, synthetic{display: w.Display(), labels: w.Labels, workload: w,
			at: Loc{Resource: w.Resource, Pointer: w.Meta + "/labels", Message: "pod labels of " + w.Display()}})
	}
	return append(out, s.c.pods[ns]...)
}

// wrongKindHint is the first near miss of the other kind of object in the
// watched namespaces: pod labels a ServiceMonitor matches, Service labels
// a PodMonitor matches.
func (g *Graph) wrongKindHint(m *Monitor, watch map[string]bool, other func(string) []synthetic) (HintFact, bool) {
	for _, ns := range sortedKeys(watch) {
		for _, o := range other(ns) {
			if o.at.Resource < 0 || monitorSelectorMatch(m.Selector, o.labels) == noMatch {
				continue
			}
			if m.Role == RolePod {
				return HintFact{Kind: "service-labels", Related: []Loc{o.at},
					Message: fmt.Sprintf("it matches the labels of %s, but a %s selects pods by their pod template labels", o.display, m.Kind)}, true
			}
			msg := fmt.Sprintf("it matches the %s, but a %s selects Services by the Service's own metadata.labels", o.at.Message, m.Kind)
			related := []Loc{o.at}
			if o.workload != nil {
				if svcs := g.ServicesOf(o.workload); len(svcs) > 0 {
					svc := svcs[0]
					msg += fmt.Sprintf(" (Service %s/%s selects those pods: give it matching labels)", svc.Namespace, svc.Name)
					related = append(related, Loc{Resource: svc.Resource, Pointer: "/metadata/labels", Message: fmt.Sprintf("labels of Service %s/%s", svc.Namespace, svc.Name)})
				}
			}
			return HintFact{Kind: "pod-labels", Message: msg, Related: related}, true
		}
	}
	return HintFact{}, false
}

// otherNamespaceHint is the first object of the right kind, in a namespace
// the monitor does not watch, that its selector matches.
func (g *Graph) otherNamespaceHint(m *Monitor, watch map[string]bool, want func(string) []synthetic) (HintFact, bool) {
	nsList := make([]string, 0, len(g.servicesByNS)+len(g.workloadsByNS))
	seen := map[string]bool{}
	for ns := range g.servicesByNS {
		if !seen[ns] {
			seen[ns], nsList = true, append(nsList, ns)
		}
	}
	for ns := range g.workloadsByNS {
		if !seen[ns] {
			seen[ns], nsList = true, append(nsList, ns)
		}
	}
	sort.Strings(nsList)
	for _, ns := range nsList {
		if watch[ns] {
			continue
		}
		for _, o := range want(ns) {
			if o.at.Resource >= 0 && monitorSelectorMatch(m.Selector, o.labels) != noMatch {
				how := fmt.Sprintf("add namespaceSelector: {matchNames: [%s]}", ns)
				if len(m.MatchNamespaces) > 0 {
					how = fmt.Sprintf("add %s to namespaceSelector.matchNames", ns)
				}
				return HintFact{Kind: "other-namespace",
					Message: fmt.Sprintf("%s matches, but it is in namespace %s, which the monitor does not watch; %s", o.display, ns, how),
					Related: []Loc{o.at}}, true
			}
		}
	}
	return HintFact{}, false
}

// portProblems checks each endpoint's port against what the selected
// Services and pods declare. An endpoint without port or portNumber is
// never a problem here (docs/rules/monitor-port-not-found.md): it scrapes every declared port, or, for a
// PodMonitor, uses the deprecated targetPort, which is left alone.
func (g *Graph) portProblems(m *Monitor, c *wiring) []PortProblemFact {
	var out []PortProblemFact
	var services []*Service
	var pods []*Workload
	operatorPods := false
	switch m.Role {
	case RoleService:
		services = g.SelectedServices(m)
	case RolePod:
		pods = g.SelectedPods(m)
	}
	for _, ns := range g.namespacesWatched(m) {
		if m.Role != RolePod {
			continue
		}
		for _, s := range c.pods[ns] {
			if monitorSelectorMatch(m.Selector, s.labels) == exactMatch {
				operatorPods = true
			}
		}
		if c.unknownPods[ns] {
			operatorPods = true
		}
	}
	for i := range m.Endpoints {
		e := &m.Endpoints[i]
		var p *PortProblemFact
		switch {
		case e.Role == RoleService && e.Port != "":
			p = g.servicePortProblem(e, services)
		case e.Role == RoleService && e.TargetPort.Set:
			var backends []*Workload
			for _, svc := range services {
				backends = append(backends, g.BackendsOf(svc)...)
			}
			p = containerPortProblem(e, "targetPort", backends)
		case e.Role == RolePod && !operatorPods && e.Port != "":
			p = containerPortProblem(e, "port", pods)
		case e.Role == RolePod && !operatorPods && e.PortNumber != 0:
			p = containerPortProblem(e, "portNumber", pods)
		}
		if p != nil {
			p.Endpoint = e.Index
			out = append(out, *p)
		}
	}
	return out
}

func servicePortLabel(sp *ServicePort) string {
	if sp.Name == "" {
		return fmt.Sprintf("%d (unnamed)", sp.Port)
	}
	return fmt.Sprintf("%s (%d)", sp.Name, sp.Port)
}

// servicePortProblem checks a ServiceMonitor endpoint port, which must be
// the name of a port of a selected Service (docs/model.md#servicemonitor-ports).
func (g *Graph) servicePortProblem(e *Endpoint, services []*Service) *PortProblemFact {
	var withPorts []*Service
	for _, svc := range services {
		if len(svc.Ports) > 0 {
			withPorts = append(withPorts, svc)
		}
	}
	if len(withPorts) == 0 {
		return nil
	}
	// Mostly the port is there: the message is built only when it is not.
	for _, svc := range withPorts {
		for i := range svc.Ports {
			if sp := &svc.Ports[i]; sp.Name == e.Port {
				return g.targetPortProblem(e, svc, sp)
			}
		}
	}
	p := &PortProblemFact{Pointer: e.Pointer + "/port", Field: "port", Value: e.Port, Problem: "name", Related: []Loc{}}
	var described []string
	allUnnamedSingle := true
	for _, svc := range withPorts {
		var ports []string
		for i := range svc.Ports {
			sp := &svc.Ports[i]
			ports = append(ports, servicePortLabel(sp))
			if num, err := strconv.Atoi(e.Port); err == nil && num == sp.Port {
				p.Problem = "number"
				if sp.Name != "" {
					p.Suggestion = sp.Name
				}
			}
		}
		if len(svc.Ports) != 1 || svc.Ports[0].Name != "" {
			allUnnamedSingle = false
		}
		described = append(described, fmt.Sprintf("Service %s/%s has %s", svc.Namespace, svc.Name, strings.Join(ports, ", ")))
		p.Related = append(p.Related, Loc{Resource: svc.Resource, Pointer: "/spec/ports", Message: fmt.Sprintf("ports of Service %s/%s", svc.Namespace, svc.Name)})
	}
	if allUnnamedSingle && p.Problem != "number" {
		p.Problem = "unnamed"
	}
	p.Declared = strings.Join(described, "; ")
	return p
}

// containerPortProblem checks a port that must be a declared container
// port of the selected pods: ServiceMonitor targetPort, PodMonitor port and
// portNumber. On workloads that get (or may get) a sidecar,
// the injected istio-proxy's ports count as declared.
func containerPortProblem(e *Endpoint, field string, pods []*Workload) *PortProblemFact {
	if len(pods) == 0 {
		return nil
	}
	name, num := "", 0
	switch {
	case field == "port":
		name = e.Port
	case field == "portNumber":
		num = e.PortNumber
	case e.TargetPort.IsName:
		name = e.TargetPort.Name
	default:
		num = e.TargetPort.Num
	}
	p := &PortProblemFact{Pointer: e.Pointer + "/" + field, Field: field, Value: name, Problem: "name", Related: []Loc{}}
	if num != 0 {
		p.Value, p.Problem = strconv.Itoa(num), "undeclared"
	}
	asNumber, err := strconv.Atoi(name)
	if name != "" && err == nil {
		p.Problem = "number" // port names always contain a letter
	}
	var described []string
	seen := map[int]bool{}
	for _, w := range pods {
		if seen[w.Resource] {
			continue
		}
		seen[w.Resource] = true
		ports := w.Ports
		if w.Injection.Dataplane == DataplaneSidecar || w.Injection.Dataplane == DataplaneUnknown {
			ports = append(append([]ContainerPort(nil), w.Ports...), istioProxyPorts...)
		}
		for _, cp := range ports {
			if (name != "" && cp.Name == name) || (num != 0 && cp.Port == num) {
				return nil
			}
			if p.Problem == "number" && cp.Port == asNumber && cp.Name != "" && p.Suggestion == "" {
				p.Suggestion = cp.Name
			}
		}
		described = append(described, declaredPorts(w))
		p.Related = append(p.Related, Loc{Resource: w.Resource, Pointer: w.Spec + "/containers", Message: "containers of " + w.Display()})
	}
	p.Declared = strings.Join(described, "; ")
	if what := undeclaredIstioPorts[num]; what != "" {
		p.Declared += fmt.Sprintf("; %d is %s: the sidecar serves it, but the injected istio-proxy container declares only http-envoy-prom (15090), and pod discovery lists declared ports only", num, what)
	}
	return p
}

// declaredPorts says which container ports a workload declares, for a
// port problem's message.
func declaredPorts(w *Workload) string {
	var list []string
	for _, cp := range w.Ports {
		list = append(list, containerPortLabel(cp))
	}
	if len(list) == 0 {
		return w.Display() + " declares no container ports"
	}
	return w.Display() + " declares container ports " + strings.Join(list, ", ")
}

func containerPortLabel(cp ContainerPort) string {
	if cp.Name == "" {
		return strconv.Itoa(cp.Port)
	}
	return fmt.Sprintf("%s (%d)", cp.Name, cp.Port)
}

// targetPortProblem checks the Service port a ServiceMonitor endpoint picks:
// a named targetPort that no pod behind the Service declares gives the
// Service no endpoint for it (Kubernetes
// staging/src/k8s.io/endpointslice/utils.go findPort), so the endpoint has
// no targets. A numeric targetPort needs no declaration. Nothing is said when
// the input holds no pod behind the Service.
func (g *Graph) targetPortProblem(e *Endpoint, svc *Service, sp *ServicePort) *PortProblemFact {
	if !sp.TargetPort.IsName || len(svc.Selector) == 0 {
		return nil // a selector-less Service's endpoints carry the port
	}
	backends := g.BackendsOf(svc)
	if len(backends) == 0 {
		return nil
	}
	// Mostly some pod declares it: the message is built only when none does.
	for _, w := range backends {
		if _, _, ok := ResolveTargetPort(sp, w); ok {
			return nil
		}
	}
	var described []string
	p := &PortProblemFact{Pointer: e.Pointer + "/port", Field: "port", Value: e.Port, Problem: "target-undeclared",
		Related: []Loc{{Resource: svc.Resource, Pointer: sp.Pointer, Message: fmt.Sprintf("Service port %s targets %s", servicePortLabel(sp), sp.TargetPort)}}}
	seen := map[int]bool{}
	for _, w := range backends {
		if seen[w.Resource] {
			continue
		}
		seen[w.Resource] = true
		described = append(described, declaredPorts(w))
		p.Related = append(p.Related, Loc{Resource: w.Resource, Pointer: w.Spec + "/containers", Message: "containers of " + w.Display()})
	}
	p.Declared = fmt.Sprintf("Service %s/%s port %s targets %q; %s", svc.Namespace, svc.Name, servicePortLabel(sp), sp.TargetPort.Name, strings.Join(described, "; "))
	return p
}
