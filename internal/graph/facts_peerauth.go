package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/k8s"
	"github.com/meshlint/meshlint/internal/parallel"
)

// This file computes the facts of the full-tier peerauthentication rules
// (docs/model.md#peer-authentication-scope): per policy, what its selector and port entries meet in the
// input; the policies that compete at one level; and the workloads where a
// STRICT mode has no proxy to enforce it.

// PolicyFact is one PeerAuthentication as the rules see it, with one
// PortCheckFact per portLevelMtls entry.
type PolicyFact struct {
	Resource      int             `json:"resource"`
	Name          string          `json:"name"` // "shop/default"
	Namespace     string          `json:"namespace"`
	Scope         string          `json:"scope"`
	RootNamespace string          `json:"rootNamespace"`
	Mode          string          `json:"mode"`
	Selector      SelectorFact    `json:"selector"`
	PortLevel     PortLevelFact   `json:"portLevel"`
	Workloads     SelectionFact   `json:"workloads"`
	Ports         []PortCheckFact `json:"ports"`
}

// SelectorFact is a policy's spec.selector as written.
type SelectorFact struct {
	Present bool   `json:"present"` // spec.selector is a mapping (possibly empty)
	Empty   bool   `json:"empty"`   // present without any matchLabels
	Pointer string `json:"pointer"` // the most specific selector field
	Labels  string `json:"labels"`  // "app=cart, tier=web"
}

// PortLevelFact is a policy's spec.portLevelMtls as written.
type PortLevelFact struct {
	Present bool   `json:"present"`
	Empty   bool   `json:"empty"` // a mapping with no entries
	Pointer string `json:"pointer"`
}

// SelectionFact is what a workload policy's selector meets in the input.
type SelectionFact struct {
	Selected []Loc `json:"selected"` // message: "Deployment shop/cart"
	// Evident: the input evidently holds the workloads of the policy's
	// namespace, so an empty Selected means the selector matches nothing.
	Evident bool `json:"evident"`
	// Elsewhere are workloads in other namespaces that the labels match.
	Elsewhere []Loc `json:"elsewhere"`
}

// PortCheckFact is one portLevelMtls entry and what it meets on the
// selected workloads.
type PortCheckFact struct {
	Port    int    `json:"port"`
	Mode    string `json:"mode"`
	Pointer string `json:"pointer"`
	// IstioPort: 15020, 15021, 15090 or a selected workload's status port,
	// which the sidecar never intercepts.
	IstioPort bool `json:"istioPort"`
	// DeclaredOn: selected workloads with a container port of this number.
	DeclaredOn []string `json:"declaredOn"`
	// Undeclared: selected workloads without it, with the ports they do
	// declare, e.g. "Deployment shop/cart (declares 8080, 9090)".
	Undeclared []string `json:"undeclared"`
	// NoPorts: selected workloads that declare no container port at all, so
	// nothing can be said about the ports they listen on.
	NoPorts []string `json:"noPorts"`
	// ServicePortMisuse: the key is a Service port targeting another
	// container port (port-level-mtls-on-service-port reports it):
	// Misuses is not empty.
	ServicePortMisuse bool `json:"servicePortMisuse"`
	// Misuses and Shared are the entry's servicePortMisuse and shared in
	// input.peerAuthentications (see PeerAuthFact), which shows them.
	Misuses []MisuseFact `json:"-"`
	Shared  []SharedFact `json:"-"`
	// TargetedBy: Service ports that reach this container port.
	TargetedBy []Loc `json:"targetedBy"`
	// Uncaptured: sidecar workloads whose sidecar does not intercept the
	// port, with why. Captured counts those that do.
	Uncaptured []string `json:"uncaptured"`
	Captured   int      `json:"captured"`
	// ScrapedBy: monitors and annotations that scrape the port.
	ScrapedBy []string `json:"scrapedBy"`
	// BaseStrict: without this entry the port would be STRICT on some
	// selected workload, so a PERMISSIVE entry opens a hole.
	BaseStrict bool `json:"baseStrict"`
	// Assumptions: BaseStrict rests on the mesh-wide mode setting, no
	// mesh-wide policy in the input.
	Assumptions []string `json:"assumptions"`
}

