package graph

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A Service without a selector gets its endpoints from Endpoints or
// EndpointSlice objects written by hand (Kubernetes, "Services without
// selectors"). When those are in the input and name a pod through
// targetRef, the Service reaches that pod's workload as if it selected it,
// and Prometheus's endpoints discovery finds it there. An address without a
// targetRef names no pod and is left alone.

// EndpointRefs is what one Endpoints or EndpointSlice object says about the
// Service it belongs to.
type EndpointRefs struct {
	Resource  int
	Kind      string // Endpoints or EndpointSlice
	Namespace string
	Name      string
	Service   string // the Service's name
	Pods      []PodRef
	Ports     []EndpointPort
}

// PodRef is a targetRef of kind Pod.
type PodRef struct {
	Namespace string
	Name      string
}

// EndpointPort is one port of an Endpoints subset or an EndpointSlice.
type EndpointPort struct {
	Name string
	Port int
}

// addEndpoints reads a core/v1 Endpoints object, named after its Service.
func (g *Graph) addEndpoints(r *Resource) *fieldError {
	subsets, err := listAt(r.Doc.Object, "subsets", "")
	if err != nil {
		return err
	}
	ep := &EndpointRefs{Resource: r.ID, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Service: r.Name}
	for i, s := range subsets {
		sp := fmt.Sprintf("/subsets/%d", i)
		subset, ok := s.(map[string]any)
		if !ok {
			return &fieldError{sp, "subset is not a mapping"}
		}
		// Not-ready addresses are discovered too (with ready=false).
		for _, key := range []string{"addresses", "notReadyAddresses"} {
			addrs, err := listAt(subset, key, sp)
			if err != nil {
				return err
			}
			for _, a := range addrs {
				ep.addPodRef(dig(a, "targetRef"), r.Namespace)
			}
		}
		if err := ep.addPorts(subset, sp); err != nil {
			return err
		}
	}
	g.Endpoints = append(g.Endpoints, ep)
	return nil
}

// addEndpointSlice reads a discovery.k8s.io EndpointSlice, which names its
// Service in the kubernetes.io/service-name label.
func (g *Graph) addEndpointSlice(r *Resource) *fieldError {
	svc := asString(dig(r.Doc.Object, "metadata", "labels", "kubernetes.io/service-name"))
	if svc == "" {
		return nil // belongs to no Service
	}
	ep := &EndpointRefs{Resource: r.ID, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Service: svc}
	eps, err := listAt(r.Doc.Object, "endpoints", "")
	if err != nil {
		return err
	}
	for _, e := range eps {
		ep.addPodRef(dig(e, "targetRef"), r.Namespace)
	}
	if err := ep.addPorts(r.Doc.Object, ""); err != nil {
		return err
	}
	g.Endpoints = append(g.Endpoints, ep)
	return nil
}

func (ep *EndpointRefs) addPodRef(ref any, ns string) {
	m, ok := ref.(map[string]any)
	if !ok || asString(m["kind"]) != "Pod" || asString(m["name"]) == "" {
		return
	}
	if n := asString(m["namespace"]); n != "" {
		ns = n
	}
	ep.Pods = append(ep.Pods, PodRef{Namespace: ns, Name: asString(m["name"])})
}

func (ep *EndpointRefs) addPorts(obj map[string]any, pointer string) *fieldError {
	ports, err := listAt(obj, "ports", pointer)
	if err != nil {
		return err
	}
	for i, p := range ports {
		pp := fmt.Sprintf("%s/ports/%d", pointer, i)
		pm, ok := p.(map[string]any)
		if !ok {
			return &fieldError{pp, "endpoint port is not a mapping"}
		}
		num, err := parsePortNumber(pm["port"], pp+"/port")
		if err != nil {
			return err
		}
		if num != 0 {
			ep.Ports = append(ep.Ports, EndpointPort{Name: asString(pm["name"]), Port: num})
		}
	}
	return nil
}

// linkEndpoints gives each selector-less Service the workloads its
// Endpoints and EndpointSlices name, and points its ports at the endpoint
// ports of the same name: for such a Service, the endpoints carry the port
// and spec.ports[].targetPort is not used.
func (g *Graph) linkEndpoints() {
	if len(g.Endpoints) == 0 {
		return
	}
	byService := map[string][]*EndpointRefs{}
	for _, ep := range g.Endpoints {
		key := ep.Namespace + "/" + ep.Service
		byService[key] = append(byService[key], ep)
	}
	for _, svc := range g.Services {
		eps := byService[svc.Namespace+"/"+svc.Name]
		if len(svc.Selector) > 0 || len(eps) == 0 {
			continue
		}
		seen := map[*Workload]bool{}
		for _, ep := range eps {
			for _, ref := range ep.Pods {
				if w := g.workloadOfPod(ref); w != nil && !seen[w] {
					seen[w] = true
					svc.Endpointed = append(svc.Endpointed, w)
				}
			}
		}
		if len(svc.Endpointed) == 0 {
			continue
		}
		if g.endpointedNS == nil {
			g.endpointedNS = map[string]bool{}
		}
		g.endpointedNS[svc.Namespace] = true
		svc.EndpointsFrom = eps[0].Kind + " " + eps[0].Namespace + "/" + eps[0].Name
		svc.EndpointsResource = eps[0].Resource
		for i := range svc.Ports {
			if port, ok := endpointPortFor(&svc.Ports[i], len(svc.Ports), eps); ok {
				svc.Ports[i].TargetPort = IntOrString{Set: true, Num: port}
			}
		}
	}
}

// endpointPortFor finds the endpoint port a Service port reaches: the one of
// the same name, or the only one when the Service has a single port.
func endpointPortFor(sp *ServicePort, nPorts int, eps []*EndpointRefs) (int, bool) {
	for _, ep := range eps {
		for _, p := range ep.Ports {
			if p.Name == sp.Name || (nPorts == 1 && len(ep.Ports) == 1) {
				return p.Port, true
			}
		}
	}
	return 0, false
}

// Controllers name their pods <controller>-<suffix>: a ReplicaSet's hash
// and a random suffix for a Deployment, a random suffix for a ReplicaSet,
// DaemonSet or Job, an ordinal for a StatefulSet.
var podNameSuffix = map[string]*regexp.Regexp{
	"Deployment":  regexp.MustCompile(`^-[a-z0-9]{1,10}-[a-z0-9]{5}$`),
	"Rollout":     regexp.MustCompile(`^-[a-z0-9]{1,10}-[a-z0-9]{5}$`),
	"ReplicaSet":  regexp.MustCompile(`^-[a-z0-9]{5}$`),
	"DaemonSet":   regexp.MustCompile(`^-[a-z0-9]{5}$`),
	"Job":         regexp.MustCompile(`^-[a-z0-9]{5}$`),
	"StatefulSet": regexp.MustCompile(`^-[0-9]+$`),
}

// workloadOfPod finds the workload whose pod a targetRef names: a Pod
// manifest of that name, else the controller whose pod names it follows
// (the longest controller name wins, so cart-api is not taken for cart).
func (g *Graph) workloadOfPod(ref PodRef) *Workload {
	var cands []*Workload
	for _, w := range g.workloadsByNS[ref.Namespace] {
		if w.Kind == "Pod" && w.Name == ref.Name {
			return w
		}
		re := podNameSuffix[w.Kind]
		if re != nil && strings.HasPrefix(ref.Name, w.Name) && re.MatchString(ref.Name[len(w.Name):]) {
			cands = append(cands, w)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	sort.SliceStable(cands, func(i, j int) bool { return len(cands[i].Name) > len(cands[j].Name) })
	return cands[0]
}
