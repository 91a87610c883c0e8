package graph

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

func buildShared(t *testing.T, input string) *Graph {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.yaml"), []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{Kinds: ReadsKind, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBuilder(DefaultSettings())
	for i, d := range res.Documents {
		if i%2 == 0 {
			b.Read(d) // read ahead, as the loader's workers do
		}
		b.Add(d)
	}
	return b.Graph()
}

func sameMap(a, b map[string]string) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// TestEqualLabelMapsAreShared: the label maps of equal content a Builder
// reads are one map; maps that differ in a value, or are annotations, are
// not that map.
func TestEqualLabelMapsAreShared(t *testing.T) {
	g := buildShared(t, `apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec:
  selector: {app: cart}
  ports: [{name: http-metrics, port: 9090}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  template:
    metadata: {labels: {app: cart}, annotations: {app: cart}}
    spec:
      containers: [{name: app, ports: [{name: http-metrics, containerPort: 9090}]}]
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: shop}
spec:
  selector: {app: shop}
`)
	if len(g.Problems) != 0 || len(g.Services) != 2 || len(g.Workloads) != 1 {
		t.Fatalf("problems %+v, %d services, %d workloads", g.Problems, len(g.Services), len(g.Workloads))
	}
	cart, w, shop := g.Services[0], g.Workloads[0], g.Services[1]
	if !sameMap(cart.Labels, cart.Selector) || !sameMap(cart.Selector, w.Labels) {
		t.Errorf("the three {app: cart} label maps are not one map")
	}
	if sameMap(w.Annotations, w.Labels) {
		t.Errorf("the annotations share the labels' map")
	}
	if sameMap(shop.Selector, cart.Selector) || shop.Selector["app"] != "shop" {
		t.Errorf("selector {app: shop} read as %v", shop.Selector)
	}
}

// TestSharedAnnotationsKeepLabelBounds: annotations may hold a value no
// label may; a label map of the same content, read after them, is still
// refused for its length rather than taken from the annotations' table.
func TestSharedAnnotationsKeepLabelBounds(t *testing.T) {
	long := strings.Repeat("x", maxLabelValue+1)
	g := buildShared(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  template:
    metadata: {annotations: {note: `+long+`}}
    spec:
      containers: [{name: app}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {note: `+long+`}
`)
	if len(g.Workloads) != 1 || g.Workloads[0].Annotations["note"] != long {
		t.Fatalf("workloads %+v", g.Workloads)
	}
	if len(g.Services) != 0 || len(g.Problems) != 1 || !strings.Contains(g.Problems[0].Message, "value of label") {
		t.Errorf("services %+v, problems %+v; want the Service's selector refused for its length", g.Services, g.Problems)
	}
}
