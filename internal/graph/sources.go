package graph

import (
	"strings"

	"github.com/meshlint/meshlint/internal/k8s"
)

// A scrape source is anything that makes a scraper scrape container ports
// of the mesh: a ServiceMonitor, a PodMonitor, and so on. Every kind enters
// the model here, as a row of sourceKinds, and becomes Monitors whose
// endpoints say "scrape container port P of workload W, with this TLS, by
// this scraper". The rules read only that; none tests a Kubernetes kind.
// A scraper (a Prometheus) enters the same way, as a row of scraperKinds.

// Role is how an endpoint finds its targets, after Prometheus's Kubernetes
// service discovery roles (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#kubernetes_sd_config).
type Role string

const (
	// RoleService: the endpoints of the Services the selector matches.
	RoleService Role = "service"
	// RolePod: the pods the selector matches.
	RolePod Role = "pod"
	// RoleStatic: host:port targets written out; a Service DNS name of the
	// input resolves to the pods behind it.
	RoleStatic Role = "static"
)

// Scraper families: which scrapers a source's objects are picked up by.
const (
	FamilyPrometheusOperator = "prometheus-operator"
	FamilyVictoriaMetrics    = "victoriametrics"
	// FamilyAzureManaged is Azure Monitor's managed Prometheus: its scraper,
	// the ama-metrics add-on in kube-system, is never in the manifests.
	FamilyAzureManaged = "azure-managed-prometheus"
)

// familyScrapers names the scrapers of each family, for messages.
var familyScrapers = map[string]string{
	FamilyPrometheusOperator: "Prometheus",
	FamilyVictoriaMetrics:    "VMAgent or VMSingle",
}

// azureNoIstioCerts is why a scrape by Azure's managed Prometheus cannot
// present an Istio client certificate.
const azureNoIstioCerts = "Azure Monitor's managed Prometheus scrapes it from the ama-metrics pods in kube-system, outside the mesh, which hold no Istio client certificate to present"

// SourceKind is a kind of scrape source and how its objects read.
type SourceKind struct {
	Group string // API group
	Kind  string
	Role  Role
	// Family names the scrapers that select it (scraperKinds); Selector and
	// NamespaceSelector are their spec fields that do.
	Family            string
	Selector          string
	NamespaceSelector string
	// Converted are the other families whose operator converts objects of
	// this kind into its own, keeping name, namespace and labels, and the
	// selector fields by which their scrapers then select them.
	Converted map[string][2]string
	// Endpoints is the spec field listing the endpoints, Relabelings the
	// endpoint field holding relabel configs.
	Endpoints   string
	Relabelings string
	// PortNumber: endpoints may pick a container port by number.
	PortNumber bool
	// FileTLS: the endpoint's tlsConfig may name files in the scraper's
	// container (caFile, certFile, keyFile), the way Istio certs are
	// presented. NoFileTLS says why not, for the findings, when it may not.
	FileTLS   bool
	NoFileTLS string
	// SafeTLS: the tlsConfig schema is the operator's SafeTLSConfig, which
	// has no file fields: kubectl rejects caFile/certFile/keyFile there and
	// Helm and Flux prune them, so they are dropped as the API server would.
	SafeTLS bool
	// BearerTokenFile: endpoints may read a bearer token from a file.
	BearerTokenFile bool
	// DiscoveryRole is the spec field that may switch service discovery
	// to the service role, whose targets are the Services' own ports.
	DiscoveryRole string
	// Read, when set, reads an object of the kind into Monitors instead of
	// addMonitor, for sources not shaped like a ServiceMonitor.
	Read func(g *Graph, r *Resource, k *SourceKind) *fieldError
}

