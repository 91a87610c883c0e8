package graph

import (
	"fmt"
	"strings"
)

// addMonitor reads a scrape source of kind k.
func (g *Graph) addMonitor(r *Resource, k *SourceKind) *fieldError {
	obj := r.Doc.Object
	m := &Monitor{Resource: r.ID, Kind: r.Kind, Source: k, Role: k.Role, Namespace: r.Namespace, Name: r.Name, SelectorPointer: "/spec/selector"}
	var err *fieldError
	if m.Labels, err = g.labels(dig(obj, "metadata", "labels"), "/metadata/labels"); err != nil {
		return err
	}
	spec, err := mapAt(obj, "spec", "")
	if err != nil {
		return err
	}
	if spec == nil {
		return &fieldError{"", r.Kind + " has no spec"}
	}
	if m.Selector, err = readLabelSelector(spec["selector"], "/spec/selector", g.labels); err != nil {
		return err
	}
	if m.Selector == nil {
		// The CRD requires a selector; an absent one decodes as the empty
		// selector in the operator's Go types, which selects everything.
		m.Selector = &LabelSelector{}
	}
	nsSel, err := mapAt(spec, "namespaceSelector", "/spec")
	if err != nil {
		return err
	}
	if nsSel != nil {
		if m.AnyNamespace, _, err = boolAt(nsSel, "any", "/spec/namespaceSelector"); err != nil {
			return err
		}
		names, err := listAt(nsSel, "matchNames", "/spec/namespaceSelector")
		if err != nil {
			return err
		}
		for i, n := range names {
			ns := scalarString(n)
			if len(ns) > maxDNSLabel {
				return tooLong(fmt.Sprintf("/spec/namespaceSelector/matchNames/%d", i), "namespace name", len(ns), maxDNSLabel)
			}
			m.MatchNamespaces = append(m.MatchNamespaces, ns)
		}
	}
	if m.ScrapeClass, err = stringAt(spec, "scrapeClass", "/spec"); err != nil {
		return err
	}
	if m.ScrapeClass != "" {
		m.ScrapeClassPointer = "/spec/scrapeClass"
	}
	listKey := k.Endpoints
	eps, err := listAt(spec, listKey, "/spec")
	if err != nil {
		return err
	}
	// Sized once: a monitor can hold hundreds of thousands of aliased
	// endpoints, and growing the slice by appending copies it over and over.
	m.Endpoints = make([]Endpoint, 0, len(eps))
	for i, e := range eps {
		ep, err := parseEndpoint(e, fmt.Sprintf("/spec/%s/%d", listKey, i), k)
		if err != nil {
			return err
		}
		ep.Index = i
		ep.ServicePortsOnly = k.DiscoveryRole != "" && strings.EqualFold(asString(spec[k.DiscoveryRole]), "service")
		m.Endpoints = append(m.Endpoints, ep)
	}
	g.Monitors = append(g.Monitors, m)
	return nil
}

