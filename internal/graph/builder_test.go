package graph

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

const builderInput = `apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports: [{name: http-metrics, port: 9090}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers: [{name: app, ports: [{name: http-metrics, containerPort: 9090}]}]
`

func loadBuilderInput(t *testing.T) []*loader.Document {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "shop.yaml"), []byte(builderInput), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{Kinds: ReadsKind, WorkDir: dir, ReleaseTexts: true})
	if err != nil || len(res.Documents) != 3 {
		t.Fatalf("load: %v, %d documents", err, len(res.Documents))
	}
	return res.Documents
}

// TestReadAheadInAnyOrder: documents read ahead, concurrently and in any
// order, release their objects and still become the resources of the
// order they are added in.
func TestReadAheadInAnyOrder(t *testing.T) {
	docs := loadBuilderInput(t)
	b := NewBuilder(DefaultSettings())
	var wg sync.WaitGroup
	for i := len(docs) - 1; i >= 0; i-- {
		wg.Add(1)
		go func(d *loader.Document) { defer wg.Done(); b.Read(d) }(docs[i])
	}
	wg.Wait()
	for _, d := range docs {
		if d.Object != nil {
			t.Errorf("%s %s: object kept after it was read", d.Kind, d.Name)
		}
		b.Add(d)
	}
	g := b.Graph()
	if len(g.Problems) != 0 {
		t.Fatalf("problems: %+v", g.Problems)
	}
	if len(g.Services) != 1 || g.Services[0].Resource != 0 || len(g.Workloads) != 1 || g.Workloads[0].Resource != 2 {
		t.Fatalf("services %+v, workloads %+v: want the Service as resource 0, the Deployment as 2", g.Services, g.Workloads)
	}
	if got := g.Workloads[0].Ports; len(got) != 1 || got[0].Port != 9090 {
		t.Errorf("workload ports %+v", got)
	}
	if ns := g.Namespaces["shop"]; ns == nil || ns.Resource != -1 {
		t.Errorf("namespace shop: %+v", ns)
	}
}

// TestReleasedElsewhereIsAnInternalProblem: a document whose object another
// builder read and released cannot be read again; the graph reports it as
// a bug in meshlint on that resource instead of leaving it out silently or
// panicking.
func TestReleasedElsewhereIsAnInternalProblem(t *testing.T) {
	docs := loadBuilderInput(t)
	NewBuilder(DefaultSettings()).Read(docs[0])
	b := NewBuilder(DefaultSettings())
	for _, d := range docs {
		b.Add(d)
	}
	g := b.Graph()
	if len(g.Problems) != 1 || !g.Problems[0].Internal || g.Problems[0].Resource != 0 ||
		!strings.Contains(g.Problems[0].Message, "released") {
		t.Fatalf("problems %+v; want one internal problem on resource 0", g.Problems)
	}
	if len(g.Services) != 0 || len(g.Workloads) != 1 {
		t.Errorf("%d services, %d workloads; want the Deployment only", len(g.Services), len(g.Workloads))
	}
}
