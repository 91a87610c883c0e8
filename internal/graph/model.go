// Package graph resolves the cross-resource facts meshlint's rules rest on:
// which pods a Service or monitor selects, which container port a scrape
// reaches, whether that pod has a sidecar, and the effective mTLS mode of
// every (workload, port). The rules in policies/ only read these facts.
package graph

import (
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
	"time"
)

// Mode is a PeerAuthentication mTLS mode.
type Mode string

const (
	ModeUnset      Mode = "UNSET"
	ModeDisable    Mode = "DISABLE"
	ModePermissive Mode = "PERMISSIVE"
	ModeStrict     Mode = "STRICT"
)

// Dataplane says what, if anything, enforces mTLS in front of a pod.
type Dataplane string

const (
	DataplaneSidecar Dataplane = "sidecar"
	DataplaneAmbient Dataplane = "ambient"
	DataplaneNone    Dataplane = "none"
	// DataplaneUnknown: the input does not say (no Namespace manifest and no
	// assumption); rules that depend on injection stay silent.
	DataplaneUnknown Dataplane = "unknown"
)

// Settings stand in for facts that manifests on disk do not carry (README.md,
// "Assumptions").
type Settings struct {
	RootNamespace    string // meshConfig.rootNamespace
	MeshDefaultMode  Mode   // mode when no mesh-level PeerAuthentication is in the input
	MeshModeExplicit bool   // --mesh-mtls or mesh.defaultMode was given
	// MeshModeSource names the setting that gave MeshDefaultMode, for the
	// [assumes: ...] of findings resting on it; "" means Istio's default.
	MeshModeSource string
	// AssumeInjection applies to namespaces with no Namespace manifest:
	// "auto" (injected when an Istio resource names the namespace, else
	// unknown), "enabled", "disabled" or "unknown".
	AssumeInjection       string
	DefaultNamespace      string
	EnablePrometheusMerge bool
}

// DefaultSettings are Istio's own defaults.
func DefaultSettings() Settings {
	return Settings{
		RootNamespace:         "istio-system",
		MeshDefaultMode:       ModePermissive,
		AssumeInjection:       "auto",
		DefaultNamespace:      "default",
		EnablePrometheusMerge: true,
	}
}

// Resource is one object in the input. Everything in the graph points back
// to its Resource so findings can name it and locate fields in it.
type Resource struct {
	ID        int
	Doc       *loader.Document
	Kind      string
	Namespace string // metadata.namespace, or the default namespace
	Name      string

	annotationJob hint // see reading.annotationJob
}

// Ref names a field of a resource: what a finding or a related location
// points at.
type Ref struct {
	Resource int
	Pointer  string
}

// Problem is a field the API server would reject that a rule needs.
type Problem struct {
	Resource int
	Pointer  string
	Message  string
	Internal bool // a recovered panic: a bug in meshlint, not in the manifest
	// Kind is finding.Unreadable (the zero value) for a field the graph
	// cannot read, finding.InvalidPeerAuthentication for a value Istio's
	// validation rejects in a PeerAuthentication.
	Kind finding.Kind
}

// Namespace is what the input says about a namespace.
type Namespace struct {
	Name     string
	Resource int // -1 when no Namespace manifest is in the input
	Labels   map[string]string
	// IstioEvidence is the first Istio resource found in the namespace; it
	// backs the "auto" injection assumption.
	IstioEvidence int
}

// ContainerPort is a port declared by a container of a pod template.
type ContainerPort struct {
	Container string
	Name      string
	Port      int
	Pointer   string // JSON pointer of the port entry
}