// ConflictFact is a set of policies at one level of which Istio applies
// only the oldest (docs/model.md#peer-authentication-precedence).
type ConflictFact struct {
	Level string `json:"level"` // mesh, namespace or workload
	// Where: "namespace shop", "the mesh (root namespace istio-system)",
	// or the workloads both select.
	Where     string      `json:"where"`
	Winner    PolicyRef   `json:"winner"` // best guess: the name that sorts first
	Others    []PolicyRef `json:"others"`
	Workloads []string    `json:"workloads"`
	// FromCluster: every policy comes from a cluster export, so their
	// creation times decide and Winner is the one Istio uses.
	FromCluster bool `json:"fromCluster"`
	// TimestampWritten: some manifest writes a creationTimestamp, which
	// the API server replaces on create (only when not FromCluster).
	TimestampWritten bool `json:"timestampWritten"`
	// Differ: their modes or port maps differ, so the outcome matters.
	Differ     bool   `json:"differ"`
	Difference string `json:"difference"`
}

// PolicyRef names a policy in a conflict.
type PolicyRef struct {
	Resource int    `json:"resource"`
	Name     string `json:"name"`
	Pointer  string `json:"pointer"`
	Mode     string `json:"mode"`
	Ports    string `json:"ports"` // "{9090: PERMISSIVE}" or "none"
	// Created is the creation time of a policy from a cluster export
	// (RFC 3339), "" otherwise.
	Created string `json:"created"`
	// EmptySelector: `selector: {}` made this namespace- or mesh-wide.
	EmptySelector bool `json:"emptySelector"`
}

// ProxylessStrictFact is a workload on which STRICT applies while nothing
// enforces it: no sidecar and no ambient (docs/model.md#no-proxy).
type ProxylessStrictFact struct {
	Resource    int    `json:"resource"`
	Workload    string `json:"workload"`
	Kind        string `json:"kind"`
	Pointer     string `json:"pointer"` // the field of the workload that keeps the proxy away
	Reason      string `json:"reason"`  // why it has no proxy
	Level       string `json:"level"`   // where STRICT comes from: mesh, namespace, workload, port, default
	ModeExplain string `json:"modeExplain"`
	Ports       string `json:"ports"` // "8080, 9090" or "" when it declares none
	// NamespaceMeshed: the namespace is in the mesh (injection or ambient
	// label, or some workload of it has a proxy).
	NamespaceMeshed bool     `json:"namespaceMeshed"`
	Serves          bool     `json:"serves"` // declares a port or sits behind a Service
	Batch           bool     `json:"batch"`  // Job or CronJob: runs to completion
	Assumptions     []string `json:"assumptions"`
	Related         []Loc    `json:"related"`
}

// ProxylessNamespaceFact is a namespace-wide STRICT policy in a namespace
// where no workload has a proxy.
type ProxylessNamespaceFact struct {
	Resource    int      `json:"resource"`
	Policy      string   `json:"policy"`
	Pointer     string   `json:"pointer"`
	Namespace   string   `json:"namespace"`
	Why         string   `json:"why"`
	Workloads   []string `json:"workloads"`
	Assumptions []string `json:"assumptions"`
	Related     []Loc    `json:"related"`
}

// RemovedPolicyFact is an object of the removed authentication.istio.io API.
type RemovedPolicyFact struct {
	Resource   int    `json:"resource"`
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Name       string `json:"name"`
	Peers      bool   `json:"peers"`   // spec.peers: the mTLS part, now PeerAuthentication
	Origins    bool   `json:"origins"` // spec.origins: the JWT part, now RequestAuthentication
}

// PeerAuthReview holds the facts of the full-tier peerauthentication rules.
type PeerAuthReview struct {
	Policies            []PolicyFact             `json:"policies"`
	Conflicts           []ConflictFact           `json:"conflicts"`
	ProxylessStrict     []ProxylessStrictFact    `json:"proxylessStrict"`
	ProxylessNamespaces []ProxylessNamespaceFact `json:"proxylessNamespaces"`
	RemovedPolicies     []RemovedPolicyFact      `json:"removedPolicies"`
}

// uncapturedIstioPorts are never intercepted by the sidecar (docs/model.md#uncaptured-ports).
var uncapturedIstioPorts = map[int]bool{15020: true, 15021: true, 15090: true}

