package promvalues

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// load writes text to a values file in a temporary directory and reads it.
func load(t *testing.T, text string, opts Options) (*Result, error) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "values.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.WorkDir = dir
	return Load([]string{p}, opts)
}

func mustLoad(t *testing.T, text string, opts Options) (File, *Result) {
	t.Helper()
	res, err := load(t, text, opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(res.Files) != 1 {
		t.Fatalf("got %d files", len(res.Files))
	}
	return res.Files[0], res
}

func spec(t *testing.T, f File) map[string]any {
	t.Helper()
	if f.Document == nil {
		t.Fatalf("no Prometheus modelled: %s", f.Summary)
	}
	return f.Document.Object["spec"].(map[string]any)
}

const recipe = `
    volumes:
      - name: istio-certs
        emptyDir:
          medium: Memory
    volumeMounts:
      - name: istio-certs
        mountPath: /etc/prom-certs/
    podMetadata:
      annotations:
        traffic.sidecar.istio.io/includeOutboundIPRanges: ""
        proxy.istio.io/config: |
          proxyMetadata:
            OUTPUT_CERTS: /etc/istio-output-certs
        sidecar.istio.io/userVolumeMount: '[{"name": "istio-certs", "mountPath": "/etc/istio-output-certs"}]'
`

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		shape      Shape
		base       string
	}{
		{"kube-prometheus-stack", "prometheus:\n  prometheusSpec: {}\n", KubePrometheusStack, ""},
		{"kube-prometheus-stack without prometheus", "grafana:\n  enabled: false\n", KubePrometheusStack, ""},
		{"Big Bang", "monitoring:\n  values:\n    prometheus: {}\n", BigBang, "/monitoring/values"},
		{"Big Bang without values", "monitoring:\n  enabled: true\n", BigBang, "/monitoring/values"},
		{"Big Bang passthrough", "monitoring:\n  values:\n    upstream:\n      prometheus: {}\n", BigBang, "/monitoring/values/upstream"},
		{"Big Bang package", "upstream:\n  prometheus: {}\n", BigBangPackage, "/upstream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, _, p := loader.ReadYAMLValues("v.yaml", []byte(tc.text), loader.Limits{})
			if p != nil {
				t.Fatal(p.Message)
			}
			shape, base, err := detect(root)
			if err != nil || shape != tc.shape || base != tc.base {
				t.Errorf("detect = %v %q %v, want %v %q", shape, base, err, tc.shape, tc.base)
			}
		})
	}
	if _, err := load(t, "replicaCount: 1\nimage: nginx\n", Options{}); err == nil || !strings.Contains(err.Error(), "neither kube-prometheus-stack values") {
		t.Errorf("a values file of another chart: err = %v", err)
	}
	if _, err := load(t, "", Options{}); err == nil {
		t.Error("an empty file: no error")
	}
}

func TestFullname(t *testing.T) {
	for _, tc := range []struct{ release, nameOverride, fullnameOverride, want string }{
		{"kube-prometheus-stack", "", "", "kube-prometheus-stack"},
		{"prometheus", "", "", "prometheus-kube-prometheus"}, // 26 characters
		{"monitoring-monitoring", "", "", "monitoring-monitoring-kube"},
		{"my-kube-prometheus-stack-release", "", "", "my-kube-prometheus-stack-r"},
		{"obs", "kps", "", "obs-kps"},
		{"obs", "", "prom-stack-", "prom-stack"},
		{"a", "", "", "a-kube-prometheus-stack"},
		{"abcdefghi", "", "", "abcdefghi-kube-prometheus"}, // cut at 26, then the dash trimmed
	} {
		if got := fullname(tc.release, tc.nameOverride, tc.fullnameOverride); got != tc.want {
			t.Errorf("fullname(%q, %q, %q) = %q, want %q", tc.release, tc.nameOverride, tc.fullnameOverride, got, tc.want)
		}
	}
}

func TestKubePrometheusStackDefaults(t *testing.T) {
	f, _ := mustLoad(t, "prometheus:\n  prometheusSpec:\n"+recipe, Options{})
	d := f.Document
	if d.Name != "kube-prometheus-stack-prometheus" || d.Namespace != "monitoring" || d.Kind != "Prometheus" {
		t.Errorf("modelled %s %s/%s", d.Kind, d.Namespace, d.Name)
	}
	s := spec(t, f)
	release := map[string]any{"matchLabels": map[string]any{"release": "kube-prometheus-stack"}}
	for field, want := range map[string]any{
		"serviceMonitorSelector": release, "podMonitorSelector": release,
		"serviceMonitorNamespaceSelector": map[string]any{}, "podMonitorNamespaceSelector": map[string]any{},
	} {
		if !reflect.DeepEqual(s[field], want) {
			t.Errorf("%s = %v, want %v", field, s[field], want)
		}
	}
	if len(s["volumes"].([]any)) != 1 || len(s["volumeMounts"].([]any)) != 1 {
		t.Errorf("volumes/mounts not copied: %v", s)
	}
	if !strings.Contains(f.Summary, "kube-prometheus-stack values (prometheus)") || !strings.Contains(f.Summary, "release: kube-prometheus-stack") {
		t.Errorf("summary %q", f.Summary)
	}
}