// Workload is a pod template: the pod of a Pod, or the template of a
// controller. Labels and annotations are the template's.
type Workload struct {
	Resource  int
	Kind      string
	Namespace string
	Name      string
	display   string // Display, set when the graph is frozen
	Template  string // JSON pointer of the pod template ("" for a Pod)
	// Meta is the JSON pointer of the pod metadata (labels, annotations) and
	// Spec of the pod spec: "/spec/template/metadata" and "/spec/template/spec"
	// for a Deployment, "/spec/podMetadata" and "/spec" for a Prometheus.
	Meta        string
	Spec        string
	Labels      map[string]string
	Annotations map[string]string
	HostNetwork bool
	Ports       []ContainerPort
	// HasProxy is true when the manifest already shows an injected
	// istio-proxy container (istioctl kube-inject output).
	HasProxy bool
	// ScraperPod: the pod an operator runs for a scraper of the input (a
	// Prometheus), not a pod template the input declares.
	ScraperPod bool
	// Misplaced are the Istio and Prometheus keys in the controller's own
	// metadata that only work on the pod template (istio-annotations-misplaced).
	Misplaced []MetadataKey

	Injection Injection
}

// Display is "Deployment shop/cart".
func (w *Workload) Display() string {
	if w.display != "" {
		return w.display
	}
	return w.Kind + " " + w.Namespace + "/" + w.Name
}

// ServicePort is one entry of a Service's spec.ports.
type ServicePort struct {
	Name       string
	Port       int
	TargetPort IntOrString // defaults to Port
	Pointer    string
	// AppProtocol is spec.ports[].appProtocol ("" when unset).
	AppProtocol string
}

// Service is a Kubernetes Service.
type Service struct {
	Resource  int
	Namespace string
	Name      string
	Labels    map[string]string
	Selector  map[string]string // empty: selects no pods (endpoints managed elsewhere)
	Ports     []ServicePort
	Headless  bool
	// Endpointed are the workloads a selector-less Service reaches through
	// the Endpoints or EndpointSlice objects in the input (endpoints.go),
	// and EndpointsFrom names the first of those objects for messages.
	Endpointed        []*Workload
	EndpointsFrom     string
	EndpointsResource int
}

// PeerAuthentication is an Istio PeerAuthentication (v1 or v1beta1).
type PeerAuthentication struct {
	Resource    int
	Namespace   string
	Name        string
	MatchLabels map[string]string // empty or nil: no workload selector
	HasSelector bool              // selector.matchLabels has at least one label
	// SelectorPointer is where the selector is written: "/spec/selector",
	// or its matchLabels when present; "" when there is no selector. An
	// empty selector makes the policy namespace- or mesh-wide (docs/model.md#empty-workload-selector).
	SelectorPointer  string
	Mode             Mode // spec.mtls.mode; UNSET when absent
	ModePointer      string
	PortLevel        []PortMode // sorted by port
	PortLevelPointer string
	Scope            Scope
	// FromCluster: the object comes from an export of a live cluster
	// (metadata.uid and resourceVersion set), so Created is the API
	// server's creation time and orders competing policies.
	FromCluster bool
	Created     time.Time
	// CreatedWritten: the manifest writes a creationTimestamp at all.
	CreatedWritten bool
}

// PortMode is one portLevelMtls entry.
type PortMode struct {
	Port    int
	Key     string // as written
	Mode    Mode
	Pointer string
}

// Scope is how Istio applies a PeerAuthentication (docs/model.md#peer-authentication-scope).
type Scope string

const (
	ScopeMesh      Scope = "mesh"
	ScopeNamespace Scope = "namespace"
	ScopeWorkload  Scope = "workload"
	ScopeIgnored   Scope = "ignored" // selector policy in the root namespace
)

// TLSFile is a file-based TLS setting of a scrape (caFile, certFile, keyFile).
type TLSFile struct {
	Field   string // caFile, certFile or keyFile
	Path    string
	Pointer string
}