// peerAuthAndMergeFacts computes the PeerAuthentication review, the merge
// facts and the ambient annotation scrapes, given the scrapes Facts
// resolved and who scrapes which port: the facts of each policy, and the
// other parts, in parallel (forEach).
func (g *Graph) peerAuthAndMergeFacts(scrapes []ScrapeFact, scraped scrapedPorts) (rv PeerAuthReview, merge []MergeFact, ambient []AmbientAnnotationScrapeFact) {
	rv = PeerAuthReview{Policies: make([]PolicyFact, len(g.PeerAuths)), RemovedPolicies: []RemovedPolicyFact{}}
	// Each part is claimed on its own, so that the longest ones start
	// first; the policies are spread over the cores again.
	parts := []func(){
		func() { rv.Conflicts = g.peerAuthConflicts() },
		func() {
			parallel.ForEach(len(g.PeerAuths), func(i int) { rv.Policies[i] = g.policyFact(g.PeerAuths[i], scraped) })
		},
		func() { merge = g.mergeFacts(scrapes, scraped) },
		func() { rv.ProxylessStrict, rv.ProxylessNamespaces = g.proxylessStrict() },
		func() { ambient = g.AmbientAnnotationScrapes() },
	}
	parallel.ForEach(len(parts), func(i int) { parts[i]() })
	for _, lp := range g.LegacyPolicies {
		r := g.Resources[lp.Resource]
		name := r.Name
		if r.Namespace != "" && r.Kind == "Policy" {
			name = r.Namespace + "/" + r.Name
		}
		rv.RemovedPolicies = append(rv.RemovedPolicies, RemovedPolicyFact{Resource: r.ID, Kind: r.Kind, APIVersion: r.Doc.APIVersion, Name: name,
			Peers: lp.Peers, Origins: lp.Origins})
	}
	return rv, merge, ambient
}

func podTemplateLoc(w *Workload) Loc {
	return Loc{Resource: w.Resource, Pointer: w.Meta + "/labels", Message: w.Display()}
}

func matchLabelsText(m map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ", ")
}

func (g *Graph) policyFact(pa *PeerAuthentication, scraped scrapedPorts) PolicyFact {
	pf := PolicyFact{Resource: pa.Resource, Name: pa.Namespace + "/" + pa.Name, Namespace: pa.Namespace, Scope: string(pa.Scope),
		RootNamespace: g.Settings.RootNamespace, Mode: string(pa.Mode), Ports: []PortCheckFact{},
		Workloads: SelectionFact{Selected: []Loc{}, Elsewhere: []Loc{}}}
	if pa.SelectorPointer != "" { // see emptySelector
		pf.Selector = SelectorFact{Present: true, Empty: !pa.HasSelector, Pointer: pa.SelectorPointer, Labels: matchLabelsText(pa.MatchLabels)}
	}
	if pa.PortLevelPointer != "" {
		pf.PortLevel = PortLevelFact{Present: true, Empty: len(pa.PortLevel) == 0, Pointer: pa.PortLevelPointer}
	}
	if pa.Scope == ScopeWorkload || pa.Scope == ScopeIgnored {
		for _, w := range g.podsMatching(pa.MatchLabels) { // indexed: policies × workloads otherwise
			if pa.Scope == ScopeWorkload && w.Namespace == pa.Namespace {
				pf.Workloads.Selected = append(pf.Workloads.Selected, podTemplateLoc(w))
			} else if len(pf.Workloads.Elsewhere) < 3 {
				pf.Workloads.Elsewhere = append(pf.Workloads.Elsewhere, podTemplateLoc(w))
			}
		}
	}
	if pa.Scope == ScopeWorkload {
		pf.Workloads.Evident = g.namespaceWorkloadsEvident(pa)
	}
	workloads := g.SelectedWorkloads(pa)
	for _, pm := range pa.PortLevel {
		pf.Ports = append(pf.Ports, g.portCheck(pm, workloads, scraped))
	}
	return pf
}

// workloadsAndPrometheusPods lists the pod templates and the Prometheus pods.
func (g *Graph) workloadsAndPrometheusPods() []*Workload {
	out := make([]*Workload, 0, len(g.Workloads)+len(g.Prometheus))
	out = append(out, g.Workloads...)
	for _, p := range g.Prometheus {
		out = append(out, p.Pod)
	}
	return out
}

