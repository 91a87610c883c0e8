package promvalues

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// FuzzRead feeds arbitrary bytes to the values reader: a Prometheus
// document, problems or an error, never a panic, and a document that is
// one Prometheus.
func FuzzRead(f *testing.F) {
	for _, glob := range []string{"../../examples/bigbang-values.yaml", "../../testdata/rules/*/*/values-*/values.yaml"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("prometheus:\n  prometheusSpec:\n    volumes: \"{{ .Values.v }}\"\n"))
	f.Add([]byte("monitoring:\n  enabled: true\n  values: {prometheus: {prometheusSpec: {additionalConfig: {hostNetwork: true}}}}\n"))
	f.Add([]byte("fullnameOverride: a\nprometheus: {prometheusSpec: {podMetadata: {annotations: [1]}}}\n"))
	limits := loader.Limits{MaxFileBytes: 1 << 20, MaxDocuments: 100, MaxDepth: 50, MaxNodes: 100000}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, problems, err := read("values.yaml", data, Options{Release: "r", Namespace: "monitoring", Limits: limits})
		if err != nil {
			return
		}
		for _, p := range problems {
			if p.Line < 0 {
				t.Fatalf("problem without a line: %+v", p)
			}
		}
		if file.Document != nil && file.Summary == "" {
			t.Fatal("a document without a summary")
		}
	})
}

// FuzzLayers lays two arbitrary files over each other: never a panic, and
// every field of a modelled Prometheus is located in one of the two files.
func FuzzLayers(f *testing.F) {
	f.Add([]byte("prometheus:\n  prometheusSpec:\n    volumes: [{name: a}]\n"), []byte("prometheus:\n  prometheusSpec:\n    volumes: null\n"))
	f.Add([]byte("monitoring:\n  values: {}\n"), []byte("istiod: {enabled: false}\n"))
	f.Add([]byte("prometheus: {prometheusSpec: {podMetadata: {labels: {a: b}}}}\n"), []byte("prometheus: 3\n"))
	limits := loader.Limits{MaxFileBytes: 1 << 20, MaxDocuments: 100, MaxDepth: 50, MaxNodes: 100000}
	opts := Options{Release: "r", Namespace: "monitoring", Limits: limits}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		la, pa := readLayer("a.yaml", a, opts)
		lb, pb := readLayer("b.yaml", b, opts)
		var problems []finding.Problem
		for _, p := range []*finding.Problem{pa, pb} {
			if p != nil {
				problems = append(problems, *p)
			}
		}
		file, problems, err := model([]*layer{la, lb}, problems, opts)
		if err != nil || file.Document == nil {
			return
		}
		for _, p := range []string{"", "/spec", "/spec/volumes/0/name", "/spec/podMetadata/annotations/x", "/metadata/annotations"} {
			if name, _ := file.Document.Locate(p); name != "a.yaml" && name != "b.yaml" {
				t.Fatalf("Locate(%q) = %q", p, name)
			}
		}
	})
}
