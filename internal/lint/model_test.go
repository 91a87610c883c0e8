package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// TestModelKeepsNoObjects: once the model of a run is built, the documents
// read from files no longer hold their decoded objects (the memory design of
// docs/performance.md; loader tests cover the texts), yet their texts can be
// read again and the suppression annotations, read before the objects went,
// are all there.
func TestModelKeepsNoObjects(t *testing.T) {
	dir := t.TempDir()
	text := `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
  annotations:
    ignore.meshlint.io/monitor-selects-nothing: "endpoints are managed elsewhere"
    other.example.com/x: "y"
spec:
  ports:
  - name: metrics
    port: 9090
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  a: b
`
	if err := os.WriteFile(filepath.Join(dir, "shop.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{Paths: []string{dir}, Settings: graph.DefaultSettings(), Limits: loader.DefaultLimits}
	sup := &suppressionIndex{byDoc: map[*loader.Document]map[string]any{}}
	gb := graph.NewBuilder(opts.Settings)
	loaded, err := loader.Load(opts.Paths, loadOptions(opts, sup, gb))
	if err != nil {
		t.Fatal(err)
	}
	m, err := buildModel(loaded.Documents, gb, factLimit(opts.Limits), sup, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.resources) != 2 {
		t.Fatalf("%d resources, want 2", len(m.resources))
	}
	for _, r := range m.resources {
		if r.Doc.Object != nil {
			t.Errorf("%s %s keeps its decoded object", r.Kind, r.Name)
		}
		if r.Doc.Text() == "" {
			t.Errorf("the text of %s %s cannot be read again", r.Kind, r.Name)
		}
	}
	got := m.suppressions[0]
	if len(got) != 1 || got["ignore.meshlint.io/monitor-selects-nothing"] != "endpoints are managed elsewhere" {
		t.Errorf("suppressions of the Service = %v", got)
	}
	if m.suppressions[1] != nil {
		t.Errorf("suppressions of the ConfigMap = %v", m.suppressions[1])
	}
}