func (g *Graph) portCheck(pm PortMode, workloads []*Workload, scraped scrapedPorts) PortCheckFact {
	pc := PortCheckFact{Port: pm.Port, Mode: string(pm.Mode), Pointer: pm.Pointer, IstioPort: uncapturedIstioPorts[pm.Port],
		DeclaredOn: []string{}, Undeclared: []string{}, NoPorts: []string{}, Misuses: []MisuseFact{}, Shared: []SharedFact{},
		TargetedBy: []Loc{}, Uncaptured: []string{}, ScrapedBy: []string{}, Assumptions: []string{}}
	for _, w := range workloads {
		if status, ok := w.Annotations["status.sidecar.istio.io/port"]; ok && strings.TrimSpace(status) == strconv.Itoa(pm.Port) {
			pc.IstioPort = true
		}
		switch {
		case w.declared(pm.Port) != nil:
			pc.DeclaredOn = append(pc.DeclaredOn, w.Display())
		case len(w.Ports) == 0:
			pc.NoPorts = append(pc.NoPorts, w.Display())
		default:
			var nums []string
			for _, cp := range w.Ports {
				nums = append(nums, strconv.Itoa(cp.Port))
			}
			pc.Undeclared = append(pc.Undeclared, fmt.Sprintf("%s (declares %s)", w.Display(), strings.Join(uniqueSorted(nums), ", ")))
		}
		pc.Misuses = append(pc.Misuses, g.servicePortMisuse(pm.Port, w)...)
		if pm.Mode == ModePermissive || pm.Mode == ModeDisable {
			if sf, ok := g.sharedMetricsPort(pm.Port, w, scraped); ok {
				pc.Shared = append(pc.Shared, sf)
			}
		}
		for _, svc := range g.ServicesOf(w) {
			for i := range svc.Ports {
				sp := &svc.Ports[i]
				if target, _, ok := ResolveTargetPort(sp, w); ok && target == pm.Port {
					pc.TargetedBy = append(pc.TargetedBy, Loc{Resource: svc.Resource, Pointer: sp.Pointer,
						Message: fmt.Sprintf("Service %s/%s port %d targets container port %d", svc.Namespace, svc.Name, sp.Port, pm.Port)})
				}
			}
		}
		if w.Injection.Dataplane == DataplaneSidecar {
			if captured, why := w.Captured(pm.Port); captured {
				pc.Captured++
			} else {
				pc.Uncaptured = append(pc.Uncaptured, w.Display()+": "+why)
			}
		}
		pc.ScrapedBy = append(pc.ScrapedBy, scraped.scrapers(w, pm.Port)...)
		if v, ok := w.Annotations["prometheus.io/port"]; ok && strings.TrimSpace(v) == strconv.Itoa(pm.Port) {
			pc.ScrapedBy = append(pc.ScrapedBy, "the prometheus.io/port annotation of "+w.Display())
		} else if !ok && w.Annotations["prometheus.io/scrape"] == "true" {
			pc.ScrapedBy = append(pc.ScrapedBy, "the prometheus.io/scrape annotation of "+w.Display())
		}
		if base := g.EffectiveMode(w, 0); base.Mode == ModeStrict {
			pc.BaseStrict = true
			if base.Assumed != "" && !slices.Contains(pc.Assumptions, base.Assumed) {
				pc.Assumptions = append(pc.Assumptions, base.Assumed)
			}
		}
	}
	pc.ServicePortMisuse = len(pc.Misuses) > 0
	pc.DeclaredOn, pc.ScrapedBy = uniqueSorted(pc.DeclaredOn), uniqueSorted(pc.ScrapedBy)
	if pc.DeclaredOn == nil {
		pc.DeclaredOn = []string{}
	}
	if pc.ScrapedBy == nil {
		pc.ScrapedBy = []string{}
	}
	pc.TargetedBy = dedupeLocs(pc.TargetedBy)
	if pc.TargetedBy == nil {
		pc.TargetedBy = []Loc{}
	}
	return pc
}

// mayBeSelectedBy lists the workloads a monitor's selector reaches, before
// any relabeling.
func (g *Graph) mayBeSelectedBy(m *Monitor) []*Workload {
	var out []*Workload
	switch m.Role {
	case RolePod:
		return g.SelectedPods(m)
	case RoleService:
		for _, svc := range g.SelectedServices(m) {
			out = append(out, g.BackendsOf(svc)...)
		}
	case RoleStatic:
		for i := range m.Endpoints {
			for _, st := range m.Endpoints[i].Static {
				if svc, sp := g.staticService(st.Address); sp != nil {
					out = append(out, g.BackendsOf(svc)...)
				}
			}
		}
	}
	return out
}