// sourceKinds are the scrape sources meshlint reads.
var sourceKinds = []*SourceKind{
	// https://github.com/prometheus-operator/prometheus-operator/blob/main/Documentation/api-reference/api.md#monitoring.coreos.com/v1.ServiceMonitor
	{Group: "monitoring.coreos.com", Kind: "ServiceMonitor", Role: RoleService, Family: FamilyPrometheusOperator,
		Selector: "serviceMonitorSelector", NamespaceSelector: "serviceMonitorNamespaceSelector",
		Converted: map[string][2]string{FamilyVictoriaMetrics: {"serviceScrapeSelector", "serviceScrapeNamespaceSelector"}},
		Endpoints: "endpoints", Relabelings: "relabelings", FileTLS: true, BearerTokenFile: true},
	// A PodMonitor's tlsConfig is a SafeTLSConfig: Secrets and ConfigMaps
	// only (pkg/apis/monitoring/v1/podmonitor_types.go).
	{Group: "monitoring.coreos.com", Kind: "PodMonitor", Role: RolePod, Family: FamilyPrometheusOperator,
		Selector: "podMonitorSelector", NamespaceSelector: "podMonitorNamespaceSelector",
		Converted: map[string][2]string{FamilyVictoriaMetrics: {"podScrapeSelector", "podScrapeNamespaceSelector"}},
		Endpoints: "podMetricsEndpoints", Relabelings: "relabelings", PortNumber: true, SafeTLS: true,
		NoFileTLS: "A PodMonitor cannot reference Istio's cert files and no scrape class with Istio file TLS applies"},
	// A ScrapeConfig's tlsConfig is a SafeTLSConfig, like a PodMonitor's
	// (pkg/apis/monitoring/v1alpha1/scrapeconfig_types.go).
	{Group: "monitoring.coreos.com", Kind: "ScrapeConfig", Role: RoleStatic, Family: FamilyPrometheusOperator,
		Selector: "scrapeConfigSelector", NamespaceSelector: "scrapeConfigNamespaceSelector", Relabelings: "relabelings",
		Converted: map[string][2]string{FamilyVictoriaMetrics: {"scrapeConfigSelector", "scrapeConfigNamespaceSelector"}},
		NoFileTLS: "A ScrapeConfig's tlsConfig cannot reference Istio's cert files and no scrape class with Istio file TLS applies",
		Read:      (*Graph).addScrapeConfig},
	// Azure Monitor managed Prometheus reads the Prometheus Operator's
	// monitor shapes under its own group and ignores monitoring.coreos.com
	// (https://learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-crd).
	// Its scraper is implicit, outside the mesh and without Istio certs: the
	// scrape rules apply, the scraper setup and selection rules do not.
	{Group: "azmonitoring.coreos.com", Kind: "ServiceMonitor", Role: RoleService, Family: FamilyAzureManaged,
		Endpoints: "endpoints", Relabelings: "relabelings", NoFileTLS: azureNoIstioCerts},
	{Group: "azmonitoring.coreos.com", Kind: "PodMonitor", Role: RolePod, Family: FamilyAzureManaged,
		Endpoints: "podMetricsEndpoints", Relabelings: "relabelings", PortNumber: true, NoFileTLS: azureNoIstioCerts},
	// The VictoriaMetrics operator's scrape objects
	// (github.com/VictoriaMetrics/operator, api/operator/v1beta1). Their
	// TLSConfig takes caFile/certFile/keyFile on every kind, pod scrapes too,
	// so each can present Istio's exported certs; relabel configs are
	// relabelConfigs.
	{Group: "operator.victoriametrics.com", Kind: "VMServiceScrape", Role: RoleService, Family: FamilyVictoriaMetrics,
		Selector: "serviceScrapeSelector", NamespaceSelector: "serviceScrapeNamespaceSelector",
		Endpoints: "endpoints", Relabelings: "relabelConfigs", FileTLS: true, BearerTokenFile: true, DiscoveryRole: "discoveryRole"},
	{Group: "operator.victoriametrics.com", Kind: "VMPodScrape", Role: RolePod, Family: FamilyVictoriaMetrics,
		Selector: "podScrapeSelector", NamespaceSelector: "podScrapeNamespaceSelector",
		Endpoints: "podMetricsEndpoints", Relabelings: "relabelConfigs", PortNumber: true, FileTLS: true, BearerTokenFile: true},
	{Group: "operator.victoriametrics.com", Kind: "VMStaticScrape", Role: RoleStatic, Family: FamilyVictoriaMetrics,
		Selector: "staticScrapeSelector", NamespaceSelector: "staticScrapeNamespaceSelector",
		Endpoints: "targetEndpoints", Relabelings: "relabelConfigs", FileTLS: true, BearerTokenFile: true},
}

