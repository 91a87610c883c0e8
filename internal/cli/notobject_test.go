package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestToolConfigsPassAndAreListed: beside an app, an IstioOperator
// install profile and a kind cluster config fail nothing; --verbose lists
// each by line, the IstioOperator with the .meshlint.yaml keys that stand
// for its meshConfig. A Service without metadata is still an error.
func TestToolConfigsPassAndAreListed(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	writeFile(t, dir, "profiles/default.yaml", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  namespace: istio-system\nspec:\n  meshConfig:\n    enablePrometheusMerge: true\n")
	writeFile(t, dir, "kind.yaml", "# a kind cluster\nkind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n")
	r := run(t, nil, nil, false, "--verbose", "-f", "json", dir)
	if r.code == ExitError || strings.Contains(r.stdout, `"rule": "invalid-manifest"`) || !strings.Contains(r.stdout, `"files": 1,`) {
		t.Fatalf("exit %d, want the app's findings alone, from its one file:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"kind.yaml:1: Cluster", "profiles/default.yaml:1: IstioOperator", "mesh.enablePrometheusMerge"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--verbose does not say %q:\n%s", want, r.stderr)
		}
	}

	writeFile(t, dir, "svc.yaml", "apiVersion: v1\nkind: Service\nspec:\n  ports: [{port: 80}]\n")
	r = run(t, nil, nil, false, "-f", "json", dir)
	if r.code != ExitFindings || !strings.Contains(r.stdout, `"rule": "invalid-manifest"`) {
		t.Errorf("a Service without metadata: exit %d, want an invalid-manifest:\n%s", r.code, r.stdout)
	}
}

// TestToolConfigHostile: a skipped document's kind and apiVersion reach
// --verbose only escaped, and a document that would be skipped still
// answers to the limits: an alias bomb or too deep a tree is an
// invalid-manifest naming the limit, never expanded or skipped unchecked.
func TestToolConfigHostile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	writeFile(t, dir, "escape.yaml", "apiVersion: \"x/v1\\e[31m\\nmeshlint: forged\"\nkind: \"Tool\\e]8;;http://x\\a\"\nspec: {}\n")
	writeFile(t, dir, "bomb.yaml", "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n"+
		"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"+
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n")
	writeFile(t, dir, "deep.yaml", "apiVersion: skaffold/v4beta6\nkind: Config\nbuild: "+strings.Repeat("[", 300)+strings.Repeat("]", 300)+"\n")
	r := run(t, nil, nil, false, "--verbose", "-f", "json", "--fail-on", "none", "--max-nodes", "10000", dir)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stderr, "\x1b\a") || strings.Contains(r.stderr, "\nmeshlint: forged") {
		t.Errorf("--verbose writes control characters from a skipped document:\n%q", r.stderr)
	}
	if !strings.Contains(r.stderr, "escape.yaml:1: ") {
		t.Errorf("--verbose does not list escape.yaml:\n%s", r.stderr)
	}
	doc := decode(t, r.stdout)
	limits := map[string]string{}
	for _, f := range doc.Findings {
		if f.Rule == "invalid-manifest" {
			limits[filepath.Base(f.File)] = f.Message
		}
	}
	if !strings.Contains(limits["bomb.yaml"], "--max-nodes") || !strings.Contains(limits["deep.yaml"], "--max-depth") || len(limits) != 2 {
		t.Errorf("limits on skipped kinds: %v; want bomb.yaml over --max-nodes and deep.yaml over --max-depth", limits)
	}
}