// podlessKinds are kinds that never create pods. A namespace holding any
// other kind meshlint does not model (an operator's custom resource, a
// Gateway API Gateway, an Alertmanager) may run pods the input does not
// show.
var podlessKinds = map[string]bool{
	"Service": true, "ConfigMap": true, "Secret": true, "ServiceAccount": true, "Endpoints": true, "EndpointSlice": true,
	"PersistentVolumeClaim": true, "LimitRange": true, "ResourceQuota": true, "Event": true, "Namespace": true,
	"Role": true, "RoleBinding": true, "NetworkPolicy": true, "Ingress": true, "PodDisruptionBudget": true,
	"HorizontalPodAutoscaler": true, "VerticalPodAutoscaler": true, "ControllerRevision": true, "Lease": true,
	"PeerAuthentication": true, "AuthorizationPolicy": true, "RequestAuthentication": true, "DestinationRule": true,
	"VirtualService": true, "ServiceEntry": true, "Sidecar": true, "EnvoyFilter": true, "Telemetry": true,
	"WorkloadEntry": true, "WorkloadGroup": true, "ProxyConfig": true, "WasmPlugin": true,
	"ServiceMonitor": true, "PodMonitor": true, "PrometheusRule": true, "Probe": true, "ScrapeConfig": true,
	"AlertmanagerConfig": true, "Certificate": true, "Issuer": true, "CertificateRequest": true,
	"HTTPRoute": true, "GRPCRoute": true, "TCPRoute": true, "TLSRoute": true, "ReferenceGrant": true,
	"ExternalSecret": true, "SealedSecret": true, "PodMonitorList": true, "PodSecurityPolicy": true,
}

// modeledWorkloadKinds are the kinds whose pods the graph models.
var modeledWorkloadKinds = map[string]bool{
	"Pod": true, "Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true,
	"ReplicationController": true, "Job": true, "CronJob": true, "Rollout": true, "Prometheus": true,
}

// hiddenNamespaces is the one answer to "may this namespace hold
// workloads or Services that the input does not show", for the monitor
// facts (does a selector that matches nothing mean it) and the
// PeerAuthentication facts (does a policy that selects nothing mean it).
// A namespace is hidden when the cluster fills it itself, a Flux or Argo
// CD object of the input deploys more into it, an incomplete build touches
// it, or it holds an object that may create pods or Services the graph
// does not model (see createsUnmodeled). Worked out once per graph.
func (g *Graph) hiddenNamespaces() map[string]bool {
	if g.hidden != nil {
		return g.hidden
	}
	out := map[string]bool{}
	for ns := range clusterNamespaces {
		out[ns] = true
	}
	for _, r := range g.Resources {
		if ns, ok := deployTarget(r); ok {
			out[ns] = true
		}
		if r.Namespace != "" && createsUnmodeled(r) {
			out[r.Namespace] = true
		}
	}
	for ns := range g.incompleteNamespaces() {
		out[ns] = true
	}
	g.hidden = out
	return out
}

// createsUnmodeled reports whether an object may create pods or Services
// that the graph does not model. Only what is known to create neither is
// ruled out: the kinds the graph models (workloads, monitors, scrapers),
// the Alertmanagers and ThanosRulers whose Services and pods the monitor
// wiring derives (see operatorPods), and, from the API groups of
// Kubernetes and of projects that create neither (passiveGroups), the
// kinds that never do (podlessKinds) and an Istio Gateway, which
// configures pods that exist. An operator's object of any other group
// may, whatever its kind, and so may another kind of a quiet group.
func createsUnmodeled(r *Resource) bool {
	switch {
	case modeledKind(r.Doc.APIVersion, r.Kind) || operatorRunsPods(r):
		return false
	case !passiveGroups[k8s.APIGroup(r.Doc.APIVersion)]:
		return true
	case modeledWorkloadKinds[r.Kind] || podlessKinds[r.Kind]:
		return false
	case r.Kind == "Gateway" && strings.HasPrefix(r.Doc.APIVersion, "networking.istio.io/"):
		return false
	}
	return true
}

// operatorRunsPods reports an Alertmanager or ThanosRuler: the operator
// runs pods and creates Services for it, which the monitor wiring knows
// by their labels but which are no workloads of the graph.
func operatorRunsPods(r *Resource) bool {
	return strings.HasPrefix(r.Doc.APIVersion, operatorGroup) && (r.Kind == "Alertmanager" || r.Kind == "ThanosRuler")
}

// operatorPods lists the namespaces holding pods that the operator runs
// for an Alertmanager or ThanosRuler. They are no workloads of the graph,
// so a policy there that selects no workload may select them.
func (g *Graph) operatorPods() map[string]bool {
	if g.operatorPodNS != nil {
		return g.operatorPodNS
	}
	out := map[string]bool{}
	for _, r := range g.Resources {
		if r.Namespace != "" && operatorRunsPods(r) {
			out[r.Namespace] = true
		}
	}
	g.operatorPodNS = out
	return out
}

