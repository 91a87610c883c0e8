package promvalues

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

// loadLayers writes each named text to a file of a temporary directory and
// reads them, in order, as one layered server.
func loadLayers(t *testing.T, opts Options, nameText ...string) (*Result, error) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := 0; i+1 < len(nameText); i += 2 {
		p := filepath.Join(dir, nameText[i])
		if err := os.WriteFile(p, []byte(nameText[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	opts.WorkDir = dir
	return Load(paths, opts)
}

func mustLoadLayers(t *testing.T, nameText ...string) File {
	t.Helper()
	res, err := loadLayers(t, Options{}, nameText...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(res.Files) != 1 {
		t.Fatalf("got %d servers, want the files layered into one", len(res.Files))
	}
	return res.Files[0]
}

// locate is where a finding on the field at pointer lands.
func locate(t *testing.T, d *loader.Document, pointer string) string {
	t.Helper()
	file, r := d.Locate(pointer)
	return file + ":" + itoa(r.Line)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// The cases of Helm's own TestMergeValues (pkg/cli/values), plus nulls and
// lists: mappings merge, anything else replaces, a null is kept.
func TestHelmMergeMaps(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{`{foo: bar, baz: stuff}`, `{foo: bar, baz: {cool: stuff}}`, `{"baz":{"cool":"stuff"},"foo":"bar"}`},
		{`{foo: bar, baz: {cool: stuff}}`, `{foo: bar, baz: stuff}`, `{"baz":"stuff","foo":"bar"}`},
		{`{foo: bar, baz: {cool: stuff}}`, `{foo: bar, baz: {cool: things, awesome: stuff}}`, `{"baz":{"awesome":"stuff","cool":"things"},"foo":"bar"}`},
		{`{testing: fun}`, `{foo: bar, baz: {cool: things}}`, `{"baz":{"cool":"things"},"foo":"bar","testing":"fun"}`},
		{`{a: {l: [1, 2], k: v}}`, `{a: {l: [3]}}`, `{"a":{"k":"v","l":[3]}}`},
		{`{a: {l: [1, 2], k: v}}`, `{a: {l: null}}`, `{"a":{"k":"v","l":null}}`},
		{`{a: {k: v}}`, `{a: null}`, `{"a":null}`},
		{`{a: null}`, `{a: {k: v}}`, `{"a":{"k":"v"}}`},
		{`{a: {k: v}}`, `{a: {}}`, `{"a":{"k":"v"}}`},
	} {
		a, _, _ := loader.ReadYAMLValues("a", []byte(tc.a), loader.Limits{})
		b, _, _ := loader.ReadYAMLValues("b", []byte(tc.b), loader.Limits{})
		got, _ := json.Marshal(mergeLayers([]*layer{{root: a}, {root: b}}))
		if string(got) != tc.want {
			t.Errorf("%s then %s = %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}

const base = `prometheus:
  prometheusSpec:
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

// A small override over a base holding the cert recipe keeps the recipe:
// one Prometheus, with the override's changes, each field located in the
// file that set it last.
func TestLayeredOverrideKeepsTheBase(t *testing.T) {
	override := `prometheus:
  prometheusSpec:
    retention: 30d
    podMetadata:
      labels:
        team: platform
    serviceMonitorSelector:
      matchLabels: {scrape: "yes"}
`
	f := mustLoadLayers(t, "base.yaml", base, "override.yaml", override)
	s := spec(t, f)
	if len(s["volumes"].([]any)) != 1 || len(s["volumeMounts"].([]any)) != 1 {
		t.Errorf("the base's cert volume and mount are lost: %v", s)
	}
	pm := s["podMetadata"].(map[string]any)
	if pm["labels"].(map[string]any)["team"] != "platform" || pm["annotations"].(map[string]any)["proxy.istio.io/config"] == nil {
		t.Errorf("podMetadata not merged: %v", pm)
	}
	if !reflect.DeepEqual(s["serviceMonitorSelector"], map[string]any{"matchLabels": map[string]any{"scrape": "yes"}}) {
		t.Errorf("serviceMonitorSelector = %v", s["serviceMonitorSelector"])
	}
	if !reflect.DeepEqual(f.Layers, []string{"base.yaml", "override.yaml"}) {
		t.Errorf("layers %v", f.Layers)
	}
	if want := "base.yaml, override.yaml (layered in this order, as helm -f lays them): kube-prometheus-stack values (prometheus): checking Prometheus monitoring/kube-prometheus-stack-prometheus"; !strings.HasPrefix(f.Summary, want) {
		t.Errorf("summary %q, want it to start with %q", f.Summary, want)
	}
	d := f.Document
	for pointer, want := range map[string]string{
		"/spec/volumes/0/emptyDir/medium":                        "base.yaml:6",
		"/spec/volumeMounts":                                     "base.yaml:7",
		"/spec/podMetadata/annotations/proxy.istio.io~1config":   "base.yaml:13",
		"/spec/podMetadata/labels/team":                          "override.yaml:6",
		"/spec/serviceMonitorSelector/matchLabels/scrape":        "override.yaml:8",
		"/spec/podMetadata":                                      "override.yaml:4",
		"/spec/scrapeClasses":                                    "override.yaml:2", // no layer sets it: its parent in the last layer
		"/spec/podMetadata/annotations/sidecar.istio.io~1inject": "base.yaml:11",
	} {
		if got := locate(t, d, pointer); got != want {
			t.Errorf("Locate(%s) = %s, want %s", pointer, got, want)
		}
	}
	if got := d.Describe("/spec/podMetadata/labels/team"); got != "prometheus.prometheusSpec.podMetadata.labels.team" {
		t.Errorf("Describe = %q", got)
	}
	if got := d.SourceFiles(); !reflect.DeepEqual(got, []string{"base.yaml", "override.yaml"}) {
		t.Errorf("SourceFiles = %v", got)
	}
}

// A list in a later file replaces the earlier one whole, as in Helm: an
// override that lists other mounts drops the cert mount, and the mount
// list is located in the override.
func TestLayeredListReplaces(t *testing.T) {
	override := "prometheus:\n  prometheusSpec:\n    volumeMounts:\n      - name: data\n        mountPath: /data\n"
	f := mustLoadLayers(t, "base.yaml", base, "override.yaml", override)
	mounts := spec(t, f)["volumeMounts"].([]any)
	if len(mounts) != 1 || mounts[0].(map[string]any)["name"] != "data" {
		t.Errorf("volumeMounts = %v, want the override's list alone", mounts)
	}
	if got := locate(t, f.Document, "/spec/volumeMounts"); got != "override.yaml:3" {
		t.Errorf("volumeMounts located at %s", got)
	}
	if got := locate(t, f.Document, "/spec/volumeMounts/0/mountPath"); got != "override.yaml:5" {
		t.Errorf("volumeMounts[0].mountPath located at %s", got)
	}
}

// A null deletes what the earlier files set; a later mapping starts anew.
func TestLayeredNullDeletes(t *testing.T) {
	f := mustLoadLayers(t, "base.yaml", base, "off.yaml", "prometheus:\n  prometheusSpec:\n    volumes: null\n    podMetadata:\n      annotations: ~\n")
	s := spec(t, f)
	if _, ok := s["volumes"]; ok {
		t.Errorf("volumes: null kept the base's volumes: %v", s["volumes"])
	}
	if anns := s["podMetadata"].(map[string]any)["annotations"]; anns != nil {
		t.Errorf("annotations: ~ kept %v", anns)
	}
	if len(s["volumeMounts"].([]any)) != 1 {
		t.Errorf("the untouched mounts are lost")
	}
	if got := locate(t, f.Document, "/spec/volumes"); got != "off.yaml:3" {
		t.Errorf("deleted volumes located at %s", got)
	}

	f = mustLoadLayers(t, "base.yaml", base, "off.yaml", "prometheus:\n  prometheusSpec:\n    podMetadata: null\n",
		"on.yaml", "prometheus:\n  prometheusSpec:\n    podMetadata:\n      labels: {a: b}\n")
	pm := spec(t, f)["podMetadata"].(map[string]any)
	if _, ok := pm["annotations"]; ok || pm["labels"] == nil {
		t.Errorf("podMetadata after null then a mapping = %v, want the last mapping alone", pm)
	}
}

// Big Bang's defaults go under the merged values; a key no layer sets
// lands where it does for one file, its nearest parent, in the last layer
// that has that parent.
func TestLayeredBigBang(t *testing.T) {
	baseBB := "monitoring:\n  enabled: true\n  values:\n    prometheus:\n      prometheusSpec:\n        retention: 10d\n"
	f := mustLoadLayers(t, "bb.yaml", baseBB, "grafana.yaml", "grafana:\n  enabled: false\n")
	if f.Shape != BigBang {
		t.Fatalf("shape %v", f.Shape)
	}
	if got := locate(t, f.Document, "/spec/volumes/0"); got != "bb.yaml:5" {
		t.Errorf("Big Bang's default volume located at %s", got)
	}
	if got := f.Document.Describe("/spec/volumes/0"); !strings.HasSuffix(got, "(set by Big Bang's defaults)") {
		t.Errorf("Describe = %q", got)
	}
	f = mustLoadLayers(t, "bb.yaml", baseBB, "off.yaml", "istiod:\n  enabled: false\n")
	if _, ok := spec(t, f)["volumes"]; ok || !strings.Contains(f.Summary, "istiod.enabled is false") {
		t.Errorf("a later layer turning Istio off is ignored: %s", f.Summary)
	}
}

// Problems and errors name the layer they are in.
func TestLayeredProblems(t *testing.T) {
	res, err := loadLayers(t, Options{}, "base.yaml", base, "tpl.yaml", "prometheus:\n  prometheusSpec:\n    volumes: \"{{ .Values.v }}\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || res.Problems[0].File != "tpl.yaml" || res.Problems[0].Line != 3 ||
		!strings.Contains(res.Problems[0].Message, "these layered values files configure") {
		t.Errorf("template problem %+v", res.Problems)
	}
	res, err = loadLayers(t, Options{}, "base.yaml", base, "broken.yaml", "prometheus: [\n")
	if err != nil || len(res.Problems) != 1 || res.Problems[0].File != "broken.yaml" || res.Files[0].Document != nil ||
		!strings.Contains(res.Files[0].Summary, "broken.yaml cannot be read as YAML") {
		t.Errorf("broken layer: %v %+v %+v", err, res.Problems, res.Files)
	}
	// An empty override is empty values, as for helm -f; all empty is not.
	if res, err := loadLayers(t, Options{}, "base.yaml", base, "empty.yaml", ""); err != nil || res.Files[0].Document == nil {
		t.Errorf("empty override: %v", err)
	}
	if _, err := loadLayers(t, Options{}, "a.yaml", "", "b.yaml", "# nothing\n"); err == nil || !strings.Contains(err.Error(), "the files are empty") {
		t.Errorf("all empty: %v", err)
	}
	_, err = loadLayers(t, Options{}, "kps.yaml", base, "bb.yaml", "monitoring:\n  values:\n    prometheus: {}\n")
	if err == nil || !strings.Contains(err.Error(), "kps.yaml is kube-prometheus-stack values but bb.yaml is Big Bang umbrella values") {
		t.Errorf("mixed charts: %v", err)
	}
}

// Independent servers are modelled each on its own, with its own release
// and namespace.
func TestLoadServers(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("a.yaml", base), write("b.yaml", "prometheus:\n  prometheusSpec:\n    retention: 1d\n")
	res, err := LoadServers([]Server{{Files: []string{a, b}, Release: "apps"}, {Files: []string{b}, Release: "infra", Namespace: "infra"}},
		Options{WorkDir: dir, Release: "ignored", Namespace: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	docs := res.Documents()
	if len(docs) != 2 || docs[0].Namespace+"/"+docs[0].Name != "monitoring/apps-kube-prometheus-stack-prometheus" ||
		docs[1].Namespace+"/"+docs[1].Name != "infra/infra-kube-prometheus-stac-prometheus" {
		t.Fatalf("servers %v", res.Files)
	}
	if _, ok := docs[1].Object["spec"].(map[string]any)["volumes"]; ok {
		t.Error("the second server borrowed the first one's volumes")
	}
}

// A null NilUsesHelmValues switch deletes the chart's default true, as
// Helm's coalescing does, so the chart's `if` is false and it selects every
// monitor; unset keeps the default and the release selector.
func TestNullDeletesTheChartDefault(t *testing.T) {
	f := mustLoadLayers(t, "base.yaml", "prometheus:\n  prometheusSpec:\n    serviceMonitorSelectorNilUsesHelmValues: true\n",
		"off.yaml", "prometheus:\n  prometheusSpec:\n    serviceMonitorSelectorNilUsesHelmValues: null\n")
	if got := spec(t, f)["serviceMonitorSelector"]; !reflect.DeepEqual(got, map[string]any{}) {
		t.Errorf("after null, serviceMonitorSelector = %v, want {} (every monitor)", got)
	}
	f = mustLoadLayers(t, "base.yaml", "prometheus:\n  prometheusSpec: {}\n")
	if got := spec(t, f)["serviceMonitorSelector"]; !reflect.DeepEqual(got, map[string]any{"matchLabels": map[string]any{"release": "kube-prometheus-stack"}}) {
		t.Errorf("unset, serviceMonitorSelector = %v, want the release selector", got)
	}
}
