package render_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
)

// TestBrokenFluxSpecs: specs that are not what Flux's API says are
// findings at the Flux Kustomization (a patch that does not parse is the
// build's error, as kustomize-controller's), never a panic, and the path's
// objects are otherwise built.
func TestBrokenFluxSpecs(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"apps/shop/app.yaml": "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec: {mtls: {mode: PERMISSIVE}}\n"})
	t.Chdir(dir)
	at := func(pointer string) (string, loader.Range) {
		return "clusters/prod/apps.yaml", loader.Range{Line: len(pointer), Column: 1, EndLine: len(pointer), EndColumn: 2}
	}
	for _, c := range []struct {
		name string
		spec map[string]any
		docs int
		want string // in the one finding's message; "" for none
	}{
		{"patches not a list", map[string]any{"patches": "x", "components": 7}, 1, ""},
		{"patch not text", map[string]any{"patches": []any{map[string]any{"patch": 3}}}, 1, "has no patch text"},
		{"patch not YAML", map[string]any{"patches": []any{map[string]any{"patch": "kind: [", "target": map[string]any{"kind": "PeerAuthentication"}}}}, 0, "does not build apps/shop as kustomize-controller would"},
		{"component not a path", map[string]any{"components": []any{map[string]any{"a": 1}}}, 1, "component 0 is not a path"},
		{"missing component ignored", map[string]any{"components": []any{"../nope"}, "ignoreMissingComponents": true}, 1, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := render.FluxBuild{Name: "flux-system/apps", Path: "apps/shop", Spec: c.spec, Locate: at}
			docs, found := render.BuildFlux(context.Background(), b, render.Options{WorkDir: dir, Root: confine.New([]string{dir}, nil)})
			if len(docs) != c.docs {
				t.Errorf("%d objects, want %d", len(docs), c.docs)
			}
			switch {
			case c.want == "" && len(found) > 0:
				t.Errorf("findings %+v, want none", found)
			case c.want != "" && (len(found) != 1 || !strings.Contains(found[0].Message, c.want) || found[0].File != "clusters/prod/apps.yaml"):
				t.Errorf("findings %+v, want one at the Flux Kustomization saying %q", found, c.want)
			}
		})
	}
	// The kustomization Flux makes of the path was held in memory only.
	entries, err := os.ReadDir(filepath.Join(dir, "apps", "shop"))
	if err != nil || len(entries) != 1 {
		t.Errorf("apps/shop holds %v (%v), want app.yaml only", entries, err)
	}
}