// incompleteNamespaces are the namespaces that objects of an incomplete
// build (a Kustomize root built without its remote base) touch: what was
// left out may hold more of them, workloads and Services included. The set
// is worked out once per graph; callers do not change it.
func (g *Graph) incompleteNamespaces() map[string]bool {
	if g.incomplete != nil {
		return g.incomplete
	}
	out := map[string]bool{}
	g.incomplete = out
	for _, r := range g.Resources {
		if r.Doc == nil || r.Doc.Incomplete == "" {
			continue
		}
		out[r.Namespace] = true
		if r.Kind == "Namespace" {
			out[r.Name] = true
		}
	}
	return out
}

// namespaceWorkloadsEvident decides whether the input evidently holds the
// workloads of a policy's namespace, so that a selector matching none of
// them matches nothing: the input creates the namespace (its Namespace
// manifest is there) and some of its workloads, and the namespace is not
// hidden. A policy shipped next to some workloads of a namespace that
// something else creates (an add-on's release manifest, say) proves
// nothing: the workload it selects may come with the rest of that
// namespace. Nor does a namespace whose pods are partly the operator's
// (operatorPods).
func (g *Graph) namespaceWorkloadsEvident(pa *PeerAuthentication) bool {
	n, ok := g.Namespaces[pa.Namespace]
	return ok && n.Resource >= 0 && g.hasDeclaredWorkloads(pa.Namespace) && !g.hiddenNamespaces()[pa.Namespace] &&
		!g.operatorPods()[pa.Namespace]
}

// deployTarget returns the namespace a GitOps object (Flux HelmRelease or
// Kustomization, Argo CD Application) deploys resources into.
func deployTarget(r *Resource) (string, bool) {
	isGitOps := r.Kind == "HelmRelease" || r.Kind == "Kustomization" && strings.HasPrefix(r.Doc.APIVersion, "kustomize.toolkit.fluxcd.io/") ||
		r.Kind == "Application" && strings.HasPrefix(r.Doc.APIVersion, "argoproj.io/")
	if !isGitOps {
		return "", false
	}
	obj, _ := r.Doc.Decode() // the loader keeps no object for these kinds
	switch {
	case r.Kind == "HelmRelease":
		if t := asString(dig(obj, "spec", "targetNamespace")); t != "" {
			return t, true
		}
		return r.Namespace, true
	case r.Kind == "Kustomization" && strings.HasPrefix(r.Doc.APIVersion, "kustomize.toolkit.fluxcd.io/"):
		t := asString(dig(obj, "spec", "targetNamespace"))
		return t, t != ""
	case r.Kind == "Application" && strings.HasPrefix(r.Doc.APIVersion, "argoproj.io/"):
		t := asString(dig(obj, "spec", "destination", "namespace"))
		return t, t != ""
	}
	return "", false
}

// peerAuthConflicts finds the levels where more than one policy applies.
func (g *Graph) peerAuthConflicts() []ConflictFact {
	out := []ConflictFact{}
	type levelKey struct {
		level, ns string // "mesh" with no namespace, or "namespace"
	}
	byLevel := map[levelKey][]*PeerAuthentication{}
	var keys []levelKey
	for _, pa := range g.PeerAuths {
		var key levelKey
		switch pa.Scope {
		case ScopeMesh:
			key = levelKey{level: "mesh"}
		case ScopeNamespace:
			key = levelKey{level: "namespace", ns: pa.Namespace}
		default:
			continue
		}
		if _, ok := byLevel[key]; !ok {
			keys = append(keys, key)
		}
		byLevel[key] = append(byLevel[key], pa)
	}
	for _, key := range keys {
		if len(byLevel[key]) < 2 {
			continue // one policy: no conflict (peerAuthConflict), the case of almost every namespace
		}
		where := "namespace " + key.ns
		if key.level == "mesh" {
			where = "the mesh (root namespace " + g.Settings.RootNamespace + ")"
		}
		for _, set := range g.appliedTogether(byLevel[key]) {
			if c, ok := g.peerAuthConflict(key.level, where, set); ok {
				out = append(out, c)
			}
		}
	}
	// Workload level: group the workloads by the set of policies selecting them.
	groups := map[string]*ConflictFact{}
	var order []string
	for _, w := range g.workloadsAndPrometheusPods() {
		var sel []*PeerAuthentication
		pas := g.peerAuthsByNS[w.Namespace]
		for _, i := range g.selection().peerAuthsFor(w, len(pas)) {
			if pa := pas[i]; pa.Scope == ScopeWorkload && subsetOf(pa.MatchLabels, w.Labels) {
				sel = append(sel, pa)
			}
		}
		if len(sel) < 2 {
			continue // no conflict, and the case of almost every workload
		}
		for _, set := range g.appliedTogether(sel) {
			c, ok := g.peerAuthConflict("workload", "", set)
			if !ok {
				continue
			}
			key := c.Winner.Name
			for _, o := range c.Others {
				key += "\x00" + o.Name
			}
			if groups[key] == nil {
				groups[key] = &c
				order = append(order, key)
			}
			groups[key].Workloads = append(groups[key].Workloads, w.Display())
		}
	}
	for _, key := range order {
		c := groups[key]
		c.Where = strings.Join(c.Workloads, ", ")
		out = append(out, *c)
	}
	return out
}