// ScraperKind is a kind of scraper whose pod the input configures: what
// its operator gives the pod, and how it selects sources.
type ScraperKind struct {
	Group, Kind string
	Family      string
	// Container is the scraping container, which must mount the certs.
	Container string
	// PodLabels are the labels the operator puts on the pod of the scraper
	// named name; spec.podMetadata.labels add to them.
	PodLabels func(name string) map[string]string
	// Ports are the ports the operator's containers serve.
	Ports []ContainerPort
	// Service is the Service the operator creates for the scraper named
	// name, and its labels.
	Service func(name string) (string, map[string]string)
	// Selection, when set, rewrites the selectors read from spec (the
	// fields sel and nsSel) into the Prometheus Operator's rules, for
	// operators whose null selectors mean something else.
	Selection func(spec map[string]any, selectors map[string]*LabelSelector, sel, nsSel string) *fieldError
}

var scraperKinds = []*ScraperKind{
	// The operator labels the pod itself; podMetadata adds to those. Its
	// containers serve the web UI and API on 9090 ("web") and the config
	// reloader's metrics on 8080 ("reloader-web"); a monitor scraping
	// Prometheus itself reaches these.
	{Group: "monitoring.coreos.com", Kind: "Prometheus", Family: FamilyPrometheusOperator, Container: "prometheus",
		PodLabels: func(name string) map[string]string {
			return map[string]string{"app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": name,
				"app.kubernetes.io/managed-by": "prometheus-operator", "prometheus": name}
		},
		Ports: []ContainerPort{
			{Container: "prometheus", Name: "web", Port: 9090, Pointer: "/spec"},
			{Container: "config-reloader", Name: "reloader-web", Port: 8080, Pointer: "/spec"},
		},
		Service: operatedService("prometheus-operated")},
	// A PrometheusAgent shares the Prometheus's CommonPrometheusFields
	// (podMetadata, volumes, volumeMounts, scrapeClasses, the selectors) and
	// scrapes what it selects the same way, so it is set up and checked as
	// one (pkg/apis/monitoring/v1alpha1/prometheusagent_types.go). Its pod
	// labels: makeSelectorLabels in pkg/prometheus/agent/operator.go.
	{Group: "monitoring.coreos.com", Kind: "PrometheusAgent", Family: FamilyPrometheusOperator, Container: "prometheus",
		PodLabels: func(name string) map[string]string {
			return map[string]string{"app.kubernetes.io/name": "prometheus-agent", "app.kubernetes.io/instance": name,
				"app.kubernetes.io/managed-by": "prometheus-operator", "operator.prometheus.io/name": name}
		},
		Ports: []ContainerPort{
			{Container: "prometheus", Name: "web", Port: 9090, Pointer: "/spec"},
			{Container: "config-reloader", Name: "reloader-web", Port: 8080, Pointer: "/spec"},
		},
		Service: operatedService("prometheus-agent-operated")},
	// VMAgent and VMSingle share CommonScrapeParams (the selectors,
	// selectAllByDefault, scrapeClasses) and CommonAppsParams (volumes,
	// volumeMounts, hostNetwork) and take spec.podMetadata, the fields a
	// Prometheus has (api/operator/v1beta1/common_scrapeparams.go,
	// vmextra_types.go). Pod labels: SelectorLabels in vmagent_types.go and
	// vmsingle_types.go; the operator's Service is vmagent-<name> or
	// vmsingle-<name> with those labels.
	{Group: "operator.victoriametrics.com", Kind: "VMAgent", Family: FamilyVictoriaMetrics, Container: "vmagent",
		PodLabels: vmPodLabels("vmagent"), Ports: []ContainerPort{{Container: "vmagent", Name: "http", Port: 8429, Pointer: "/spec"}},
		Service: vmService("vmagent"), Selection: vmSelection},
	{Group: "operator.victoriametrics.com", Kind: "VMSingle", Family: FamilyVictoriaMetrics, Container: "vmsingle",
		PodLabels: vmPodLabels("vmsingle"), Ports: []ContainerPort{{Container: "vmsingle", Name: "http", Port: 8428, Pointer: "/spec"}},
		Service: vmService("vmsingle"), Selection: vmSelection},
}

func vmPodLabels(app string) func(string) map[string]string {
	return func(name string) map[string]string {
		return map[string]string{"app.kubernetes.io/name": app, "app.kubernetes.io/instance": name,
			"app.kubernetes.io/component": "monitoring", "managed-by": "vm-operator"}
	}
}

func vmService(app string) func(string) (string, map[string]string) {
	return func(name string) (string, map[string]string) { return app + "-" + name, vmPodLabels(app)(name) }
}

