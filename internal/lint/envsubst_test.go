package lint

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"cluster": "prod", "empty": ""}
	for _, c := range []struct {
		in, out string
		missing []string
	}{
		{"name: ${cluster}-x", "name: prod-x", nil},
		{"mode: ${mode:=STRICT}", "mode: STRICT", nil},
		{"mode: ${empty:-fallback} ${empty:=kept}", "mode: fallback kept", nil},
		{"literal: $${cluster} $cluster", "literal: ${cluster} $cluster", nil},
		{"a: ${region} b: ${zone} c: ${region}", "a: ${region} b: ${zone} c: ${region}", []string{"region", "zone"}},
		{"bad: ${not a var}", "bad: ${not a var}", []string{"${not a var}"}},
	} {
		out, missing := substitute(c.in, vars)
		if out != c.out || !reflect.DeepEqual(missing, c.missing) {
			t.Errorf("substitute(%q) = %q, %v; want %q, %v", c.in, out, missing, c.out, c.missing)
		}
	}
}

// TestAsAppliedMovesToTargetNamespace: a Flux targetNamespace moves the
// namespaced objects, leaves cluster-scoped ones, and findings still
// point at the file as written.
func TestAsAppliedMovesToTargetNamespace(t *testing.T) {
	docs, problems := loader.ParseRendered(loader.Rendered{File: "apps/app.yaml", Text: `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  ports:
    - port: ${port}
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
`}, loader.Limits{}, graph.ReadsKind)
	if len(problems) > 0 || len(docs) != 2 {
		t.Fatalf("docs %d, problems %v", len(docs), problems)
	}
	svc, _ := substitute(docs[0].Text(), map[string]string{"port": "9090"})
	moved := asApplied(docs[0], svc, "shop-staging", loader.Limits{})
	obj, _ := moved.Decode()
	if moved.Namespace != "shop-staging" || fmt.Sprint(dig(obj, "spec", "ports").([]any)[0].(map[string]any)["port"]) != "9090" {
		t.Errorf("applied Service: namespace %q, object %v", moved.Namespace, obj)
	}
	if file, rng := moved.Locate("/spec/ports/0/port"); file != "apps/app.yaml" || rng.Line != 8 {
		t.Errorf("applied Service located at %s:%d, want apps/app.yaml:8", file, rng.Line)
	}
	if ns := asApplied(docs[1], docs[1].Text(), "shop-staging", loader.Limits{}); ns.Name != "shop" || ns.Namespace != "" {
		t.Errorf("Namespace moved: %+v", ns)
	}
}
