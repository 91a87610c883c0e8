package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
)

func TestMatchGlob(t *testing.T) {
	for _, c := range []struct {
		glob, path string
		want       bool
	}{
		{"overlays/dev", "overlays/dev/app.yaml", true},
		{"overlays/dev", "overlays/dev2/app.yaml", false},
		{"overlays/*", "overlays/prod/x/app.yaml", true},
		{"shared/**", "shared/a/b/c.yaml", true},
		{"**/prod", "deploy/envs/prod/app.yaml", true},
		{"**/prod", "deploy/envs/production/app.yaml", false},
		{"*.yaml", "app.yaml", true},
		{"*.yaml", "dir/app.yaml", false},
		{".", "anything/at/all.yaml", true},
	} {
		if got := matchGlob(c.glob, c.path); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.glob, c.path, got, c.want)
		}
	}
}

func TestNameBelowCommonFolder(t *testing.T) {
	envs := []*environment{{Environment: Environment{Name: "deploy/envs/dev"}}, {Environment: Environment{Name: "deploy/envs/prod"}}, {Environment: Environment{Name: "deploy/envs/prod/eu"}}}
	nameBelowCommonFolder(envs)
	var got []string
	for _, e := range envs {
		got = append(got, e.Name)
	}
	if want := []string{"dev", "prod", "prod/eu"}; !reflect.DeepEqual(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
}

// TestMergeEnvironmentFindings: the same finding in two environments is
// one finding naming both; another message is another finding.
func TestMergeEnvironmentFindings(t *testing.T) {
	f := func(msg string) finding.Finding {
		return finding.Finding{Place: finding.Place{File: "a.yaml", Line: 3, Column: 1}, Rule: "r", Message: msg}
	}
	got := mergeEnvironmentFindings([]envFindings{
		{name: "dev", findings: []finding.Finding{f("same"), f("dev's chain")}},
		{name: "prod", findings: []finding.Finding{f("same"), f("prod's chain")}},
	})
	var lines []string
	for _, g := range got {
		lines = append(lines, g.Message+report.EnvironmentSuffix(g))
	}
	want := []string{"same [env: dev, prod]", "dev's chain [env: dev]", "prod's chain [env: prod]"}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("merged %q, want %q", lines, want)
	}
}

// TestHelmReleaseObjectsGoWhereTheRelease: what a HelmRelease renders is
// in the environments holding that HelmRelease, not shared by all.
func TestHelmReleaseObjectsGoWhereTheRelease(t *testing.T) {
	parse := func(file, origin, text string) *loader.Document {
		docs, problems := loader.ParseRendered(loader.Rendered{File: file, Origin: origin, Text: text}, loader.Limits{}, graph.ReadsKind)
		if len(docs) != 1 || len(problems) > 0 {
			t.Fatalf("%s: %d docs, %v", file, len(docs), problems)
		}
		return docs[0]
	}
	release := func(name string) string {
		return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: " + name + ", namespace: shop}\n"
	}
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\n"
	docs := []*loader.Document{
		parse("clusters/staging/release.yaml", "", release("cart-staging")),
		parse("clusters/production/release.yaml", "", release("cart-production")),
		parse("charts/cart/templates/svc.yaml", "rendered from Helm chart charts/cart for HelmRelease shop/cart-staging", svc),
		parse("charts/cart/templates/svc.yaml", "rendered from Helm chart charts/cart for HelmRelease shop/cart-production", svc),
		parse("shared/ns.yaml", "", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"),
	}
	envs := []*environment{{Environment: Environment{Name: "staging"}, dirs: []string{"clusters/staging"}},
		{Environment: Environment{Name: "production"}, dirs: []string{"clusters/production"}}}
	assignDocuments(envs, docs, "default")
	for i, e := range envs {
		var got []*loader.Document
		got = append(got, e.docs...)
		want := []*loader.Document{docs[i], docs[2+i], docs[4]}
		if !reflect.DeepEqual(got, want) {
			var names []string
			for _, d := range got {
				names = append(names, d.File+" "+d.Origin)
			}
			t.Errorf("%s holds %q", e.Name, names)
		}
	}
}

// TestEnvironmentsLineStaysShort: a repository of dozens of overlays gets
// one readable stderr line; --verbose names every environment.
func TestEnvironmentsLineStaysShort(t *testing.T) {
	var envs []Environment
	for i := 0; i < 20; i++ {
		envs = append(envs, Environment{Name: fmt.Sprintf("overlays/env%02d", i), How: "Kustomize root", Files: []string{"a.yaml"}})
	}
	short := EnvironmentsLine(envs, false)
	if !strings.Contains(short, "20 environments") || !strings.Contains(short, "overlays/env07") ||
		strings.Contains(short, "overlays/env08") || !strings.HasSuffix(short, "and 12 more (--verbose lists them)") {
		t.Errorf("short line: %s", short)
	}
	if long := EnvironmentsLine(envs, true); !strings.Contains(long, "overlays/env19 (Kustomize root, 1 file)") {
		t.Errorf("verbose line: %s", long)
	}
	if nine := EnvironmentsLine(envs[:9], false); !strings.Contains(nine, "overlays/env08") || strings.Contains(nine, "more") {
		t.Errorf("nine environments are all named: %s", nine)
	}
}