func parseEndpoint(v any, pointer string, k *SourceKind) (Endpoint, *fieldError) {
	e := Endpoint{Pointer: pointer, Role: k.Role}
	em, ok := v.(map[string]any)
	if !ok {
		return e, &fieldError{pointer, "endpoint is not a mapping"}
	}
	var err *fieldError
	if e.Port, err = stringAt(em, "port", pointer); err != nil {
		return e, err
	}
	if len(e.Port) > maxDNSLabel {
		return e, tooLong(pointer+"/port", "endpoint port name", len(e.Port), maxDNSLabel)
	}
	if k.PortNumber {
		if e.PortNumber, err = parsePortNumber(em["portNumber"], pointer+"/portNumber"); err != nil {
			return e, err
		}
	}
	if e.TargetPort, err = parseIntOrString(em["targetPort"], pointer+"/targetPort"); err != nil {
		return e, err
	}
	if len(e.TargetPort.Name) > maxDNSLabel {
		return e, tooLong(pointer+"/targetPort", "endpoint targetPort name", len(e.TargetPort.Name), maxDNSLabel)
	}
	scheme, err := stringAt(em, "scheme", pointer)
	if err != nil {
		return e, err
	}
	e.Scheme = strings.ToLower(scheme)
	if scheme != "" {
		e.SchemePointer = pointer + "/scheme"
		if e.Scheme != "http" && e.Scheme != "https" {
			return e, &fieldError{e.SchemePointer, fmt.Sprintf("scheme %q is not http or https", scheme)}
		}
	}
	if e.TLS, err = parseTLSConfig(em["tlsConfig"], pointer+"/tlsConfig"); err != nil {
		return e, err
	}
	if k.SafeTLS {
		e.TLS.keepSafeFields()
	}
	if k.BearerTokenFile {
		if e.BearerTokenFile, err = stringAt(em, "bearerTokenFile", pointer); err != nil {
			return e, err
		}
		if e.BearerTokenFile != "" {
			e.BearerTokenFilePointer = pointer + "/bearerTokenFile"
		}
	}
	if k.Role == RoleStatic {
		if e.Static, err = parseStaticTargets(em, pointer); err != nil {
			return e, err
		}
	}
	relabelings, err := listAt(em, k.Relabelings, pointer)
	if err != nil {
		return e, err
	}
	e.Relabeled = relabelsTargets(relabelings)
	return e, nil
}

// parseStaticTargets reads an endpoint's targets list of host:port strings.
func parseStaticTargets(em map[string]any, pointer string) ([]StaticTarget, *fieldError) {
	list, err := listAt(em, "targets", pointer)
	if err != nil {
		return nil, err
	}
	out := make([]StaticTarget, 0, len(list))
	for i, t := range list {
		out = append(out, StaticTarget{Address: scalarString(t), Pointer: fmt.Sprintf("%s/targets/%d", pointer, i)})
	}
	return out, nil
}

// relabelsTargets reports whether relabel configs rewrite the address or
// filter targets, so the scraped port cannot be derived from the port
// fields.
func relabelsTargets(relabelings []any) bool {
	for _, rl := range relabelings {
		rm := asMap(rl)
		action := strings.ToLower(asString(rm["action"]))
		target := asString(rm["targetLabel"])
		if target == "" {
			target = asString(rm["target_label"])
		}
		if target == "__address__" || action == "keep" || action == "drop" || action == "keepequal" || action == "dropequal" {
			return true
		}
	}
	return false
}

func parseTLSConfig(v any, pointer string) (TLSConfig, *fieldError) {
	t := TLSConfig{Pointer: pointer}
	if v == nil {
		return t, nil
	}
	tm, ok := v.(map[string]any)
	if !ok {
		return t, &fieldError{pointer, "tlsConfig is not a mapping"}
	}
	t.Present = true
	for _, f := range []string{"caFile", "certFile", "keyFile"} {
		s, err := stringAt(tm, f, pointer)
		if err != nil {
			return t, err
		}
		if s != "" {
			t.Files = append(t.Files, TLSFile{Field: f, Path: s, Pointer: pointer + "/" + f})
		}
	}
	t.HasSecretCA = tm["ca"] != nil
	t.HasSecretCert = tm["cert"] != nil
	t.HasSecretKey = tm["keySecret"] != nil
	t.ServerName = asString(tm["serverName"])
	for _, k := range []string{"ca", "cert", "keySecret", "serverName", "insecureSkipVerify", "minVersion", "maxVersion"} {
		if m, isMap := tm[k].(map[string]any); tm[k] != nil && !(isMap && len(m) == 0) {
			t.SafeSet = true // an empty ca: {} is still the zero value
		}
	}
	var err *fieldError
	if t.InsecureSkipVerify, t.SkipVerifySet, err = boolAt(tm, "insecureSkipVerify", pointer); err != nil {
		return t, err
	}
	if t.SkipVerifySet {
		t.SkipVerifyPointer = pointer + "/insecureSkipVerify"
	}
	return t, nil
}

