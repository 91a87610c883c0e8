package fix

import (
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// Istio's recipe for Prometheus with Istio certs
// (https://istio.io/latest/docs/ops/integrations/prometheus/#tls-settings):
// the sidecar writes its certs (proxyMetadata.OUTPUT_CERTS) into an
// in-memory volume it mounts (sidecar.istio.io/userVolumeMount), which the
// prometheus container mounts too, and it does not capture Prometheus's
// outbound scrapes (includeOutboundIPRanges: "").
const (
	annProxyConfig = "proxy.istio.io/config"
	annUserMount   = "sidecar.istio.io/userVolumeMount"
	annOutbound    = "traffic.sidecar.istio.io/includeOutboundIPRanges"
	defaultOutput  = "/etc/istio-output-certs"
	defaultCertDir = "/etc/prom-certs/"
	defaultVolume  = "istio-certs"
)

// podSetup is what a Prometheus object already has of the recipe.
type podSetup struct {
	annotations  *yaml.Node // the pod annotations mapping, nil when absent
	annPointer   string
	proxyConfig  *string
	outputCerts  string
	userMounts   []userMount
	userMountSet bool
	volumes      map[string]*yaml.Node // by name
	mounts       map[string][]string   // mount paths by volume name
}

type userMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
}

func readSetup(obj *yaml.Node, annPointer string) podSetup {
	ps := podSetup{annPointer: annPointer, volumes: map[string]*yaml.Node{}, mounts: map[string][]string{}}
	if a, err := lookup(obj, annPointer); err == nil && a.Kind == yaml.MappingNode {
		ps.annotations = a
		if v := child(a, annProxyConfig); v != nil {
			s := v.Value
			ps.proxyConfig = &s
			var cfg struct {
				ProxyMetadata map[string]string `json:"proxyMetadata"`
			}
			if sigsyaml.Unmarshal([]byte(s), &cfg) == nil {
				ps.outputCerts = cfg.ProxyMetadata["OUTPUT_CERTS"]
			}
		}
		if v := child(a, annUserMount); v != nil {
			ps.userMountSet = true
			_ = json.Unmarshal([]byte(v.Value), &ps.userMounts)
		}
	}
	if vs, err := lookup(obj, "/spec/volumes"); err == nil && vs.Kind == yaml.SequenceNode {
		for _, v := range vs.Content {
			if n := child(v, "name"); n != nil {
				ps.volumes[n.Value] = v
			}
		}
	}
	if ms, err := lookup(obj, "/spec/volumeMounts"); err == nil && ms.Kind == yaml.SequenceNode {
		for _, m := range ms.Content {
			n, p := child(m, "name"), child(m, "mountPath")
			if n != nil && p != nil {
				ps.mounts[n.Value] = append(ps.mounts[n.Value], p.Value)
			}
		}
	}
	return ps
}

// certVolume is the volume the certs go through: the one the sidecar
// mounts, else an emptyDir the prometheus container mounts (preferring a
// name with "istio"), else none.
func (ps podSetup) certVolume() string {
	for _, m := range ps.userMounts {
		if m.Name != "" {
			return m.Name
		}
	}
	best := ""
	for name, v := range ps.volumes {
		if child(v, "emptyDir") == nil || len(ps.mounts[name]) == 0 {
			continue
		}
		if best == "" || strings.Contains(name, "istio") && !strings.Contains(best, "istio") || name < best && strings.Contains(name, "istio") == strings.Contains(best, "istio") {
			best = name
		}
	}
	return best
}

