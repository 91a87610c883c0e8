package graph

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/k8s"
	"github.com/meshlint/meshlint/internal/loader"
)

// Graph resolves what was added into the graph: the indexes by namespace,
// the endpoints of Services, the scope of each PeerAuthentication and the
// injection of each workload. The Builder is done with.
func (b *Builder) Graph() *Graph {
	g, s := b.g, b.g.Settings
	b.g = nil
	for i := range b.ahead {
		b.ahead[i].m = nil
	}
	g.labelSets, g.annotationSets = nil, nil // every document is read: the maps stay shared, the tables go
	for _, w := range g.Workloads {
		g.workloadsByNS[w.Namespace] = append(g.workloadsByNS[w.Namespace], w)
	}
	// Prometheus pods are pods too: Services select them and monitors scrape
	// them, under the same mTLS rules as any other workload. They do not
	// count as evidence that a namespace's workloads are in the input.
	for _, p := range g.Prometheus {
		g.workloadsByNS[p.Namespace] = append(g.workloadsByNS[p.Namespace], p.Pod)
	}
	for _, svc := range g.Services {
		g.servicesByNS[svc.Namespace] = append(g.servicesByNS[svc.Namespace], svc)
	}
	g.linkEndpoints()
	for _, pa := range g.PeerAuths {
		pa.Scope = classifyScope(pa, s.RootNamespace)
		g.peerAuthsByNS[pa.Namespace] = append(g.peerAuthsByNS[pa.Namespace], pa)
	}
	for _, w := range g.Workloads {
		w.Injection = g.DecideInjection(w)
	}
	for _, p := range g.Prometheus {
		p.Pod.Injection = g.DecideInjection(p.Pod)
	}
	sort.SliceStable(g.Problems, func(i, j int) bool { return g.Problems[i].Resource < g.Problems[j].Resource })
	return g
}

func newGraph(s Settings) *Graph {
	return &Graph{
		Settings:      s,
		Namespaces:    map[string]*Namespace{},
		workloadsByNS: map[string][]*Workload{},
		servicesByNS:  map[string][]*Service{},
		peerAuthsByNS: map[string][]*PeerAuthentication{},
	}
}

// addUndecoded notes what a document of a kind the graph does not read
// still tells: an Istio resource is evidence of Istio in its namespace.
func (g *Graph) addUndecoded(r *Resource) {
	if isIstioGroup(r.Doc.APIVersion) && r.Namespace != "" && len(r.Namespace) <= maxDNSLabel {
		g.noteIstioEvidence(r.Namespace, r.ID)
	}
}

// newResource is the resource of a document, in the namespace it lands in.
func newResource(id int, d *loader.Document, s Settings) *Resource {
	ns := d.Namespace
	if ns == "" && !k8s.ClusterScoped(d.Kind) {
		ns = s.DefaultNamespace
	}
	return &Resource{ID: id, Doc: d, Kind: d.Kind, Namespace: ns, Name: d.Name}
}

func isIstioGroup(apiVersion string) bool {
	return strings.HasSuffix(k8s.APIGroup(apiVersion), ".istio.io")
}

func (g *Graph) namespace(name string) *Namespace {
	ns, ok := g.Namespaces[name]
	if !ok {
		if g.Namespaces == nil {
			g.Namespaces = map[string]*Namespace{}
		}
		ns = &Namespace{Name: name, Resource: -1, IstioEvidence: -1}
		g.Namespaces[name] = ns
	}
	return ns
}

func (g *Graph) noteIstioEvidence(ns string, id int) {
	n := g.namespace(ns)
	if n.IstioEvidence < 0 {
		n.IstioEvidence = id
	}
}