// addPrometheus reads a scraper of kind k. The parts are read in the order
// of the spec below, so that the first wrong field is the one reported.
func (g *Graph) addPrometheus(r *Resource, k *ScraperKind) *fieldError {
	obj := r.Doc.Object
	p := &Prometheus{Resource: r.ID, Kind: r.Kind, Scraper: k, Namespace: r.Namespace, Name: r.Name, Selectors: map[string]*LabelSelector{}}
	spec, err := mapAt(obj, "spec", "")
	if err != nil {
		return err
	}
	if spec == nil {
		spec = map[string]any{}
	}
	if err := p.readSelectors(spec); err != nil {
		return err
	}
	p.PodMetadataPointer = "/spec/podMetadata"
	if p.PodLabels, err = labelMap(dig(spec, "podMetadata", "labels"), "/spec/podMetadata/labels"); err != nil {
		return err
	}
	if p.PodAnnotations, err = annotationMap(dig(spec, "podMetadata", "annotations"), "/spec/podMetadata/annotations"); err != nil {
		return err
	}
	if p.Volumes, err = prometheusVolumes(spec); err != nil {
		return err
	}
	if p.VolumeMounts, err = prometheusVolumeMounts(spec); err != nil {
		return err
	}
	if p.ScrapeClasses, err = prometheusScrapeClasses(spec); err != nil {
		return err
	}
	hostNetwork, _, err := boolAt(spec, "hostNetwork", "/spec")
	if err != nil {
		return err
	}
	fsAccess, err := mapAt(spec, "arbitraryFSAccessThroughSMs", "/spec")
	if err != nil {
		return err
	}
	if fsAccess != nil {
		if p.ArbitraryFSDeny, _, err = boolAt(fsAccess, "deny", "/spec/arbitraryFSAccessThroughSMs"); err != nil {
			return err
		}
		p.ArbitraryFSDenyPointer = "/spec/arbitraryFSAccessThroughSMs/deny"
	}
	labels := k.PodLabels(p.Name)
	for k, v := range p.PodLabels {
		labels[k] = v
	}
	p.Pod = &Workload{Resource: r.ID, Kind: r.Kind, Namespace: p.Namespace, Name: p.Name, ScraperPod: true,
		Template: "/spec/podMetadata", Meta: "/spec/podMetadata", Spec: "/spec", Labels: labels, Annotations: p.PodAnnotations, HostNetwork: hostNetwork,
		Ports: append([]ContainerPort(nil), k.Ports...)}
	p.Misplaced = misplacedKeys(obj, p.PodLabels, p.PodAnnotations)
	g.Prometheus = append(g.Prometheus, p)
	return nil
}

// readSelectors reads the selector and namespace selector of every kind of
// monitor that the scraper's family selects.
func (p *Prometheus) readSelectors(spec map[string]any) *fieldError {
	k := p.Scraper
	for _, sk := range sourceKinds {
		sel, nsSel, ok := sk.selectorFields(k.Family)
		if !ok {
			continue
		}
		for _, key := range []string{sel, nsSel} {
			var err *fieldError
			if p.Selectors[key], err = parseLabelSelector(spec[key], "/spec/"+key); err != nil {
				return err
			}
		}
		if k.Selection != nil {
			if err := k.Selection(spec, p.Selectors, sel, nsSel); err != nil {
				return err
			}
		}
	}
	return nil
}

