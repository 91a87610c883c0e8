package promvalues

import (
	"os"
	"path/filepath"
	"testing"

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