func (g *Graph) add(r *Resource) *fieldError {
	obj := r.Doc.Object
	if err := metadataBounds(r); err != nil {
		return err
	}
	if isIstioGroup(r.Doc.APIVersion) {
		g.noteIstioEvidence(r.Namespace, r.ID)
	}
	if k := sourceKindOf(r.Doc.APIVersion, r.Kind); k != nil {
		if k.Read != nil {
			return k.Read(g, r, k)
		}
		return g.addMonitor(r, k)
	}
	if k := scraperKindOf(r.Doc.APIVersion, r.Kind); k != nil {
		return g.addPrometheus(r, k)
	}
	switch r.Kind {
	case "Namespace":
		labels, err := g.labels(dig(obj, "metadata", "labels"), "/metadata/labels")
		if err != nil {
			return err
		}
		ns := g.namespace(r.Name)
		ns.Resource = r.ID
		ns.Labels = labels
	case "Pod":
		return g.addWorkload(r, "")
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job":
		if !strings.HasPrefix(r.Doc.APIVersion, "apps/") && !strings.HasPrefix(r.Doc.APIVersion, "batch/") && r.Doc.APIVersion != "v1" && !strings.HasPrefix(r.Doc.APIVersion, "extensions/") {
			return nil
		}
		return g.addWorkload(r, "/spec/template")
	case "CronJob":
		return g.addWorkload(r, "/spec/jobTemplate/spec/template")
	case "Rollout":
		if !strings.HasPrefix(r.Doc.APIVersion, "argoproj.io/") {
			return nil
		}
		if dig(obj, "spec", "template") == nil {
			// A workloadRef Rollout runs the referenced Deployment's template;
			// that Deployment is linted on its own.
			return nil
		}
		return g.addWorkload(r, "/spec/template")
	case "Service":
		if r.Doc.APIVersion != "v1" {
			return nil
		}
		return g.addService(r)
	case "Endpoints":
		if r.Doc.APIVersion != "v1" {
			return nil
		}
		return g.addEndpoints(r)
	case "EndpointSlice":
		if !strings.HasPrefix(r.Doc.APIVersion, "discovery.k8s.io/") {
			return nil
		}
		return g.addEndpointSlice(r)
	case "PeerAuthentication":
		if !strings.HasPrefix(r.Doc.APIVersion, "security.istio.io/") {
			return nil
		}
		return g.addPeerAuthentication(r)
	case "Policy", "MeshPolicy":
		if strings.HasPrefix(r.Doc.APIVersion, "authentication.istio.io/") {
			// Removed in Istio 1.6; only reported (invalid-peer-authentication).
			g.LegacyPolicies = append(g.LegacyPolicies, &LegacyPolicy{Resource: r.ID,
				Peers: dig(obj, "spec", "peers") != nil, Origins: dig(obj, "spec", "origins") != nil})
		}
	}
	return nil
}

// addWorkload reads the pod template at tmpl.
func (g *Graph) addWorkload(r *Resource, tmpl string) *fieldError {
	var template any = r.Doc.Object
	if tmpl != "" {
		for _, k := range strings.Split(strings.TrimPrefix(tmpl, "/"), "/") {
			m, ok := template.(map[string]any)
			if !ok {
				return &fieldError{tmpl, "pod template is not a mapping"}
			}
			template = m[k]
		}
	}
	if template == nil {
		return nil
	}
	tm, ok := template.(map[string]any)
	if !ok {
		return &fieldError{tmpl, "pod template is not a mapping"}
	}
	w := &Workload{Resource: r.ID, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Template: tmpl,
		Meta: tmpl + "/metadata", Spec: tmpl + "/spec"}
	var err *fieldError
	if w.Labels, err = g.labels(dig(tm, "metadata", "labels"), tmpl+"/metadata/labels"); err != nil {
		return err
	}
	if w.Annotations, err = g.annotations(dig(tm, "metadata", "annotations"), tmpl+"/metadata/annotations"); err != nil {
		return err
	}
	spec, err := mapAt(tm, "spec", tmpl)
	if err != nil {
		return err
	}
	if spec != nil {
		if w.HostNetwork, _, err = boolAt(spec, "hostNetwork", tmpl+"/spec"); err != nil {
			return err
		}
		for _, list := range []string{"containers", "initContainers"} {
			containers, err := listAt(spec, list, tmpl+"/spec")
			if err != nil {
				return err
			}
			for i, c := range containers {
				cp := fmt.Sprintf("%s/spec/%s/%d", tmpl, list, i)
				cm, ok := c.(map[string]any)
				if !ok {
					return &fieldError{cp, "container is not a mapping"}
				}
				name, _ := cm["name"].(string)
				if len(name) > maxDNSLabel {
					return tooLong(cp+"/name", "container name", len(name), maxDNSLabel)
				}
				if name == "istio-proxy" {
					w.HasProxy = true
				}
				// An init container that runs to completion serves no
				// traffic; one with restartPolicy Always is a native sidecar
				// that runs beside the app, and its ports are found by
				// Service endpoints (kubernetes pkg/api/v1/pod FindPort) and
				// pod discovery (prometheus discovery/kubernetes/pod.go).
				if list == "initContainers" && name != "istio-proxy" && asString(cm["restartPolicy"]) != "Always" {
					continue
				}
				ports, err := listAt(cm, "ports", cp)
				if err != nil {
					return err
				}
				for j, p := range ports {
					pp := fmt.Sprintf("%s/ports/%d", cp, j)
					pm, ok := p.(map[string]any)
					if !ok {
						return &fieldError{pp, "container port is not a mapping"}
					}
					num, err := parsePortNumber(pm["containerPort"], pp+"/containerPort")
					if err != nil {
						return err
					}
					if num == 0 {
						return &fieldError{pp, "container port has no containerPort"}
					}
					pname, err := stringAt(pm, "name", pp)
					if err != nil {
						return err
					}
					if len(pname) > maxPortName {
						return tooLong(pp+"/name", "container port name", len(pname), maxPortName)
					}
					w.Ports = append(w.Ports, ContainerPort{Container: name, Name: pname, Port: num, Pointer: pp})
				}
			}
		}
	}
	if _, injected := w.Annotations["sidecar.istio.io/status"]; injected {
		w.HasProxy = true
	}
	if tmpl != "" { // a Pod's own metadata is the pod metadata
		w.Misplaced = misplacedKeys(r.Doc.Object, w.Labels, w.Annotations)
	}
	g.Workloads = append(g.Workloads, w)
	return nil
}