// TestNestedCollidingFolders: steps 01-03 of a tutorial each hold a copy of
// one app, inside a folder whose policy collides with another folder's.
// Each step is its own mesh, holding the files around it up to that
// folder and none of its siblings'; linted as one, each step's policies
// would apply to the other steps' workloads.
func TestNestedCollidingFolders(t *testing.T) {
	dir := t.TempDir()
	svc := func(port int) string {
		return fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata: {name: hello}\nspec:\n  ports: [{port: %d}]\n", port)
	}
	pa := func(mode string) string {
		return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default}\nspec: {mtls: {mode: " + mode + "}}\n"
	}
	cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" }
	files := map[string]string{
		"04-backends/pa.yaml":        pa("PERMISSIVE"),
		"10-mtls/01-strict/svc.yaml": svc(80), "10-mtls/01-strict/pa.yaml": pa("STRICT"),
		"10-mtls/02-disable/svc.yaml": svc(81),
		"10-mtls/03-ports/svc.yaml":   svc(82),
		"10-mtls/common.yaml":         cm("in-10-mtls"),
		"shared.yaml":                 cm("everywhere"),
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	loaded, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	envs, _ := foundEnvironments(loaded, nil)
	assignDocuments(envs, loaded.Documents, "default")
	got := map[string][]string{}
	for _, e := range envs {
		got[e.Name] = e.Files
	}
	want := map[string][]string{
		"04-backends":        {"04-backends/pa.yaml", "shared.yaml"},
		"10-mtls/01-strict":  {"10-mtls/01-strict/pa.yaml", "10-mtls/01-strict/svc.yaml", "10-mtls/common.yaml", "shared.yaml"},
		"10-mtls/02-disable": {"10-mtls/02-disable/svc.yaml", "10-mtls/common.yaml", "shared.yaml"},
		"10-mtls/03-ports":   {"10-mtls/03-ports/svc.yaml", "10-mtls/common.yaml", "shared.yaml"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("environments and their files:\n%v\nwant\n%v", got, want)
	}
}

// TestDuplicatesOfAlternativeInstalls: a chart linted on its own beside a
// Kustomize install or plain manifests of the same objects is another way
// to install them, not a duplicate; two plain copies, a HelmRelease's copy
// and a plain one, or two templates of one release still are. All copies
// are linted either way.
func TestDuplicatesOfAlternativeInstalls(t *testing.T) {
	doc := func(file, origin, replicas string) *loader.Document {
		text := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: katib, namespace: kubeflow}\nspec: {replicas: " + replicas + "}\n"
		docs, problems := loader.ParseRendered(loader.Rendered{File: file, Origin: origin, Text: text}, loader.Limits{}, graph.ReadsKind)
		if len(docs) != 1 || len(problems) > 0 {
			t.Fatalf("%s: %d docs, %v", file, len(docs), problems)
		}
		return docs[0]
	}
	chart := "rendered from Helm chart charts/katib as release katib"
	plain := func(file, replicas string) *loader.Document { return doc(file, "", replicas) }
	cases := []struct {
		name string
		a, b *loader.Document
		dup  bool
	}{
		{"chart beside a Kustomize install", doc("charts/katib/templates/deploy.yaml", chart, "1"),
			doc("installs/standalone/deploy.yaml", "built by Kustomize root installs/standalone", "2"), false},
		{"chart beside plain manifests", plain("deploy/katib.yaml", "1"), doc("charts/katib/templates/deploy.yaml", chart, "2"), false},
		{"two charts", doc("charts/katib/templates/deploy.yaml", chart, "1"),
			doc("charts/katib-next/templates/deploy.yaml", "rendered from Helm chart charts/katib-next as release katib", "2"), false},
		{"two plain copies", plain("a/katib.yaml", "1"), plain("b/katib.yaml", "2"), true},
		{"a HelmRelease's copy and a plain one", plain("a/katib.yaml", "1"),
			doc("charts/katib/templates/deploy.yaml", "rendered from Helm chart charts/katib for HelmRelease kubeflow/katib", "2"), true},
		{"two templates of one release", doc("charts/katib/templates/a.yaml", chart, "1"), doc("charts/katib/templates/b.yaml", chart, "2"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, dups := dedupe([]*loader.Document{c.a, c.b})
			if len(out) != 2 {
				t.Errorf("%d copies linted, want both", len(out))
			}
			if got := len(dups) == 1; got != c.dup {
				t.Errorf("duplicate reported: %v, want %v", got, c.dup)
			}
		})
	}
}