// TLSConfig is the part of a monitor's or scrape class's tlsConfig that
// matters for Istio certs.
type TLSConfig struct {
	Present            bool
	Pointer            string
	Files              []TLSFile
	HasSecretCA        bool
	HasSecretCert      bool
	HasSecretKey       bool
	InsecureSkipVerify bool
	SkipVerifySet      bool
	SkipVerifyPointer  string
	ServerName         string // serverName: the name the app's own certificate carries
	// SafeSet: a field of Prometheus Operator's SafeTLSConfig is written
	// (ca, cert, keySecret, serverName, insecureSkipVerify, minVersion,
	// maxVersion), i.e. the block is not zero once file fields are dropped.
	SafeSet bool
	// Dropped are file fields written where the schema has none (a
	// PodMonitor endpoint's SafeTLSConfig): the API server rejects them or
	// the client prunes them, so the operator never sees them.
	Dropped []TLSFile
}

// keepSafeFields reduces t to Prometheus Operator's SafeTLSConfig, the type
// of a PodMonitor endpoint's tlsConfig: no caFile, certFile or keyFile
// (pkg/apis/monitoring/v1/http_config.go HTTPConfig.TLSConfig). The
// operator treats a zero SafeTLSConfig like an absent one, so a scrape
// class's TLS then applies wholesale (pkg/prometheus/promcfg.go
// mergeSafeTLSConfigWithScrapeClass).
func (t *TLSConfig) keepSafeFields() {
	t.Dropped, t.Files = t.Files, nil
	t.Present = t.SafeSet
}

// Endpoint is one endpoint of a scrape source (a ServiceMonitor endpoint,
// a PodMonitor podMetricsEndpoint).
type Endpoint struct {
	Index   int
	Pointer string
	// Role is how the endpoint finds its targets; Static are its host:port
	// targets when that is RoleStatic.
	Role   Role
	Static []StaticTarget
	// ServicePortsOnly: the targets are the Services' own ports (service
	// discovery role "service"), not every port of the pods behind them.
	ServicePortsOnly bool
	Port             string // port name
	PortNumber       int    // PodMonitor portNumber
	TargetPort       IntOrString
	Scheme           string // lower case; "" when unset (http)
	SchemePointer    string
	TLS              TLSConfig
	// Relabeled is set when relabelings rewrite the address or filter
	// targets, so the scraped port cannot be derived from the port fields.
	Relabeled bool
	// BearerTokenFile is the deprecated file-based bearer token of a
	// ServiceMonitor endpoint ("" when unset).
	BearerTokenFile        string
	BearerTokenFilePointer string
}

// Monitor is a scrape source object (a ServiceMonitor, a PodMonitor...):
// endpoints that a scraper of its Source's family scrapes.
type Monitor struct {
	Resource           int
	Kind               string
	display            string // Display, set when the graph is frozen
	Source             *SourceKind
	Role               Role // how its endpoints find targets
	Namespace          string
	Name               string
	Labels             map[string]string
	Selector           *LabelSelector
	SelectorPointer    string
	AnyNamespace       bool
	MatchNamespaces    []string // empty: the monitor's own namespace
	ScrapeClass        string
	ScrapeClassPointer string
	Endpoints          []Endpoint
}

// Display is "ServiceMonitor shop/cart".
func (m *Monitor) Display() string {
	if m.display != "" {
		return m.display
	}
	return m.Kind + " " + m.Namespace + "/" + m.Name
}

// Volume is a pod volume, as far as the cert recipe needs it.
type Volume struct {
	Name          string
	Pointer       string
	EmptyDir      bool
	Medium        string
	MediumPointer string
}

// VolumeMount is a mount of the Prometheus container.
type VolumeMount struct {
	Name      string
	MountPath string
	Pointer   string
}

// ScrapeClass is an entry of Prometheus spec.scrapeClasses.
type ScrapeClass struct {
	Name    string
	Default bool
	TLS     TLSConfig
	Pointer string
}

// StaticTarget is a host:port target written in a scrape source.
type StaticTarget struct {
	Address string
	Pointer string
}

