package lint_test

import (
	"testing"
)

// TestSingleFluxEntryPointIsBuilt: a repository with one Flux
// Kustomization (one cluster) is one mesh, but that mesh is what Flux
// builds: its patches are applied, as they are when there are several.
func TestSingleFluxEntryPointIsBuilt(t *testing.T) {
	files := fluxFleet(strictPatch)
	delete(files, "clusters/staging/apps.yaml")
	dir := writeTree(t, files)
	t.Chdir(dir)
	res, _ := lintConfined(t, dir)
	f, at := strictFinding(t, res)
	if f.File != "apps/shop/app.yaml" || at != "clusters/production/apps.yaml:21:13" {
		t.Errorf("finding in %s with STRICT at %q; want apps/shop/app.yaml, clusters/production/apps.yaml:21:13", f.File, at)
	}
	if len(res.Environments) != 0 || len(f.Environments) != 0 {
		t.Errorf("one entry point is one mesh, not an environment: %v %v", res.Environments, f.Environments)
	}
}