// appliedTogether splits policies that share a namespace by whether they
// are sure to land in it together: those that name the namespace in
// metadata.namespace, and, per file, those that do not (they land wherever
// they are applied, so only policies of the same file are sure to meet).
func (g *Graph) appliedTogether(pas []*PeerAuthentication) [][]*PeerAuthentication {
	var explicit []*PeerAuthentication
	byFile := map[string][]*PeerAuthentication{}
	var files []string
	for _, pa := range pas {
		d := g.Resources[pa.Resource].Doc
		if d.Namespace != "" {
			explicit = append(explicit, pa)
			continue
		}
		if _, ok := byFile[d.File]; !ok {
			files = append(files, d.File)
		}
		byFile[d.File] = append(byFile[d.File], pa)
	}
	out := [][]*PeerAuthentication{explicit}
	for _, f := range files {
		out = append(out, byFile[f])
	}
	return out
}

// peerAuthConflict builds a ConflictFact from the policies at one level,
// ordered by precedence (the winner first).
func (g *Graph) peerAuthConflict(level, where string, pas []*PeerAuthentication) (ConflictFact, bool) {
	uniq, known := precedence(pas)
	if len(uniq) < 2 {
		return ConflictFact{}, false
	}
	c := ConflictFact{Level: level, Where: where, Workloads: []string{}, FromCluster: known}
	for _, pa := range uniq {
		c.TimestampWritten = c.TimestampWritten || pa.CreatedWritten
	}
	modes, ports := map[string]bool{}, map[string]bool{}
	var desc []string
	for i, pa := range uniq {
		ref := PolicyRef{Resource: pa.Resource, Name: pa.Namespace + "/" + pa.Name, Pointer: "/metadata/name", Mode: string(pa.Mode), Ports: portMapText(pa)}
		if c.FromCluster {
			ref.Created = pa.Created.Format(time.RFC3339)
		}
		if level == "workload" {
			ref.Pointer = "/spec/selector/matchLabels"
		} else if g.emptySelector(pa) {
			ref.Pointer, ref.EmptySelector = "/spec/selector", true
		}
		modes[ref.Mode], ports[ref.Ports] = true, true
		desc = append(desc, fmt.Sprintf("%s: mode %s, portLevelMtls %s", ref.Name, ref.Mode, ref.Ports))
		if i == 0 {
			c.Winner = ref
		} else {
			c.Others = append(c.Others, ref)
		}
	}
	c.Differ = len(modes) > 1 || len(ports) > 1
	c.Difference = strings.Join(desc, "; ")
	return c, true
}

// emptySelector reports a policy written with `selector: {}` or an empty
// matchLabels: namespace- or mesh-wide despite the selector (docs/model.md#empty-workload-selector).
func (g *Graph) emptySelector(pa *PeerAuthentication) bool {
	return pa.SelectorPointer != "" && !pa.HasSelector
}

