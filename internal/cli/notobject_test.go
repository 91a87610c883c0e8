package cli

import (
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
