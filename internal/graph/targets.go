package graph

import (
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Target is one (pod template, container port) that a monitor endpoint
// scrapes, with the way it got there.
type Target struct {
	Workload      *Workload
	Port          int
	ContainerPort *ContainerPort // nil when the port is not declared
	Service       *Service       // nil for PodMonitors
	ServicePort   *ServicePort
}

// Chain renders how the endpoint reaches the port, e.g.
// "Service shop/cart port metrics (8080) -> targetPort 9090 -> container port 9090 of Deployment shop/cart".
func (t Target) Chain() string {
	return t.chain(t.Workload.Display())
}

// chain is Chain, given the workload's Display. It is built for every
// target of every scrape, so by concatenation rather than fmt.
func (t Target) chain(workload string) string {
	cp := "container port " + strconv.Itoa(t.Port)
	if t.ContainerPort != nil && t.ContainerPort.Name != "" {
		cp = "container port " + t.ContainerPort.Name + " (" + strconv.Itoa(t.Port) + ")"
	}
	if t.Service == nil {
		return cp + " of " + workload
	}
	svc := t.Service.Namespace + "/" + t.Service.Name
	if t.ServicePort == nil {
		return cp + " of " + workload + ", a pod behind Service " + svc +
			" (discovered with the Service's endpoints though no Service port targets it)"
	}
	sp := "port " + strconv.Itoa(t.ServicePort.Port)
	if t.ServicePort.Name != "" {
		sp = "port " + t.ServicePort.Name + " (" + strconv.Itoa(t.ServicePort.Port) + ")"
	}
	if t.Service.EndpointsFrom != "" {
		return "Service " + svc + " " + sp + " (no selector) -> " + t.Service.EndpointsFrom + " port " + t.ServicePort.TargetPort.String() +
			" -> " + cp + " of " + workload
	}
	return "Service " + svc + " " + sp + " -> targetPort " + t.ServicePort.TargetPort.String() + " -> " + cp + " of " + workload
}

// istioProxyPorts are the ports the injected istio-proxy container declares
// on sidecar pods, though no manifest on disk shows them.
var istioProxyPorts = []ContainerPort{
	{Container: "istio-proxy", Name: "http-envoy-prom", Port: 15090},
}

// ResolveTargetPort maps a Service port to the container port it reaches on
// one workload: a number is used as is, a name is looked up among the
// workload's container ports (docs/model.md#service-target-port). ok is false when the named
// port does not exist on that workload, which then is no endpoint of it.
func ResolveTargetPort(sp *ServicePort, w *Workload) (port int, cp *ContainerPort, ok bool) {
	if sp.TargetPort.IsName {
		// The injected istio-proxy's declared port is on the pod too.
		declared, proxy := w.ports()
		for _, ports := range [2][]ContainerPort{declared, proxy} {
			for i := range ports {
				if ports[i].Name == sp.TargetPort.Name {
					return ports[i].Port, &ports[i], true
				}
			}
		}
		return 0, nil, false
	}
	return sp.TargetPort.Num, w.declared(sp.TargetPort.Num), true
}

func (w *Workload) declared(port int) *ContainerPort {
	for i := range w.Ports {
		if w.Ports[i].Port == port {
			return &w.Ports[i]
		}
	}
	return nil
}

// ports are the declared ports and then, on sidecar pods, the proxy's own
// (or nil): two lists rather than one, which a copy for every target of
// every sidecar pod would make (10 MB at 10,000 apps). Callers only read
// them.
func (w *Workload) ports() (declared, proxy []ContainerPort) {
	if w.Injection.Dataplane != DataplaneSidecar || w.HasProxy {
		return w.Ports, nil
	}
	return w.Ports, istioProxyPorts
}

// ServicesOf lists the Services a workload sits behind, in input order:
// those whose selector matches its labels (through the selection index),
// and those without a selector whose endpoint objects name its pods.
func (g *Graph) ServicesOf(w *Workload) []*Service {
	svcs := g.servicesByNS[w.Namespace]
	pos := g.selection().servicesBehind(w, svcs)
	if endpointed := g.endpointedServices(w); len(endpointed) > 0 {
		pos = append(pos, endpointed...)
		sort.Ints(pos)
	}
	var out []*Service
	for _, i := range pos {
		svc := svcs[i]
		if len(svc.Selector) > 0 && subsetOf(svc.Selector, w.Labels) || len(svc.Selector) == 0 && containsWorkload(svc.Endpointed, w) {
			out = append(out, svc)
		}
	}
	return out
}

// endpointedServices are the positions of w's namespace's Services without
// a selector that have endpoints at all (few: the index does not list them).
func (g *Graph) endpointedServices(w *Workload) []int {
	if !g.endpointedNS[w.Namespace] {
		return nil
	}
	var pos []int
	for i, svc := range g.servicesByNS[w.Namespace] {
		if len(svc.Selector) == 0 && len(svc.Endpointed) > 0 {
			pos = append(pos, i)
		}
	}
	return pos
}

func containsWorkload(ws []*Workload, w *Workload) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// BackendsOf lists the workloads a Service selects. A Service without a
// selector reaches the pods its Endpoints or EndpointSlices in the input
// name, and nothing else: its endpoints are managed outside Kubernetes.
func (g *Graph) BackendsOf(svc *Service) []*Workload {
	if len(svc.Selector) == 0 {
		return svc.Endpointed
	}
	var out []*Workload
	ws := g.workloadsByNS[svc.Namespace]
	pos, all := g.selection().workloadLabels[svc.Namespace].narrow(svc.Selector, nil)
	if all {
		pos = allPositions(len(ws))
	}
	for _, i := range pos {
		if w := ws[i]; subsetOf(svc.Selector, w.Labels) {
			out = append(out, w)
		}
	}
	return out
}

// watches reports whether a monitor looks for targets in ns.
func (m *Monitor) watches(ns string) bool {
	if m.AnyNamespace {
		return true
	}
	if len(m.MatchNamespaces) > 0 {
		return slices.Contains(m.MatchNamespaces, ns)
	}
	return ns == m.Namespace
}

// namespacesWatched lists the namespaces a monitor searches, sorted. Only
// a monitor with namespaceSelector.any needs every namespace; the others name
// theirs, which keeps a platform of thousands of namespaces linear.
func (g *Graph) namespacesWatched(m *Monitor) []string {
	if !m.AnyNamespace {
		if len(m.MatchNamespaces) > 0 {
			return uniqueSorted(m.MatchNamespaces)
		}
		return []string{m.Namespace}
	}
	var all []string
	for ns := range g.workloadsByNS {
		all = append(all, ns)
	}
	for ns := range g.servicesByNS {
		all = append(all, ns)
	}
	return uniqueSorted(all)
}

// Targets resolves what one endpoint scrapes (docs/model.md#servicemonitor-ports,
// docs/model.md#podmonitor-ports).
// It returns nothing when relabelings decide the targets, since guessing
// there would cause false alarms.
func (g *Graph) Targets(m *Monitor, e *Endpoint) []Target {
	if e.Relabeled {
		return nil
	}
	var out []Target
	switch e.Role {
	case RoleService:
		for _, svc := range g.SelectedServices(m) {
			out = append(out, g.serviceTargets(svc, e)...)
		}
	case RolePod:
		for _, w := range g.SelectedPods(m) {
			out = append(out, podTargets(w, e)...)
		}
	case RoleStatic:
		out = g.staticTargets(m, e)
	}
	return out
}

// SelectedServices lists the Services a ServiceMonitor's selector matches
// exactly (see monitorSelectorMatch) in the namespaces it watches, before
// any relabeling. The answer depends on the monitor only, not on its
// endpoint, so it is worked out once per monitor and kept: every endpoint
// asks it, and a monitor may hold hundreds of thousands of aliased
// endpoints. A frozen graph (freeze) has them all and keeps no more.
func (g *Graph) SelectedServices(m *Monitor) []*Service {
	if svcs, ok := g.selectedServices[m]; ok {
		return svcs
	}
	out := g.selectServices(m)
	if g.frozen {
		return out // read from several goroutines: nothing is written
	}
	if g.selectedServices == nil {
		g.selectedServices = map[*Monitor][]*Service{}
	}
	g.selectedServices[m] = out
	return out
}

// selectServices is SelectedServices worked out.
func (g *Graph) selectServices(m *Monitor) []*Service {
	var out []*Service
	for _, ns := range g.namespacesWatched(m) {
		svcs := g.servicesByNS[ns]
		for _, i := range candidates(g.selection().serviceLabels[ns], m.Selector, len(svcs), nil) {
			if svc := svcs[i]; monitorSelectorMatch(m.Selector, svc.Labels) == exactMatch {
				out = append(out, svc)
			}
		}
	}
	return out[:len(out):len(out)] // shared: a caller's append copies
}

// SelectedPods lists the pod templates a PodMonitor's selector matches
// exactly (see monitorSelectorMatch) in the namespaces it watches, before
// any relabeling.
func (g *Graph) SelectedPods(m *Monitor) []*Workload {
	var out []*Workload
	for _, ns := range g.namespacesWatched(m) {
		ws := g.workloadsByNS[ns]
		for _, i := range candidates(g.selection().workloadLabels[ns], m.Selector, len(ws), nil) {
			if w := ws[i]; monitorSelectorMatch(m.Selector, w.Labels) == exactMatch {
				out = append(out, w)
			}
		}
	}
	return out
}

func (g *Graph) serviceTargets(svc *Service, e *Endpoint) []Target {
	var out []Target
	for _, w := range g.BackendsOf(svc) {
		switch {
		case e.Port != "":
			for i := range svc.Ports {
				sp := &svc.Ports[i]
				if sp.Name != e.Port {
					continue
				}
				if port, cp, ok := ResolveTargetPort(sp, w); ok {
					out = append(out, Target{Workload: w, Port: port, ContainerPort: cp, Service: svc, ServicePort: sp})
				}
			}
		case e.TargetPort.Set:
			// The operator keeps targets whose container port label matches
			// targetPort (pkg/prometheus/promcfg.go), and endpoint discovery
			// sets those labels only for ports a container declares
			// (prometheus discovery/kubernetes/endpoints.go): a Service port
			// targeting an undeclared number yields no target here, though
			// the Service still routes to it. The Service need not expose the
			// port (docs/model.md#servicemonitor-target-port).
			out = append(out, additionalPortTargets(svc, w, func(cp ContainerPort) bool {
				if e.TargetPort.IsName {
					return cp.Name == e.TargetPort.Name
				}
				return cp.Port == e.TargetPort.Num
			})...)
		default:
			for i := range svc.Ports {
				sp := &svc.Ports[i]
				if port, cp, ok := ResolveTargetPort(sp, w); ok {
					out = append(out, Target{Workload: w, Port: port, ContainerPort: cp, Service: svc, ServicePort: sp})
				}
			}
			// With the endpoints role, a pod's declared container ports that
			// no Service port covers are discovered as targets too
			// (docs/model.md#servicemonitor-target-port).
			if !e.ServicePortsOnly {
				out = append(out, additionalPortTargets(svc, w, func(ContainerPort) bool { return true })...)
			}
		}
	}
	return dedupeTargets(out)
}

// additionalPortTargets are the declared container ports of w, behind svc,
// that match. A port that a Service port targets keeps that Service port in
// its chain; the others are reached only through endpoint discovery.
func additionalPortTargets(svc *Service, w *Workload, match func(ContainerPort) bool) []Target {
	var out []Target
	for i := range w.Ports {
		cp := &w.Ports[i]
		if !match(*cp) {
			continue
		}
		t := Target{Workload: w, Port: cp.Port, ContainerPort: cp, Service: svc}
		for j := range svc.Ports {
			if port, _, ok := ResolveTargetPort(&svc.Ports[j], w); ok && port == cp.Port {
				t.ServicePort = &svc.Ports[j]
				break
			}
		}
		out = append(out, t)
	}
	return out
}

func podTargets(w *Workload, e *Endpoint) []Target {
	var out []Target
	declared, proxy := w.selectablePorts(e)
	for _, ports := range [2][]ContainerPort{declared, proxy} {
		out = appendPodTargets(out, w, e, ports)
	}
	return dedupeTargets(out)
}

// appendPodTargets appends the targets of e among ports, ports of w.
func appendPodTargets(out []Target, w *Workload, e *Endpoint, ports []ContainerPort) []Target {
	for i := range ports {
		cp := &ports[i]
		match := false
		switch {
		case e.Port != "":
			match = cp.Name == e.Port
		case e.PortNumber != 0:
			match = cp.Port == e.PortNumber
		case e.TargetPort.Set && e.TargetPort.IsName:
			match = cp.Name == e.TargetPort.Name
		case e.TargetPort.Set:
			match = cp.Port == e.TargetPort.Num
		default:
			match = true
		}
		if match {
			out = append(out, Target{Workload: w, Port: cp.Port, ContainerPort: cp})
		}
	}
	return out
}

// dedupeTargets keeps, in place, the first target of each port of each
// workload.
func dedupeTargets(ts []Target) []Target {
	type key struct{ resource, port int }
	return firstOfEach(ts, ts[:0], func(t Target) key { return key{t.Workload.Resource, t.Port} })
}

// namespaceLabels are a namespace's labels, with the kubernetes.io/metadata.name
// label the API server adds to every namespace.
func (g *Graph) namespaceLabels(name string) map[string]string {
	labels := map[string]string{"kubernetes.io/metadata.name": name}
	if ns, ok := g.Namespaces[name]; ok {
		for k, v := range ns.Labels {
			labels[k] = v
		}
	}
	return labels
}

// EffectiveTLS merges an endpoint's tlsConfig with the scrape class that
// applies under Prometheus p (docs/model.md#scrape-classes). p may be nil when no
// Prometheus in the input selects the monitor. class is the class that
// applied ("" for none); classKnown is false when a class is named that
// cannot be seen.
func EffectiveTLS(m *Monitor, e *Endpoint, p *Prometheus) (tls TLSConfig, class string, classKnown bool) {
	tls = e.TLS
	if p == nil {
		return tls, "", m.ScrapeClass == ""
	}
	var sc *ScrapeClass
	for i := range p.ScrapeClasses {
		c := &p.ScrapeClasses[i]
		if (m.ScrapeClass != "" && c.Name == m.ScrapeClass) || (m.ScrapeClass == "" && c.Default) {
			sc = c
			break
		}
	}
	if sc == nil {
		return tls, "", m.ScrapeClass == ""
	}
	if !sc.TLS.Present {
		return tls, sc.Name, true
	}
	if !tls.Present {
		return sc.TLS, sc.Name, true
	}
	merged := tls
	merged.Files = append([]TLSFile(nil), tls.Files...)
	has := map[string]bool{}
	for _, f := range tls.Files {
		has[f.Field] = true
	}
	secret := map[string]bool{"caFile": tls.HasSecretCA, "certFile": tls.HasSecretCert, "keyFile": tls.HasSecretKey}
	for _, f := range sc.TLS.Files {
		if !has[f.Field] && !secret[f.Field] {
			merged.Files = append(merged.Files, f)
		}
	}
	return merged, sc.Name, true
}

// istioCertNames are the files pilot-agent writes to OUTPUT_CERTS.
var istioCertNames = map[string]bool{"root-cert.pem": true, "cert-chain.pem": true, "key.pem": true}

// Directories whose files come from Kubernetes or the Prometheus Operator,
// never from an Istio sidecar: the service account token mount, and the
// operator's mounts of spec.secrets and spec.configMaps. Cert files there are
// out of scope for the Istio recipe.
var nonIstioDirs = []string{
	"/var/run/secrets/kubernetes.io/serviceaccount/",
	"/etc/prometheus/secrets/",
	"/etc/prometheus/configmaps/",
}

// legacyIstioSecretDir is where the operator mounts a Secret named
// istio.<service account> listed in spec.secrets: before Istio 1.6 Citadel
// wrote each service account's workload certificate there, under the same
// file names as OUTPUT_CERTS, and Istio's old Prometheus recipes (Kyma's
// among them) scrape with those files
// (docs/model.md#legacy-citadel-secrets).
const legacyIstioSecretDir = "/etc/prometheus/secrets/istio."

// IsIstioCertFile reports whether a TLS file is one of Istio's exported
// certs: by its name, or because it lives under the directory where the
// Prometheus mounts the volume its sidecar writes certs to.
func IsIstioCertFile(file string, certDirs []string) bool {
	clean := path.Clean(file)
	// The exported volume may be mounted anywhere, even under the
	// operator's secrets directory (Kyma mounts it at
	// /etc/prometheus/secrets/istio.default/): a mount that the sidecar
	// writes to decides before any directory convention.
	for _, d := range certDirs {
		if d != "" && strings.HasPrefix(clean, path.Clean(d)+"/") {
			return true
		}
	}
	if strings.HasPrefix(clean, legacyIstioSecretDir) && istioCertNames[path.Base(clean)] {
		return true
	}
	for _, d := range nonIstioDirs {
		if strings.HasPrefix(clean, d) {
			return false
		}
	}
	return istioCertNames[path.Base(clean)]
}

// staticTargets resolves an endpoint's host:port targets that name a
// Service of the input by its cluster DNS name (svc.ns, svc.ns.svc or
// svc.ns.svc.cluster.local; https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services):
// the scrape reaches the Service port's target on every pod behind it. A
// bare name depends on the scraper's DNS search path, and any other host
// (an IP, an external name) is not in the model; both are left alone.
func (g *Graph) staticTargets(m *Monitor, e *Endpoint) []Target {
	var out []Target
	for _, st := range e.Static {
		svc, sp := g.staticService(st.Address)
		if sp == nil {
			continue
		}
		for _, w := range g.BackendsOf(svc) {
			if port, cp, ok := ResolveTargetPort(sp, w); ok {
				out = append(out, Target{Workload: w, Port: port, ContainerPort: cp, Service: svc, ServicePort: sp})
			}
		}
	}
	return dedupeTargets(out)
}

// staticService finds the Service port a host:port target names.
func (g *Graph) staticService(address string) (*Service, *ServicePort) {
	host, portText, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(address, "http://"), "https://"), ":")
	if !ok {
		return nil, nil
	}
	port, err := strconv.Atoi(strings.TrimSuffix(portText, "/"))
	if err != nil {
		return nil, nil
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	switch {
	case len(labels) == 2:
	case len(labels) == 3 && labels[2] == "svc":
	case len(labels) == 5 && labels[2] == "svc" && labels[3] == "cluster" && labels[4] == "local":
	default:
		return nil, nil
	}
	for _, svc := range g.servicesByNS[labels[1]] {
		if svc.Name != labels[0] {
			continue
		}
		for i := range svc.Ports {
			if svc.Ports[i].Port == port {
				return svc, &svc.Ports[i]
			}
		}
	}
	return nil, nil
}
