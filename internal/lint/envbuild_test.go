package lint_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/loader"
)

// fluxKustomization is a Flux Kustomization of apps/shop with extra spec
// lines.
func fluxKustomization(extra string) string {
	return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  sourceRef:
    kind: GitRepository
    name: flux-system
  path: ./apps/shop
  prune: true
` + extra
}

// fluxFleet is two clusters applying apps/shop (strictShop with a
// PERMISSIVE PeerAuthentication): production with extra spec lines.
func fluxFleet(production string) map[string]string {
	return map[string]string{
		"apps/shop/app.yaml":            strictShop + "---\n" + peerAuthentication("PERMISSIVE"),
		"clusters/production/apps.yaml": fluxKustomization(production),
		"clusters/staging/apps.yaml":    fluxKustomization(""),
	}
}

// lintConfined lints dir confined to it, as the CLI does.
func lintConfined(t *testing.T, dir string) (*lint.Result, *confine.Root) {
	t.Helper()
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	root := confine.New([]string{dir}, nil)
	res, err := lint.Run(context.Background(), eng, lint.Options{Paths: []string{"."}, WorkDir: dir, Root: root,
		Settings: graph.DefaultSettings(), Limits: loader.DefaultLimits})
	if err != nil {
		t.Fatal(err)
	}
	return res, root
}

// strictFinding is the plaintext-scrape-of-strict-port finding of res, and
// where it says STRICT was set.
func strictFinding(t *testing.T, res *lint.Result) (finding.Finding, string) {
	t.Helper()
	for _, f := range res.Findings {
		if f.Rule != "plaintext-scrape-of-strict-port" {
			continue
		}
		for _, r := range f.Related {
			if r.Message == "STRICT set here" {
				return f, fmt.Sprintf("%s:%d:%d", r.File, r.Line, r.Column)
			}
		}
		return f, ""
	}
	t.Fatalf("no plaintext-scrape-of-strict-port: %v", rulesOf(res))
	return finding.Finding{}, ""
}

// strictPatch is Flux Kustomization spec lines whose strategic-merge patch
// makes the PeerAuthentication named default STRICT.
const strictPatch = `  patches:
    - patch: |
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: default
        spec:
          mtls:
            mode: STRICT
      target:
        kind: PeerAuthentication
`

// TestFluxPatchesAreApplied: a Flux Kustomization whose patch turns the
// PERMISSIVE base STRICT makes its environment's plaintext scrape an
// error, placed where the patch sets STRICT, whether its path has a
// kustomization file or Flux makes one, and whatever the patch's kind.
func TestFluxPatchesAreApplied(t *testing.T) {
	strategic := strictPatch
	json6902 := `  patches:
    - target:
        kind: PeerAuthentication
        name: default
      patch: |
        - op: replace
          path: /spec/mtls/mode
          value: STRICT
`
	for _, c := range []struct {
		name, spec, at string
		kustomization  bool
	}{
		{"strategic merge, no kustomization file", strategic, "clusters/production/apps.yaml:21:13", false},
		{"strategic merge, kustomization file", strategic, "clusters/production/apps.yaml:21:13", true},
		{"JSON 6902", json6902, "clusters/production/apps.yaml:20:11", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := fluxFleet(c.spec)
			if c.kustomization {
				files["apps/shop/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n"
			}
			dir := writeTree(t, files)
			t.Chdir(dir)
			res, _ := lintConfined(t, dir)
			f, at := strictFinding(t, res)
			if strings.Join(f.Environments, ",") != "production" {
				t.Errorf("environments %v, want production only", f.Environments)
			}
			if f.File != "apps/shop/app.yaml" {
				t.Errorf("finding in %s, want the base file apps/shop/app.yaml", f.File)
			}
			if at != c.at {
				t.Errorf("STRICT set at %q, want %s (the patch)", at, c.at)
			}
			if hasRule(res, "render-skipped") || hasRule(res, "render-error") {
				t.Errorf("unexpected render findings: %v", rulesOf(res))
			}
		})
	}
}

// TestFluxComponentsAreApplied: a component (relative to spec.path) that
// adds a STRICT PeerAuthentication is built into its environment only.
func TestFluxComponentsAreApplied(t *testing.T) {
	files := fluxFleet("  components:\n    - ../../components/strict\n")
	files["components/strict/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [strict.yaml]\n"
	files["components/strict/strict.yaml"] = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart}}\n  mtls: {mode: STRICT}\n"
	dir := writeTree(t, files)
	t.Chdir(dir)
	res, _ := lintConfined(t, dir)
	f, at := strictFinding(t, res)
	if strings.Join(f.Environments, ",") != "production" || at != "components/strict/strict.yaml:6:10" {
		t.Errorf("environments %v, STRICT at %q; want production, components/strict/strict.yaml:6:10", f.Environments, at)
	}
}

// TestHostileFluxEntries: a patch file, a remote component, a component
// out of the repository and one that is a link out of it are each left
// out with a note at the entry, and nothing outside the repository is
// read (what it holds would make the scrape an error).
func TestHostileFluxEntries(t *testing.T) {
	outside := t.TempDir()
	strict := "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [strict.yaml]\n"
	for name, text := range map[string]string{
		"comp/kustomization.yaml": strict,
		"comp/strict.yaml":        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: cart, namespace: shop}\nspec: {mtls: {mode: STRICT}}\n",
		"etc/passwd":              "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default}\nspec: {mtls: {mode: STRICT}}\n",
	} {
		p := filepath.Join(outside, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := fluxFleet("")
	dir := writeTree(t, files)
	up, err := filepath.Rel(filepath.Join(dir, "apps", "shop"), filepath.Join(outside, "comp"))
	if err != nil {
		t.Fatal(err)
	}
	production := fluxKustomization(`  components:
    - ../../linked
    - https://github.com/example/components//strict?ref=main
    - ` + filepath.ToSlash(filepath.Join(outside, "comp")) + `
    - ` + filepath.ToSlash(up) + `
  patches:
    - path: ../../etc/passwd
      target: {kind: PeerAuthentication}
`)
	if err := os.WriteFile(filepath.Join(dir, "clusters", "production", "apps.yaml"), []byte(production), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "comp"), filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	res, root := lintConfined(t, dir)
	if hasRule(res, "plaintext-scrape-of-strict-port") {
		t.Errorf("something outside the repository was read: %v", rulesOf(res))
	}
	var notes []string
	for _, f := range res.Findings {
		if f.Rule == "render-skipped" && f.File == "clusters/production/apps.yaml" {
			notes = append(notes, fmt.Sprintf("%d: %s", f.Line, f.Message))
		}
	}
	want := []string{"14: ", "leaves the repository", "15: ", "is not fetched", "16: ", "absolute path", "17: ", "leaves the repository", "19: ", "inline patches only"}
	if len(notes) != 5 {
		t.Fatalf("notes %q, want 5", notes)
	}
	for i := 0; i < len(want); i += 2 {
		n := notes[i/2]
		if !strings.HasPrefix(n, want[i]) || !strings.Contains(n, want[i+1]) {
			t.Errorf("note %q, want line %s saying %q", n, want[i], want[i+1])
		}
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range root.Opened() {
		if !strings.HasPrefix(o.Path, real+string(filepath.Separator)) {
			t.Errorf("read %s, outside the repository", o.Path)
		}
	}
}