// vmSelection rewrites the VictoriaMetrics operator's selector rules into
// the Prometheus Operator's (SelectorOpts in
// internal/controller/operator/factory/k8stools/selectors.go): with both
// selectors null, selectAllByDefault decides between everything and
// nothing; a null object selector beside a namespace selector selects every
// object of those namespaces; an object selector alone looks in the
// scraper's own namespace, as with Prometheus.
func vmSelection(spec map[string]any, selectors map[string]*LabelSelector, selField, nsField string) *fieldError {
	all, _, err := boolAt(spec, "selectAllByDefault", "/spec")
	if err != nil {
		return err
	}
	sel, nsSel := selectors[selField], selectors[nsField]
	switch {
	case sel == nil && nsSel == nil && all:
		selectors[selField], selectors[nsField] = &LabelSelector{}, &LabelSelector{}
	case sel == nil && nsSel != nil:
		selectors[selField] = &LabelSelector{}
	}
	return nil
}

// operatedService is the Prometheus Operator's governing Service of a
// scraper (makeGoverningService in pkg/prometheus/common.go).
func operatedService(name string) func(string) (string, map[string]string) {
	return func(string) (string, map[string]string) {
		return name, map[string]string{"operated-prometheus": "true", "app.kubernetes.io/managed-by": "prometheus-operator"}
	}
}

// roleObject is what a selector of that role picks, for messages.
func roleObject(r Role) string {
	switch r {
	case RoleService:
		return "Service"
	case RolePod:
		return "pod template"
	}
	return "target"
}

// ReadsKind reports whether the graph reads objects of this kind, for
// loader.Options.Kinds: the loader decodes those whole and checks them as
// Kubernetes objects, and only identifies the rest. It goes by the kind's
// name, whatever its group: add tells groups apart once the object is
// decoded (a Knative Service is checked as an object, then left out).
func ReadsKind(apiVersion, kind string) bool { return readKinds[kind] }

// readKinds are the kinds add reads, with the scrape sources and scrapers.
var readKinds = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{
		"Namespace", "Service", "Endpoints", "EndpointSlice",
		"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Rollout",
		"PeerAuthentication", "Policy", "MeshPolicy",
		// A Prometheus Operator Probe is not modelled, but has always been
		// checked as an object: what is reported about it stays the same.
		"Probe",
	} {
		m[k] = true
	}
	for _, k := range sourceKinds {
		m[k.Kind] = true
	}
	for _, k := range scraperKinds {
		m[k.Kind] = true
	}
	return m
}()

// sourceKindOf returns the scrape source kind of an object, or nil.
func sourceKindOf(apiVersion, kind string) *SourceKind {
	group := k8s.APIGroup(apiVersion)
	for _, k := range sourceKinds {
		if k.Kind == kind && k.Group == group {
			return k
		}
	}
	return nil
}

// scraperKindOf returns the scraper kind of an object, or nil.
func scraperKindOf(apiVersion, kind string) *ScraperKind {
	group := k8s.APIGroup(apiVersion)
	for _, k := range scraperKinds {
		if k.Kind == kind && k.Group == group {
			return k
		}
	}
	return nil
}

// modeledKind reports whether the graph reads objects of this kind as a
// scrape source or a scraper: they create no pods the model does not show.
func modeledKind(apiVersion, kind string) bool {
	return sourceKindOf(apiVersion, kind) != nil || scraperKindOf(apiVersion, kind) != nil
}

// selection is how a scraper selects a monitor of its family: the selectors it applies,
// under the Prometheus Operator's rules (a null selector selects nothing, a
// null namespace selector means the scraper's own namespace), and the spec
// fields they are written in.
func (p *Prometheus) selection(k *SourceKind) (sel, nsSel *LabelSelector, field, nsField string) {
	field, nsField, _ = k.selectorFields(p.Scraper.Family)
	return p.Selectors[field], p.Selectors[nsField], field, nsField
}

// selectorFields are the spec fields by which scrapers of a family select
// objects of kind k; ok is false when they never do.
func (k *SourceKind) selectorFields(family string) (sel, nsSel string, ok bool) {
	if k.Family == family {
		return k.Selector, k.NamespaceSelector, true
	}
	f, ok := k.Converted[family]
	return f[0], f[1], ok
}

// scraperNames names the scrapers of the families given, for messages.
func scraperNames(families []string) string {
	var names []string
	for _, f := range uniqueSorted(families) {
		names = append(names, familyScrapers[f])
	}
	return strings.Join(names, " or ")
}