// prometheusVolumes reads spec.volumes, with the emptyDir medium that
// decides where exported certs live.
func prometheusVolumes(spec map[string]any) ([]Volume, *fieldError) {
	volumes, err := listAt(spec, "volumes", "/spec")
	if err != nil {
		return nil, err
	}
	var out []Volume
	for i, v := range volumes {
		vp := fmt.Sprintf("/spec/volumes/%d", i)
		vm, ok := v.(map[string]any)
		if !ok {
			return nil, &fieldError{vp, "volume is not a mapping"}
		}
		vol := Volume{Name: asString(vm["name"]), Pointer: vp}
		if ed, exists := vm["emptyDir"]; exists {
			vol.EmptyDir = true
			edm, ok := ed.(map[string]any)
			if !ok && ed != nil {
				return nil, &fieldError{vp + "/emptyDir", "emptyDir is not a mapping"}
			}
			vol.Medium = asString(edm["medium"])
			vol.MediumPointer = vp + "/emptyDir"
			if _, set := edm["medium"]; set {
				vol.MediumPointer = vp + "/emptyDir/medium"
			}
		}
		out = append(out, vol)
	}
	return out, nil
}

// prometheusVolumeMounts reads spec.volumeMounts, then the mounts that
// spec.containers patches into the Prometheus container.
func prometheusVolumeMounts(spec map[string]any) ([]VolumeMount, *fieldError) {
	mounts, err := listAt(spec, "volumeMounts", "/spec")
	if err != nil {
		return nil, err
	}
	var out []VolumeMount
	for i, v := range mounts {
		mp := fmt.Sprintf("/spec/volumeMounts/%d", i)
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, &fieldError{mp, "volumeMount is not a mapping"}
		}
		out = append(out, VolumeMount{Name: asString(mm["name"]), MountPath: asString(mm["mountPath"]), Pointer: mp})
	}
	patched, err := prometheusContainerMounts(spec)
	if err != nil {
		return nil, err
	}
	return append(out, patched...), nil
}

// prometheusScrapeClasses reads spec.scrapeClasses.
func prometheusScrapeClasses(spec map[string]any) ([]ScrapeClass, *fieldError) {
	classes, err := listAt(spec, "scrapeClasses", "/spec")
	if err != nil {
		return nil, err
	}
	var out []ScrapeClass
	for i, c := range classes {
		cp := fmt.Sprintf("/spec/scrapeClasses/%d", i)
		cm, ok := c.(map[string]any)
		if !ok {
			return nil, &fieldError{cp, "scrape class is not a mapping"}
		}
		sc := ScrapeClass{Name: asString(cm["name"]), Pointer: cp}
		if sc.Default, _, err = boolAt(cm, "default", cp); err != nil {
			return nil, err
		}
		if sc.TLS, err = parseTLSConfig(cm["tlsConfig"], cp+"/tlsConfig"); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// prometheusContainerMounts are the volumeMounts that spec.containers adds
// to the operator's "prometheus" container: entries there are strategic
// merge patches of the operator's containers by name
// (pkg/apis/monitoring/v1/prometheus_types.go CommonPrometheusFields.Containers,
// pkg/prometheus/server/statefulset.go MergePatchContainers). Mounts patched
// into config-reloader or thanos-sidecar are not the Prometheus container's.
func prometheusContainerMounts(spec map[string]any) ([]VolumeMount, *fieldError) {
	containers, err := listAt(spec, "containers", "/spec")
	if err != nil {
		return nil, err
	}
	var out []VolumeMount
	for i, c := range containers {
		cp := fmt.Sprintf("/spec/containers/%d", i)
		cm, ok := c.(map[string]any)
		if !ok {
			return nil, &fieldError{cp, "container is not a mapping"}
		}
		if asString(cm["name"]) != "prometheus" {
			continue
		}
		mounts, err := listAt(cm, "volumeMounts", cp)
		if err != nil {
			return nil, err
		}
		for j, v := range mounts {
			mp := fmt.Sprintf("%s/volumeMounts/%d", cp, j)
			mm, ok := v.(map[string]any)
			if !ok {
				return nil, &fieldError{mp, "volumeMount is not a mapping"}
			}
			out = append(out, VolumeMount{Name: asString(mm["name"]), MountPath: asString(mm["mountPath"]), Pointer: mp})
		}
	}
	return out, nil
}