func TestSelectorsAndNames(t *testing.T) {
	text := `
fullnameOverride: obs
namespaceOverride: observability
prometheus:
  prometheusSpec:
    serviceMonitorSelector: {}
    podMonitorSelectorNilUsesHelmValues: false
    serviceMonitorNamespaceSelector:
      matchLabels: {team: a}
`
	f, _ := mustLoad(t, text, Options{Release: "ignored-for-the-name"})
	if f.Document.Name != "obs-prometheus" || f.Document.Namespace != "observability" {
		t.Errorf("modelled %s/%s", f.Document.Namespace, f.Document.Name)
	}
	s := spec(t, f)
	// {} is false to Helm's `if`, so the release selector still applies.
	if !reflect.DeepEqual(s["serviceMonitorSelector"], map[string]any{"matchLabels": map[string]any{"release": "ignored-for-the-name"}}) {
		t.Errorf("serviceMonitorSelector = %v", s["serviceMonitorSelector"])
	}
	if !reflect.DeepEqual(s["podMonitorSelector"], map[string]any{}) {
		t.Errorf("podMonitorSelector = %v, want {} (NilUsesHelmValues false)", s["podMonitorSelector"])
	}
	if !reflect.DeepEqual(s["serviceMonitorNamespaceSelector"], map[string]any{"matchLabels": map[string]any{"team": "a"}}) {
		t.Errorf("serviceMonitorNamespaceSelector = %v", s["serviceMonitorNamespaceSelector"])
	}
	if _, ok := s["volumes"]; ok {
		t.Error("volumes rendered though the values have none")
	}
}