func exportFix(src *Source, obj *yaml.Node, t Target) []Fix {
	const desc = "add Istio's cert export to the Prometheus pod: the proxy.istio.io/config OUTPUT_CERTS and sidecar.istio.io/userVolumeMount annotations, an in-memory cert volume mounted by the prometheus container, and includeOutboundIPRanges: \"\""
	if src == nil {
		return one(desc, nil, errNoEdit)
	}
	ps := readSetup(obj, podAnnotationsPointer(obj, t.Pointer))
	if ps.proxyConfig != nil && ps.userMountSet {
		if edits, from, to, err := renameUserVolume(src, obj, ps, t.Hint.CertDirs); from != "" {
			return one(fmt.Sprintf("make sidecar.istio.io/userVolumeMount mount volume %q, the one the prometheus container reads the certs from, instead of %q", to, from), edits, err)
		}
		if edits, ok, err := missingUserVolumes(src, obj, ps); ok {
			return one("add the volume sidecar.istio.io/userVolumeMount names to spec.volumes, as an in-memory emptyDir", edits, err)
		}
		return []Fix{{Description: "make proxyMetadata.OUTPUT_CERTS of proxy.istio.io/config the mountPath of a sidecar.istio.io/userVolumeMount volume that the prometheus container mounts",
			NotDefault: "the annotations exist; which of their values is meant is a choice"}}
	}
	if ps.proxyConfig != nil && ps.outputCerts == "" {
		return []Fix{{Description: "set proxyMetadata.OUTPUT_CERTS in the proxy.istio.io/config annotation to the path of the cert volume in the sidecar",
			NotDefault: "the annotation holds other proxy settings; edit it by hand"}}
	}
	edits, err := exportEdits(src, obj, ps, t.Hint.CertDirs)
	return one(desc, edits, err)
}

// renameUserVolume points the sidecar's user mount at the volume the
// prometheus container reads the certs from, when it names another one:
// the volume name is replaced inside the annotation's JSON text, nothing
// else in it changes. from is "" when there is nothing to rename.
func renameUserVolume(src *Source, obj *yaml.Node, ps podSetup, certDirs []string) ([]Edit, string, string, error) {
	if len(ps.userMounts) != 1 || ps.userMounts[0].Name == "" {
		return nil, "", "", nil
	}
	from := ps.userMounts[0].Name
	if cleanDir(ps.userMounts[0].MountPath) != cleanDir(ps.outputCerts) {
		return nil, "", "", nil
	}
	to := ""
	for name, paths := range ps.mounts {
		for _, p := range paths {
			for _, d := range certDirs {
				if cleanDir(p) == cleanDir(d) && ps.volumes[name] != nil && (to == "" || name < to) {
					to = name
				}
			}
		}
	}
	if to == "" || to == from {
		return nil, "", "", nil
	}
	v := child(ps.annotations, annUserMount)
	start, end, err := src.scalarSpan(v, flowStyle(ps.annotations))
	if err != nil {
		return nil, from, to, err
	}
	text := string(src.Text[start:end])
	old := `"` + from + `"`
	if strings.Count(text, old) != 1 {
		return nil, from, to, errNoEdit
	}
	at := start + strings.Index(text, old)
	return []Edit{src.edit(at, at+len(old), `"`+to+`"`)}, from, to, nil
}

// missingUserVolumes adds the volumes the sidecar's user mounts name that
// the pod lacks; ok is false when none is missing.
func missingUserVolumes(src *Source, obj *yaml.Node, ps podSetup) ([]Edit, bool, error) {
	var lines []string
	for _, m := range ps.userMounts {
		if m.Name != "" && ps.volumes[m.Name] == nil {
			lines = append(lines, "- name: "+m.Name, "  emptyDir:", "    medium: Memory")
		}
	}
	if len(lines) == 0 {
		return nil, false, nil
	}
	e, err := src.ensure(obj, []string{"spec", "volumes"}, lines)
	return []Edit{e}, true, err
}

// exportEdits adds what the recipe lacks, with the names and paths already
// present: the volume the sidecar or the container mounts, OUTPUT_CERTS.
func exportEdits(src *Source, obj *yaml.Node, ps podSetup, certDirs []string) ([]Edit, error) {
	edits, _, err := exportEditsDir(src, obj, ps, certDirs)
	return edits, err
}

