package graph

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// addScrapeConfig reads a Prometheus Operator ScrapeConfig
// (monitoring.coreos.com/v1alpha1, pkg/apis/monitoring/v1alpha1/scrapeconfig_types.go)
// as scrape sources: one Monitor per kubernetesSDConfigs entry whose role
// reaches pods (Pod; Service, Endpoints and EndpointSlice reach the pods
// behind Services), and one for its staticConfigs, whose host:port targets
// may name Services of the input. Scheme, tlsConfig, relabelings and
// scrapeClass are the object's own and apply to every one of them. Other
// service discovery (DNS, HTTP, clouds) reaches nothing the input shows.
func (g *Graph) addScrapeConfig(r *Resource, k *SourceKind) *fieldError {
	obj := r.Doc.Object
	lbls, err := labelMap(dig(obj, "metadata", "labels"), "/metadata/labels")
	if err != nil {
		return err
	}
	spec, err := mapAt(obj, "spec", "")
	if err != nil || spec == nil {
		return err
	}
	common, err := scrapeConfigEndpoint(spec)
	if err != nil {
		return err
	}
	class, err := stringAt(spec, "scrapeClass", "/spec")
	if err != nil {
		return err
	}
	newMonitor := func(role Role, pointer string, eps []Endpoint) *Monitor {
		m := &Monitor{Resource: r.ID, Kind: r.Kind, Source: k, Role: role, Namespace: r.Namespace, Name: r.Name, Labels: lbls,
			Selector: &LabelSelector{}, SelectorPointer: pointer, ScrapeClass: class, Endpoints: eps}
		if class != "" {
			m.ScrapeClassPointer = "/spec/scrapeClass"
		}
		return m
	}
	sds, err := listAt(spec, "kubernetesSDConfigs", "/spec")
	if err != nil {
		return err
	}
	// Added only once the whole object reads: a problem anywhere leaves it
	// out of the model, as with any other source.
	var monitors []*Monitor
	for i, sd := range sds {
		pointer := fmt.Sprintf("/spec/kubernetesSDConfigs/%d", i)
		sdm, ok := sd.(map[string]any)
		if !ok {
			return &fieldError{pointer, "kubernetesSDConfigs entry is not a mapping"}
		}
		role := sdRole(asString(sdm["role"]))
		if role == "" {
			continue
		}
		e := common
		e.Index, e.Pointer, e.Role = i, pointer, role
		// The service role discovers each Service port, reached through
		// the Service's address; the endpoints roles every port of the
		// pods behind it.
		e.ServicePortsOnly = strings.EqualFold(asString(sdm["role"]), "service")
		m := newMonitor(role, pointer, []Endpoint{e})
		if err := readSDScope(m, sdm, pointer); err != nil {
			return err
		}
		monitors = append(monitors, m)
	}
	statics, err := listAt(spec, "staticConfigs", "/spec")
	if err != nil {
		return err
	}
	var eps []Endpoint
	for i, sc := range statics {
		pointer := fmt.Sprintf("/spec/staticConfigs/%d", i)
		scm, ok := sc.(map[string]any)
		if !ok {
			return &fieldError{pointer, "staticConfigs entry is not a mapping"}
		}
		e := common
		e.Index, e.Pointer, e.Role = i, pointer, RoleStatic
		if e.Static, err = parseStaticTargets(scm, pointer); err != nil {
			return err
		}
		eps = append(eps, e)
	}
	if len(eps) > 0 {
		monitors = append(monitors, newMonitor(RoleStatic, "/spec/staticConfigs", eps))
	}
	g.Monitors = append(g.Monitors, monitors...)
	return nil
}

// scrapeConfigEndpoint reads what a ScrapeConfig says about every target:
// its scheme, its tlsConfig and whether its relabelings decide the targets.
func scrapeConfigEndpoint(spec map[string]any) (Endpoint, *fieldError) {
	var e Endpoint
	scheme, err := stringAt(spec, "scheme", "/spec")
	if err != nil {
		return e, err
	}
	e.Scheme = strings.ToLower(scheme)
	if scheme != "" {
		e.SchemePointer = "/spec/scheme"
		if e.Scheme != "http" && e.Scheme != "https" {
			return e, &fieldError{e.SchemePointer, fmt.Sprintf("scheme %q is not HTTP or HTTPS", scheme)}
		}
	}
	if e.TLS, err = parseTLSConfig(spec["tlsConfig"], "/spec/tlsConfig"); err != nil {
		return e, err
	}
	relabelings, err := listAt(spec, "relabelings", "/spec")
	if err != nil {
		return e, err
	}
	e.Relabeled = relabelsTargets(relabelings)
	return e, nil
}

// sdRole maps a Kubernetes service discovery role to the targets it
// reaches; "" for roles that reach no pod (Node, Ingress).
func sdRole(role string) Role {
	switch strings.ToLower(role) {
	case "pod":
		return RolePod
	case "service", "endpoints", "endpointslice":
		return RoleService
	}
	return ""
}

// readSDScope reads the namespaces and label selectors of a Kubernetes SD
// config into m. A selector this model cannot apply (a field selector, a
// label selector on another role's objects, set-based or numeric terms that
// do not parse) leaves the targets undecided, as relabelings do.
func readSDScope(m *Monitor, sd map[string]any, pointer string) *fieldError {
	ns, err := mapAt(sd, "namespaces", pointer)
	if err != nil {
		return err
	}
	if ns == nil {
		m.AnyNamespace = true
	} else {
		names, err := listAt(ns, "names", pointer+"/namespaces")
		if err != nil {
			return err
		}
		for _, n := range names {
			m.MatchNamespaces = append(m.MatchNamespaces, scalarString(n))
		}
		own, _, err := boolAt(ns, "ownNamespace", pointer+"/namespaces")
		if err != nil {
			return err
		}
		if own {
			m.MatchNamespaces = append(m.MatchNamespaces, m.Namespace)
		}
		m.AnyNamespace = len(m.MatchNamespaces) == 0
	}
	selectors, err := listAt(sd, "selectors", pointer)
	if err != nil {
		return err
	}
	for i, s := range selectors {
		sm := asMap(s)
		m.SelectorPointer = fmt.Sprintf("%s/selectors/%d", pointer, i)
		if sdRole(asString(sm["role"])) != m.Role || asString(sm["field"]) != "" || !addLabelTerms(m.Selector, asString(sm["label"])) {
			m.Endpoints[0].Relabeled = true
		}
	}
	return nil
}

// addLabelTerms adds a Kubernetes label selector string ("app=cart,tier!=db")
// to s, parsed the way Prometheus's Kubernetes SD passes it to the API
// server; false when it does not parse or uses a numeric comparison.
func addLabelTerms(s *LabelSelector, text string) bool {
	parsed, err := labels.Parse(text)
	if err != nil {
		return false
	}
	reqs, _ := parsed.Requirements()
	for _, r := range reqs {
		req := Requirement{Key: r.Key(), Values: r.ValuesUnsorted()}
		switch r.Operator() {
		case selection.Equals, selection.DoubleEquals, selection.In:
			req.Operator = "In"
		case selection.NotEquals, selection.NotIn:
			req.Operator = "NotIn"
		case selection.Exists:
			req.Operator = "Exists"
		case selection.DoesNotExist:
			req.Operator = "DoesNotExist"
		default:
			return false
		}
		s.MatchExpressions = append(s.MatchExpressions, req)
	}
	return true
}