// Prometheus is a scraper CR (a Prometheus), with the pod it produces.
type Prometheus struct {
	Resource  int
	Kind      string
	display   string // Display, set when the graph is frozen
	Scraper   *ScraperKind
	Namespace string
	Name      string

	// Selectors are the scraper's source selectors by spec field
	// ("serviceMonitorSelector"); an absent field is nil.
	Selectors map[string]*LabelSelector

	PodLabels          map[string]string
	PodAnnotations     map[string]string
	PodMetadataPointer string
	Volumes            []Volume
	VolumeMounts       []VolumeMount
	ScrapeClasses      []ScrapeClass
	Pod                *Workload // the Prometheus pod, for injection

	// ArbitraryFSDeny is spec.arbitraryFSAccessThroughSMs.deny: the operator
	// then rejects ServiceMonitors that read files (docs/model.md#arbitrary-fs-access).
	ArbitraryFSDeny        bool
	ArbitraryFSDenyPointer string

	// Misplaced are Istio and Prometheus keys in the CR's own metadata that
	// only work in spec.podMetadata.
	Misplaced []MetadataKey

	exported *CertExport // ExportedCerts, read once: it parses annotations
}

// LegacyPolicy is an authentication.istio.io Policy or MeshPolicy, removed
// in Istio 1.6: what it tried to configure, for the finding.
type LegacyPolicy struct {
	Resource int
	Peers    bool // spec.peers: mTLS, now PeerAuthentication
	Origins  bool // spec.origins: JWT, now RequestAuthentication
}

// Display is "Prometheus monitoring/k8s".
func (p *Prometheus) Display() string {
	if p.display != "" {
		return p.display
	}
	return p.Kind + " " + p.Namespace + "/" + p.Name
}

// Graph is the resolved model of the input.
type Graph struct {
	Settings   Settings
	Resources  []*Resource
	Namespaces map[string]*Namespace
	Workloads  []*Workload
	Services   []*Service
	PeerAuths  []*PeerAuthentication
	Monitors   []*Monitor
	Prometheus []*Prometheus
	// Endpoints are the Endpoints and EndpointSlice objects that name pods.
	Endpoints []*EndpointRefs
	// LegacyPolicies are the removed v1alpha1 Policy and MeshPolicy objects.
	LegacyPolicies []*LegacyPolicy
	Problems       []Problem

	workloadsByNS map[string][]*Workload
	servicesByNS  map[string][]*Service
	peerAuthsByNS map[string][]*PeerAuthentication
	podsByLabel   map[string][]*Workload // index.go
	selIndex      *selectionIndex        // index.go
	endpointedNS  map[string]bool        // namespaces with a selector-less Service that has endpoints (endpoints.go)
	// selectedServices caches SelectedServices per monitor (targets.go).
	selectedServices map[*Monitor][]*Service
	// frozen: every cache above and below is filled, and the graph is only
	// read from then on, by several goroutines at once (parallel.go).
	frozen bool
	// meshAssumption is meshModeAssumption, worked out when frozen.
	meshAssumption string
	// countedTargets are the targets CheckFactLimit resolved to count the
	// facts, by monitor and endpoint index, and selecting the Prometheus
	// servers that select each monitor (Selects), for Facts to take instead
	// of resolving them a second time (budget.go).
	countedTargets [][][]Target
	selecting      [][]*Prometheus
	incomplete     map[string]bool // incompleteNamespaces, once worked out
	hidden         map[string]bool // hiddenNamespaces, once worked out
	operatorPodNS  map[string]bool // operatorPods, once worked out
	// labelSets and annotationSets share equal maps among the documents
	// a Builder reads (labelsets.go); nil shares none.
	labelSets, annotationSets *labelSets
}

// labels reads labels or a selector's labels (labelMap), shared.
func (g *Graph) labels(v any, pointer string) (map[string]string, *fieldError) {
	return g.labelSets.read(v, pointer, labelMap)
}

// annotations reads annotations (annotationMap), shared.
func (g *Graph) annotations(v any, pointer string) (map[string]string, *fieldError) {
	return g.annotationSets.read(v, pointer, annotationMap)
}