// exportEditsDir is exportEdits, and the directory where the prometheus
// container sees the certs once they are made.
func exportEditsDir(src *Source, obj *yaml.Node, ps podSetup, certDirs []string) ([]Edit, string, error) {
	if spec, err := lookup(obj, "/spec"); err != nil || spec.Kind != yaml.MappingNode || flowStyle(spec) || len(spec.Content) == 0 {
		// the additions below each go under spec: without a block spec
		// they would each create it
		return nil, "", fmt.Errorf("the Prometheus has no spec to add to: %w", errNoEdit)
	}
	vol := ps.certVolume()
	if vol == "" {
		vol = defaultVolume
	}
	out := ps.outputCerts
	for _, m := range ps.userMounts {
		if out == "" && m.Name == vol {
			out = m.MountPath
		}
	}
	if out == "" {
		out = defaultOutput
	}
	var ann []string
	if ps.proxyConfig == nil {
		ann = append(ann, annProxyConfig+": |", "  proxyMetadata:", "    OUTPUT_CERTS: "+out)
	}
	if !ps.userMountSet {
		ann = append(ann, fmt.Sprintf(`%s: '[{"name": "%s", "mountPath": "%s"}]'`, annUserMount, vol, out))
	}
	if ps.annotations == nil || child(ps.annotations, annOutbound) == nil {
		ann = append(ann, annOutbound+`: ""`)
	}
	var edits []Edit
	if len(ann) > 0 {
		e, err := src.ensure(obj, splitPointer(ps.annPointer), ann)
		if err != nil {
			return nil, "", err
		}
		edits = append(edits, e)
	}
	if ps.volumes[vol] == nil {
		e, err := src.ensure(obj, []string{"spec", "volumes"}, []string{"- name: " + vol, "  emptyDir:", "    medium: Memory"})
		if err != nil {
			return nil, "", err
		}
		edits = append(edits, e)
	}
	if len(ps.mounts[vol]) > 0 {
		return edits, ps.mounts[vol][0], nil
	}
	dir := defaultCertDir
	if len(certDirs) > 0 {
		dir = certDirs[0]
	}
	e, err := src.ensure(obj, []string{"spec", "volumeMounts"}, []string{"- name: " + vol, "  mountPath: " + dir})
	if err != nil {
		return nil, "", err
	}
	return append(edits, e), dir, nil
}

// ScrapeWithExport is the fix of a plaintext scrape whose one selecting
// Prometheus exports no Istio certs yet: the monitor's https and tlsConfig,
// and the Prometheus's cert export (in its own file, prom), so that the fix
// leaves no istio-certs-not-exported behind.
func ScrapeWithExport(mon *Source, t Target, prom *Source) []Fix {
	if len(t.Hint.Prometheuses) != 1 || t.Rendered {
		return nil
	}
	p := t.Hint.Prometheuses[0]
	if p.File == "" || p.CertDir != "" || p.FileTLSDenied {
		return nil
	}
	desc := fmt.Sprintf("scrape over https with Istio's certs (scheme: https, tlsConfig, insecureSkipVerify: true), and add Istio's cert export to Prometheus %s", p.Name)
	pobj, err := prom.object(Target{DocStart: p.DocStart, Prefix: p.Prefix})
	if err != nil {
		return one(desc, nil, err)
	}
	ps := readSetup(pobj, "/spec/podMetadata/annotations")
	if ps.proxyConfig != nil || ps.userMountSet {
		return nil // a partial export: its own findings say what to change
	}
	pedits, dir, err := exportEditsDir(prom, pobj, ps, nil)
	if err != nil {
		return one(desc, nil, err)
	}
	mobj, err := mon.object(t)
	if err != nil {
		return one(desc, nil, err)
	}
	medits, err := tlsEdits(mon, mobj, holder(t.Pointer, "scheme"), istioTLS(dir))
	if err != nil {
		return one(desc, nil, err)
	}
	return environmentRule(one(desc, append(medits, pedits...), nil), t.Hint)
}