func TestPointersMapIntoTheValuesFile(t *testing.T) {
	text := "monitoring:\n  values:\n    prometheus:\n      prometheusSpec:\n" + indent(recipe, 4) + "istiod:\n  enabled: false\n"
	f, _ := mustLoad(t, text, Options{})
	d := f.Document
	if d.Name != "monitoring-monitoring-kube-prometheus" {
		t.Errorf("Big Bang Prometheus is %s", d.Name)
	}
	for _, tc := range []struct {
		pointer  string
		line     int
		describe string
	}{
		{"/spec/podMetadata/annotations", 13, "monitoring.values.prometheus.prometheusSpec.podMetadata.annotations"},
		{"/spec/podMetadata/annotations/proxy.istio.io~1config", 15, `monitoring.values.prometheus.prometheusSpec.podMetadata.annotations["proxy.istio.io/config"]`},
		{"/spec/volumes/0/emptyDir/medium", 8, "monitoring.values.prometheus.prometheusSpec.volumes[0].emptyDir.medium"},
		{"/spec/volumeMounts", 9, "monitoring.values.prometheus.prometheusSpec.volumeMounts"},
		// Missing keys land on their nearest parent.
		{"/spec/podMetadata/labels", 12, "monitoring.values.prometheus.prometheusSpec.podMetadata.labels"},
		{"/spec/scrapeClasses/0", 4, "monitoring.values.prometheus.prometheusSpec.scrapeClasses[0]"},
		{"", 3, "monitoring.values.prometheus"},
	} {
		r, _ := d.Position(tc.pointer)
		if r.Line != tc.line {
			t.Errorf("Position(%q) is on line %d, want %d", tc.pointer, r.Line, tc.line)
		}
		if got := d.Describe(tc.pointer); got != tc.describe {
			t.Errorf("Describe(%q) = %q, want %q", tc.pointer, got, tc.describe)
		}
	}
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimPrefix(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

func TestBigBangAddsTheWiringItself(t *testing.T) {
	f, _ := mustLoad(t, "monitoring:\n  enabled: true\n", Options{})
	s := spec(t, f)
	anns := s["podMetadata"].(map[string]any)["annotations"].(map[string]any)
	if _, ok := anns["proxy.istio.io/config"]; !ok || len(s["volumes"].([]any)) != 1 || len(s["volumeMounts"].([]any)) != 1 {
		t.Errorf("Big Bang's wiring is missing: %v", s)
	}
	if !reflect.DeepEqual(s["serviceMonitorSelector"], map[string]any{}) {
		t.Errorf("Big Bang selects %v, want every monitor", s["serviceMonitorSelector"])
	}
	if !strings.Contains(f.Summary, "Big Bang adds the Istio cert volume") {
		t.Errorf("summary %q", f.Summary)
	}
	if got := f.Document.Describe("/spec/volumes/0"); got != "monitoring.values.prometheus.prometheusSpec.volumes[0] (set by Big Bang's defaults)" {
		t.Errorf("Describe = %q", got)
	}

	// A list the user sets replaces Big Bang's; mappings merge.
	text := `
monitoring:
  values:
    prometheus:
      prometheusSpec:
        volumes:
          - name: istio-certs
            emptyDir: {}
        podMetadata:
          annotations:
            team: a
`
	f, _ = mustLoad(t, text, Options{})
	s = spec(t, f)
	vol := s["volumes"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(vol["emptyDir"], map[string]any{}) {
		t.Errorf("user volumes did not replace Big Bang's: %v", vol)
	}
	anns = s["podMetadata"].(map[string]any)["annotations"].(map[string]any)
	if anns["team"] != "a" || anns["sidecar.istio.io/userVolumeMount"] == nil {
		t.Errorf("annotations not merged: %v", anns)
	}

	for _, off := range []string{"istiod:\n  enabled: false\n", "istio:\n  enabled: false\n", "monitoring:\n  istio:\n    injection: disabled\n"} {
		f, _ = mustLoad(t, off+"monitoring:\n  enabled: true\n", Options{})
		if strings.Contains(off, "monitoring:") {
			f, _ = mustLoad(t, "monitoring:\n  enabled: true\n  istio:\n    injection: disabled\n", Options{})
		}
		if _, ok := spec(t, f)["volumes"]; ok {
			t.Errorf("with %q Big Bang adds no wiring, but volumes are %v", off, spec(t, f)["volumes"])
		}
	}
	f, _ = mustLoad(t, "monitoring:\n  enabled: false\n", Options{})
	if f.Document != nil || !strings.Contains(f.Summary, "monitoring.enabled is false") {
		t.Errorf("disabled monitoring modelled: %q", f.Summary)
	}
}

// Big Bang renders the cert wiring by ambient and the monitoring
// namespace's injection too, not by istiod.enabled alone (bigbang
// chart/templates/monitoring/values.yaml, $sidecarInjectionEnabled and
// $monitoringMtlsStrict).
func TestBigBangWiringSwitches(t *testing.T) {
	cases := []struct {
		name, values  string
		export, mount bool
		summary       string
	}{
		{"defaults", "", true, true, "Big Bang adds the Istio cert volume, mount and annotations"},
		{"ambient", "istio:\n  ambient:\n    enabled: true\n", false, false, "istio.ambient.enabled is true: in ambient mode"},
		{"ztunnel", "ztunnel:\n  enabled: true\n", false, false, "ztunnel.enabled is true"},
		{"CRDs not injected", "prometheusOperatorCRDs:\n  istio:\n    injection: disabled\n", false, false, `prometheusOperatorCRDs.istio.injection is "disabled"`},
		{"CRDs off, grafana off", "prometheusOperatorCRDs:\n  enabled: false\ngrafana:\n  enabled: false\n", false, false, "grafana.enabled are false"},
		{"CRDs off, grafana injected", "prometheusOperatorCRDs:\n  enabled: false\n", true, true, "Big Bang adds the Istio cert volume"},
		{"CRDs off, grafana not injected", "prometheusOperatorCRDs:\n  enabled: false\ngrafana:\n  istio:\n    injection: disabled\n", false, false, `grafana.istio.injection is "disabled"`},
		{"PERMISSIVE monitoring", "monitoring:\n  values:\n    istio:\n      mtls:\n        mode: PERMISSIVE\n", true, false, "export annotations but no cert volume or mount"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _ := mustLoad(t, c.values+"monitoring:\n  enabled: true\n", Options{})
			if strings.Contains(c.values, "monitoring:") {
				f, _ = mustLoad(t, strings.Replace(c.values, "monitoring:\n", "monitoring:\n  enabled: true\n", 1), Options{})
			}
			s := spec(t, f)
			_, hasVolumes := s["volumes"]
			export := false
			if pm, ok := s["podMetadata"].(map[string]any); ok {
				if anns, ok := pm["annotations"].(map[string]any); ok {
					_, export = anns["proxy.istio.io/config"]
				}
			}
			if export != c.export || hasVolumes != c.mount {
				t.Errorf("export %v, volumes %v; want %v, %v (%s)", export, hasVolumes, c.export, c.mount, f.Summary)
			}
			if !strings.Contains(f.Summary, c.summary) {
				t.Errorf("summary %q does not say %q", f.Summary, c.summary)
			}
		})
	}
}

func TestAdditionalConfigScrapeClasses(t *testing.T) {
	text := `
prometheus:
  prometheusSpec:
    additionalConfig:
      scrapeClasses:
        - name: istio-certs
          default: true
          tlsConfig: {caFile: /etc/prom-certs/root-cert.pem}
`
	f, _ := mustLoad(t, text, Options{})
	classes := spec(t, f)["scrapeClasses"].([]any)
	if len(classes) != 1 {
		t.Fatalf("scrapeClasses = %v", classes)
	}
	if got := f.Document.Describe("/spec/scrapeClasses/0/tlsConfig"); got != "prometheus.prometheusSpec.additionalConfig.scrapeClasses[0].tlsConfig" {
		t.Errorf("Describe = %q", got)
	}
	if r, _ := f.Document.Position("/spec/scrapeClasses/0/tlsConfig/caFile"); r.Line != 8 {
		t.Errorf("caFile on line %d", r.Line)
	}
}

func TestTemplatesAreNotGuessed(t *testing.T) {
	text := `
prometheus:
  prometheusSpec:
    podMetadata:
      annotations:
        team: "{{ .Values.team }}"
        proxy.istio.io/config: "{{ .Values.proxyConfig }}"
`
	f, res := mustLoad(t, text, Options{})
	if f.Document != nil {
		t.Error("a Prometheus was modelled from a template")
	}
	if len(res.Problems) != 1 {
		t.Fatalf("problems: %+v", res.Problems)
	}
	p := res.Problems[0]
	if p.Kind != finding.Uninterpreted || p.Line != 7 || !strings.Contains(p.Message, `prometheus.prometheusSpec.podMetadata.annotations["proxy.istio.io/config"] is a Helm template`) {
		t.Errorf("problem %+v", p)
	}

	// A template in an annotation no rule reads changes nothing.
	f, res = mustLoad(t, "prometheus:\n  prometheusSpec:\n    podMetadata:\n      annotations:\n        team: \"{{ .Values.team }}\"\n", Options{})
	if f.Document == nil || len(res.Problems) != 0 {
		t.Errorf("template in an unrelated annotation: %+v", res.Problems)
	}

	_, res = mustLoad(t, "prometheus:\n  prometheusSpec:\n    volumes: \"{{ toYaml .Values.volumes }}\"\n", Options{})
	if len(res.Problems) != 1 || res.Problems[0].Line != 3 {
		t.Errorf("templated volumes: %+v", res.Problems)
	}
}

func TestBrokenYAMLIsAnError(t *testing.T) {
	f, res := mustLoad(t, "prometheus:\n  prometheusSpec:\n   - a\n  b: [\n", Options{})
	if f.Document != nil || len(res.Problems) != 1 || res.Problems[0].Kind != finding.Unreadable {
		t.Errorf("broken YAML: %+v", res.Problems)
	}
}

// The modelled Prometheus is an ordinary Prometheus to the graph: the
// chart's release selector decides which monitors it scrapes.
func TestGraphSelectsByReleaseLabel(t *testing.T) {
	f, _ := mustLoad(t, "prometheus:\n  prometheusSpec:\n"+recipe, Options{Release: "obs"})
	monitors := `
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: labelled
  namespace: shop
  labels: {release: obs}
spec:
  selector: {matchLabels: {app: cart}}
  endpoints: [{port: metrics}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: unlabelled
  namespace: shop
spec:
  selector: {matchLabels: {app: cart}}
  endpoints: [{port: metrics}]
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(monitors), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Build(append(loaded.Documents, f.Document), graph.DefaultSettings())
	if len(g.Problems) != 0 || len(g.Prometheus) != 1 {
		t.Fatalf("graph: %d Prometheus, problems %+v", len(g.Prometheus), g.Problems)
	}
	p := g.Prometheus[0]
	if len(p.VolumeMounts) != 1 || p.Volume("istio-certs") == nil || p.ExportedCerts().OutputCerts != "/etc/istio-output-certs" {
		t.Errorf("graph Prometheus lacks the recipe: %+v", p)
	}
	for _, m := range g.Monitors {
		want := m.Name == "labelled"
		if got := g.Selects(p, m); got != want {
			t.Errorf("Selects(%s) = %v, want %v (the chart selects release: obs)", m.Name, got, want)
		}
	}
}
