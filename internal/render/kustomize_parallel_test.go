package render

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/loader"
)

// Roots without openapi: are built in parallel (runKustomize). What they
// build, where each object is placed and in which order must not depend on
// it, nor on a root that sets its own OpenAPI schema: kustomize keeps the
// schema in a package global, and a root built after one that set it would
// otherwise see it (a custom schema's merge keys change what a strategic
// merge patch does to a list).

// schemaRoots writes two roots over one base holding a custom resource
// with a list, each patching one item of the list by a strategic merge
// patch: "custom" gives kustomize a schema whose merge key for the list is
// name (the patch merges into the list), "plain" does not (the patch
// replaces the list).
func schemaRoots(t *testing.T, dir string) {
	t.Helper()
	schema := `{"definitions": {"io.example.v1.Widget": {
  "x-kubernetes-group-version-kind": [{"group": "example.io", "kind": "Widget", "version": "v1"}],
  "properties": {"spec": {"properties": {"items": {"type": "array",
    "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge",
    "items": {"type": "object", "properties": {"name": {"type": "string"}, "v": {"type": "integer"}}}}}}}}}}`
	files := map[string]string{
		"widgets/base/kustomization.yaml": "resources:\n  - widget.yaml\n",
		"widgets/base/widget.yaml": "apiVersion: example.io/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  items:\n" +
			"    - name: a\n      v: 1\n    - name: b\n      v: 1\n",
		"widgets/patch.yaml": "apiVersion: example.io/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  items:\n    - name: a\n      v: 2\n",
		"widgets/custom/kustomization.yaml": "openapi:\n  path: schema.json\nnamespace: custom\nresources:\n  - ../base\n" +
			"patches:\n  - path: patch.yaml\n",
		"widgets/custom/schema.json":       schema,
		"widgets/custom/patch.yaml":        "",
		"widgets/plain/kustomization.yaml": "namespace: plain\nresources:\n  - ../base\npatches:\n  - path: patch.yaml\n",
		"widgets/plain/patch.yaml":         "",
	}
	patch := files["widgets/patch.yaml"]
	delete(files, "widgets/patch.yaml")
	for name, text := range files {
		if strings.HasSuffix(name, "/patch.yaml") {
			text = patch
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// rendered is everything Expand made of dir, one line per document and
// finding, in Expand's order.
func rendered(t *testing.T, dir string) []string {
	t.Helper()
	res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir, DetectRoots: true})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := Expand(context.Background(), res, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range res.Documents {
		obj, _ := d.Decode()
		js, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		file, r := d.Locate("/metadata/name")
		out = append(out, fmt.Sprintf("%s %s %d:%d %s %s", d.File, file, r.Line, r.Column, d.Origin, js))
	}
	for _, f := range findings {
		out = append(out, fmt.Sprintf("%s:%d %s", f.File, f.Line, f.Message))
	}
	for _, s := range res.Skipped {
		out = append(out, "skipped "+s.File+": "+s.Reason)
	}
	return out
}

func TestKustomizeRootsBuildTheSameInParallel(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: 12, Profile: corpus.ProfileKustomize}); err != nil {
		t.Fatal(err)
	}
	schemaRoots(t, dir)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	one := rendered(t, dir)
	runtime.GOMAXPROCS(4)
	for round := 0; round < 2; round++ {
		if many := rendered(t, dir); strings.Join(many, "\n") != strings.Join(one, "\n") {
			t.Fatalf("built in parallel:\n%s\none at a time:\n%s", strings.Join(many, "\n"), strings.Join(one, "\n"))
		}
	}
	if len(one) < 12*4 {
		t.Fatalf("only %d documents and findings", len(one))
	}
	var custom, plain int
	for _, line := range one {
		if !strings.Contains(line, `"kind":"Widget"`) {
			continue
		}
		switch {
		case strings.Contains(line, `"namespace":"custom"`):
			custom = strings.Count(line, `"name":"`) - 1
		case strings.Contains(line, `"namespace":"plain"`):
			plain = strings.Count(line, `"name":"`) - 1
		}
	}
	// The custom schema merges the patch into the list (a and b); without
	// it the patch replaces the list (a alone), whichever root was built
	// first.
	if custom != 2 || plain != 1 {
		t.Errorf("items: %d with the custom schema (want 2), %d without (want 1)", custom, plain)
	}
}