func mountFix(src *Source, obj *yaml.Node, t Target) []Fix {
	dirs := t.Hint.CertDirs
	desc := fmt.Sprintf("mount the volume the sidecar writes Istio certs to at %s in the prometheus container (spec.volumeMounts)", strings.Join(dirs, ", "))
	if src == nil || len(dirs) == 0 {
		return one(desc, nil, errNoEdit)
	}
	ps := readSetup(obj, podAnnotationsPointer(obj, "/spec/podMetadata/annotations"))
	vol := ""
	for _, m := range ps.userMounts {
		if m.MountPath != "" && cleanDir(m.MountPath) == cleanDir(ps.outputCerts) {
			vol = m.Name
		}
	}
	if vol == "" || ps.volumes[vol] == nil {
		return []Fix{{Description: desc, NotDefault: "the sidecar writes its certs to no volume of the pod; fix istio-certs-not-exported first"}}
	}
	var lines []string
	for _, d := range dirs {
		lines = append(lines, "- name: "+vol, "  mountPath: "+d)
	}
	e, err := src.ensure(obj, []string{"spec", "volumeMounts"}, lines)
	return one(desc, []Edit{e}, err)
}

func podMonitorOptions(*Source, *yaml.Node, Target) []Fix {
	const why = "a choice between options"
	return []Fix{
		{Description: "replace the PodMonitor with a ServiceMonitor (and a Service for the port) that scrapes over https with Istio's tlsConfig", NotDefault: why},
		{Description: "define a scrape class with Istio's tlsConfig in the Prometheus and name it in spec.scrapeClass of this PodMonitor, with scheme: https", NotDefault: why},
		{Description: "add a PERMISSIVE portLevelMtls exception for the metrics port in a PeerAuthentication that selects the workload", NotDefault: why},
	}
}

func sharedPortOptions(*Source, *yaml.Node, Target) []Fix {
	const why = "a choice between options"
	return []Fix{
		{Description: "serve metrics on a port of their own and make only that port PERMISSIVE", NotDefault: why},
		{Description: "remove the exception and scrape the port over https with Istio's tlsConfig from a ServiceMonitor", NotDefault: why},
	}
}

// injectFix opts the Prometheus pod in to injection with the pod label
// sidecar.istio.io/inject: "true", which Istio's injection webhook selects in
// a namespace without an injection label
// (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy).
// A label set to "false" is someone's decision: changing it is offered only.
func injectFix(src *Source, obj *yaml.Node, t Target) []Fix {
	const label = "sidecar.istio.io/inject"
	desc := "label the Prometheus pod " + label + `: "true" (spec.podMetadata.labels), so Istio injects its sidecar`
	if src == nil {
		return one(desc, nil, errNoEdit)
	}
	labels, _ := lookup(obj, "/spec/podMetadata/labels")
	if labels != nil && labels.Kind == yaml.MappingNode && keyNode(labels, label) >= 0 {
		edits, err := setOrInsert(src, obj, "/spec/podMetadata/labels", label, `"true"`)
		fs := one(desc, edits, err)
		fs[0].Default, fs[0].NotDefault = false, "the pod is labeled "+label+` otherwise on purpose, it seems; or label the namespace istio-injection=enabled instead`
		return fs
	}
	if t.Pointer != "/spec/podMetadata/labels" {
		return []Fix{{Description: desc, NotDefault: "the pod's own settings keep the sidecar out; decide which to change"}}
	}
	edits, err := setOrInsert(src, obj, "/spec/podMetadata/labels", label, `"true"`)
	return one(desc, edits, err)
}

func selectorOptions(*Source, *yaml.Node, Target) []Fix {
	const why = "a choice between options"
	return []Fix{
		{Description: "move the portLevelMtls entries to a PeerAuthentication with a selector.matchLabels for the workload that needs them", NotDefault: why},
		{Description: "remove portLevelMtls from this namespace-wide PeerAuthentication", NotDefault: why},
	}
}