func (g *Graph) addService(r *Resource) *fieldError {
	obj := r.Doc.Object
	svc := &Service{Resource: r.ID, Namespace: r.Namespace, Name: r.Name}
	var err *fieldError
	if svc.Labels, err = g.labels(dig(obj, "metadata", "labels"), "/metadata/labels"); err != nil {
		return err
	}
	spec, err := mapAt(obj, "spec", "")
	if err != nil {
		return err
	}
	if spec == nil {
		g.Services = append(g.Services, svc)
		return nil
	}
	if t, _ := spec["type"].(string); t == "ExternalName" {
		return nil // no pods behind it
	}
	if svc.Selector, err = g.labels(spec["selector"], "/spec/selector"); err != nil {
		return err
	}
	svc.Headless = asString(spec["clusterIP"]) == "None"
	ports, err := listAt(spec, "ports", "/spec")
	if err != nil {
		return err
	}
	for i, p := range ports {
		pp := fmt.Sprintf("/spec/ports/%d", i)
		pm, ok := p.(map[string]any)
		if !ok {
			return &fieldError{pp, "Service port is not a mapping"}
		}
		num, err := parsePortNumber(pm["port"], pp+"/port")
		if err != nil {
			return err
		}
		if num == 0 {
			return &fieldError{pp, "Service port has no port"}
		}
		name, err := stringAt(pm, "name", pp)
		if err != nil {
			return err
		}
		if len(name) > maxDNSLabel {
			return tooLong(pp+"/name", "Service port name", len(name), maxDNSLabel)
		}
		target, err := parseIntOrString(pm["targetPort"], pp+"/targetPort")
		if err != nil {
			return err
		}
		if len(target.Name) > maxPortName {
			return tooLong(pp+"/targetPort", "targetPort name", len(target.Name), maxPortName)
		}
		if !target.Set {
			target = IntOrString{Set: true, Num: num}
		}
		svc.Ports = append(svc.Ports, ServicePort{Name: name, Port: num, TargetPort: target, Pointer: pp, AppProtocol: asString(pm["appProtocol"])})
	}
	g.Services = append(g.Services, svc)
	return nil
}

