package render

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

// TestKustomizeRootOf: environments are told apart by the root that built
// each object, read back from the Origin buildKustomization gives it.
func TestKustomizeRootOf(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "environments", "kustomize-overlays")
	res, err := loader.Load([]string{dir}, loader.Options{DetectRoots: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Expand(context.Background(), res, Options{}); err != nil {
		t.Fatal(err)
	}
	roots := map[string]int{}
	for _, d := range res.Documents {
		root, ok := KustomizeRootOf(d)
		if !ok {
			t.Errorf("%s %s/%s: no Kustomize root in origin %q", d.File, d.Kind, d.Name, d.Origin)
		}
		roots[root]++
	}
	if roots[filepath.ToSlash(filepath.Join(dir, "overlays", "dev"))] != 5 || roots[filepath.ToSlash(filepath.Join(dir, "overlays", "prod"))] != 5 {
		t.Errorf("objects by root: %v, want 5 built by each overlay", roots)
	}
	if _, ok := KustomizeRootOf(&loader.Document{File: "plain.yaml"}); ok {
		t.Error("a plain document has a Kustomize root")
	}
}

// TestHelmReleaseOf: the objects a HelmRelease renders name it.
func TestHelmReleaseOf(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "rules", "render-skipped", "good", "local-chart")
	res, err := loader.Load([]string{dir}, loader.Options{DetectRoots: true})
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's .meshlint.yaml maps its GitRepository to the directory.
	sources := map[string]string{"flux-system/platform": abs}
	if _, err := Expand(context.Background(), res, Options{Paths: []string{dir}, Sources: sources}); err != nil {
		t.Fatal(err)
	}
	rendered := 0
	for _, d := range res.Documents {
		if d.Kind == "HelmRelease" {
			if _, ok := HelmReleaseOf(d); ok {
				t.Errorf("the HelmRelease itself names a HelmRelease: %q", d.Origin)
			}
			continue
		}
		label, ok := HelmReleaseOf(d)
		if !ok || label != "shop/cart" {
			t.Errorf("%s %s: HelmReleaseOf = %q, %v (origin %q), want shop/cart", d.Kind, d.Name, label, ok, d.Origin)
		}
		rendered++
	}
	if rendered == 0 {
		t.Error("the HelmRelease rendered nothing")
	}
}