func portMapText(pa *PeerAuthentication) string {
	if len(pa.PortLevel) == 0 {
		return "none"
	}
	var parts []string
	for _, pm := range pa.PortLevel {
		parts = append(parts, fmt.Sprintf("%d: %s", pm.Port, pm.Mode))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// namespaceMeshed reports whether a namespace takes part in the mesh: its
// labels (or the injection assumption) enable injection or ambient, or some
// workload of it has a proxy.
func (g *Graph) namespaceMeshed(name string) bool {
	if ignoredNamespaces[name] {
		return false
	}
	for _, w := range g.workloadsByNS[name] {
		if w.Injection.Dataplane == DataplaneSidecar || w.Injection.Dataplane == DataplaneAmbient {
			return true
		}
	}
	ns, ok := g.Namespaces[name]
	if !ok {
		return false
	}
	labels := ns.Labels
	if ns.Resource < 0 {
		labels, _ = g.assumedNamespaceLabels(ns)
	}
	if v, ok := labels[labelInjection]; ok {
		return v == "enabled"
	}
	return labels[labelRev] != "" || labels[labelDataplaneMode] == "ambient"
}

// proxylessStrict finds workloads that STRICT applies to but that have
// neither sidecar nor ambient, and namespace-wide STRICT policies in
// namespaces where no workload has a proxy.
func (g *Graph) proxylessStrict() ([]ProxylessStrictFact, []ProxylessNamespaceFact) {
	out := []ProxylessStrictFact{}
	nsOut := []ProxylessNamespaceFact{}
	byPolicy := map[*PeerAuthentication]*ProxylessNamespaceFact{}
	var policyOrder []*PeerAuthentication
	meshed := map[string]bool{}
	for _, w := range g.Workloads {
		if w.Injection.Dataplane != DataplaneNone {
			continue // sidecar and ambient enforce; unknown says nothing
		}
		base := g.EffectiveMode(w, 0)
		var strictPorts []string
		for _, cp := range w.Ports {
			if g.EffectiveMode(w, cp.Port).Mode == ModeStrict {
				strictPorts = append(strictPorts, strconv.Itoa(cp.Port))
			}
		}
		strictPorts = uniqueSorted(strictPorts)
		d := base
		if base.Mode != ModeStrict {
			if len(strictPorts) == 0 {
				continue
			}
			p, _ := strconv.Atoi(strictPorts[0])
			d = g.EffectiveMode(w, p)
		}
		if _, ok := meshed[w.Namespace]; !ok {
			meshed[w.Namespace] = g.namespaceMeshed(w.Namespace)
		}
		f := ProxylessStrictFact{Resource: w.Resource, Workload: w.Display(), Kind: w.Kind, Pointer: w.Meta, Reason: w.Injection.Reason,
			Level: d.Level, ModeExplain: d.Explain(), Ports: strings.Join(strictPorts, ", "), NamespaceMeshed: meshed[w.Namespace],
			Serves: len(w.Ports) > 0 || len(g.ServicesOf(w)) > 0, Batch: w.Kind == "Job" || w.Kind == "CronJob",
			Assumptions: []string{}, Related: []Loc{}}
		if dec := w.Injection.Decider; dec != nil && dec.Resource == w.Resource {
			f.Pointer = dec.Pointer
		} else if dec != nil {
			f.Related = append(f.Related, Loc{Resource: dec.Resource, Pointer: dec.Pointer, Message: "decides that there is no sidecar"})
		}
		if d.Source != nil {
			f.Related = append(f.Related, Loc{Resource: d.Source.Resource, Pointer: d.Source.Pointer, Message: "STRICT set here"})
		}
		if w.Injection.Assumed != "" {
			f.Assumptions = append(f.Assumptions, w.Injection.Assumed)
		}
		if d.Assumed != "" {
			f.Assumptions = append(f.Assumptions, d.Assumed)
		}
		out = append(out, f)
		if d.Level != "namespace" || f.NamespaceMeshed || f.Batch || !f.Serves {
			continue
		}
		nf := byPolicy[d.Policy]
		if nf == nil {
			nf = &ProxylessNamespaceFact{Resource: d.Policy.Resource, Policy: d.Policy.Namespace + "/" + d.Policy.Name, Pointer: d.Source.Pointer,
				Namespace: w.Namespace, Why: w.Injection.Reason, Assumptions: f.Assumptions, Related: []Loc{}}
			if dec := w.Injection.Decider; dec != nil && dec.Resource != w.Resource {
				nf.Related = append(nf.Related, Loc{Resource: dec.Resource, Pointer: dec.Pointer, Message: "decides that there is no sidecar"})
			}
			byPolicy[d.Policy] = nf
			policyOrder = append(policyOrder, d.Policy)
		}
		nf.Workloads = append(nf.Workloads, w.Display())
		nf.Related = append(nf.Related, podTemplateLoc(w))
	}
	for _, pa := range policyOrder {
		nsOut = append(nsOut, *byPolicy[pa])
	}
	return out, nsOut
}

// rejectPeerAuth turns a PeerAuthentication field error into a problem. A
// string value Istio rejects (an unknown mode, a port key that is no port
// number) is finding.InvalidPeerAuthentication (docs/model.md#peer-authentication-validation)
// and leaves the policy out of the graph; a wrongly typed value stays
// finding.Unreadable.
func (g *Graph) rejectPeerAuth(r *Resource, value any, err *fieldError) *fieldError {
	if _, isString := value.(string); !isString {
		return err
	}
	g.Problems = append(g.Problems, Problem{Resource: r.ID, Pointer: err.Pointer, Message: err.Message, Kind: finding.InvalidPeerAuthentication})
	return nil
}