func (g *Graph) addPeerAuthentication(r *Resource) *fieldError {
	obj := r.Doc.Object
	pa := &PeerAuthentication{Resource: r.ID, Namespace: r.Namespace, Name: r.Name, Mode: ModeUnset}
	spec, err := mapAt(obj, "spec", "")
	if err != nil {
		return err
	}
	if sel, err := mapAt(spec, "selector", "/spec"); err != nil {
		return err
	} else if sel != nil {
		if pa.MatchLabels, err = g.labels(sel["matchLabels"], "/spec/selector/matchLabels"); err != nil {
			return err
		}
		pa.HasSelector = len(pa.MatchLabels) > 0
		pa.SelectorPointer = "/spec/selector"
		if _, ok := sel["matchLabels"]; ok {
			pa.SelectorPointer = "/spec/selector/matchLabels"
		}
	}
	mtls, err := mapAt(spec, "mtls", "/spec")
	if err != nil {
		return err
	}
	if mtls != nil {
		m, err := parseMode(mtls["mode"], "/spec/mtls/mode")
		if err != nil {
			return g.rejectPeerAuth(r, mtls["mode"], err)
		}
		pa.Mode = m
		pa.ModePointer = "/spec/mtls/mode"
	}
	plm, err := mapAt(spec, "portLevelMtls", "/spec")
	if err != nil {
		return err
	}
	if v, present := spec["portLevelMtls"]; present && v != nil { // null is absent, as the API server prunes it
		pa.PortLevelPointer = "/spec/portLevelMtls"
	}
	portKeys := map[int]string{}
	for _, key := range sortedKeys(plm) {
		kp := "/spec/portLevelMtls/" + escape(key)
		port, perr := parsePortKey(key)
		if perr != nil {
			return g.rejectPeerAuth(r, key, &fieldError{kp, perr.Error()})
		}
		if prev, dup := portKeys[port]; dup {
			return &fieldError{kp, fmt.Sprintf("portLevelMtls keys %q and %q are the same port %d; the API server keeps only one of them", prev, key, port)}
		}
		portKeys[port] = key
		entry, ok := plm[key].(map[string]any)
		mode := ModeUnset
		if !ok && plm[key] != nil {
			return &fieldError{kp, "portLevelMtls entry is not a mapping"}
		}
		if entry != nil {
			if mode, err = parseMode(entry["mode"], kp+"/mode"); err != nil {
				return g.rejectPeerAuth(r, entry["mode"], err)
			}
		}
		pa.PortLevel = append(pa.PortLevel, PortMode{Port: port, Key: key, Mode: mode, Pointer: kp})
	}
	sort.SliceStable(pa.PortLevel, func(i, j int) bool { return pa.PortLevel[i].Port < pa.PortLevel[j].Port })
	pa.Created, pa.FromCluster = clusterCreationTime(obj)
	if meta, ok := obj["metadata"].(map[string]any); ok && meta["creationTimestamp"] != nil {
		pa.CreatedWritten = true
	}
	g.PeerAuths = append(g.PeerAuths, pa)
	return nil
}

// clusterCreationTime reads metadata.creationTimestamp and says whether it
// is real. The API server sets the creation time itself on create
// (k8s.io/apiserver pkg/registry/rest/meta.go, FillObjectMetaSystemFields),
// so a timestamp written in a manifest applied from Git decides nothing.
// Only an export of a live cluster (kubectl get -o yaml) carries the server's
// own, recognisable by the metadata.uid and resourceVersion it writes beside
// it.
func clusterCreationTime(obj map[string]any) (time.Time, bool) {
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil || asString(meta["uid"]) == "" || asString(meta["resourceVersion"]) == "" {
		return time.Time{}, false
	}
	switch v := meta["creationTimestamp"].(type) {
	case time.Time:
		return v.UTC(), true
	case string:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parsePortKey reads a portLevelMtls key. The map is keyed by uint32 port
// numbers; YAML integer keys reach us as their decimal text (the loader
// renders them the way the API server's YAML-to-JSON conversion does), and
// quoted keys as written, so `8080:` and `"8080":` are the same port. Only
// decimal digits are accepted: the CRD's CEL rule (`int(key)`) and the
// protobuf JSON decoding reject signs, spaces and other bases.
func parsePortKey(key string) (int, error) {
	if key == "" || len(key) > 10 || strings.TrimLeft(key, "0123456789") != "" {
		return 0, fmt.Errorf("portLevelMtls key %q is not a port number 1-65535", key)
	}
	port, err := strconv.Atoi(key)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("portLevelMtls key %q is not a port number 1-65535", key)
	}
	return port, nil
}

func parseMode(v any, pointer string) (Mode, *fieldError) {
	if v == nil {
		return ModeUnset, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", &fieldError{pointer, "mTLS mode is not a string"}
	}
	switch Mode(strings.ToUpper(s)) {
	case ModeUnset, ModeDisable, ModePermissive, ModeStrict:
		if Mode(s) != Mode(strings.ToUpper(s)) {
			return "", &fieldError{pointer, fmt.Sprintf("mTLS mode %q must be upper case (%s)", s, strings.ToUpper(s))}
		}
		return Mode(s), nil
	}
	return "", &fieldError{pointer, fmt.Sprintf("unknown mTLS mode %q (want UNSET, DISABLE, PERMISSIVE or STRICT)", s)}
}

// hasDeclaredWorkloads reports whether the input holds a pod template of the
// namespace itself (a Deployment, a Pod...), not just a scraper CR whose
// pods the operator creates.
func (g *Graph) hasDeclaredWorkloads(ns string) bool {
	for _, w := range g.workloadsByNS[ns] {
		if !w.ScraperPod {
			return true
		}
	}
	return false
}
