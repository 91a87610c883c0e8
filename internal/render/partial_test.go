package render_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// partialRoot is a kubeflow-like tree: example/ builds apps/pipeline, which
// builds on a remote base (when remote is set) and patches its controller,
// and ships a monitor and a policy for that controller.
func partialRoot(t *testing.T, remote bool) string {
	t.Helper()
	dir := t.TempDir()
	resources := "  - api-server.yaml\n  - monitor.yaml\n"
	patches := ""
	if remote {
		resources = "  - https://github.com/example/workflows/manifests/base?ref=v3.7.3\n" + resources
		patches = "patches:\n  - path: controller-patch.yaml\n"
	}
	writeTree(t, dir, map[string]string{
		"example/kustomization.yaml":          "resources:\n  - ../apps/pipeline\n",
		"apps/pipeline/kustomization.yaml":    "namespace: pipelines\nresources:\n" + resources + patches,
		"apps/pipeline/controller-patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: workflow-controller\nspec:\n  replicas: 2\n",
		"apps/pipeline/api-server.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: pipelines
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-server
spec:
  selector:
    matchLabels: {app: api-server}
  template:
    metadata:
      labels: {app: api-server}
    spec:
      containers:
        - name: api-server
          image: example/api-server:1
          ports:
            - {name: http, containerPort: 8888}
---
apiVersion: v1
kind: Service
metadata:
  name: api-server
spec:
  selector: {app: api-server}
  ports:
    - {name: http, port: 8888, targetPort: http}
`,
		"apps/pipeline/monitor.yaml": `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: workflow-controller
spec:
  selector:
    matchLabels: {app: workflow-controller}
  endpoints:
    - port: metrics
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: workflow-controller
spec:
  selector:
    matchLabels: {app: workflow-controller}
  mtls:
    mode: STRICT
`,
	})
	return dir
}

func rules(r result) string {
	var out []string
	for _, f := range r.findings {
		out = append(out, f.Rule+" "+f.File)
	}
	return strings.Join(out, "\n")
}

func TestPartialKustomizeRootIsBuiltAndItsNamespacesAreIncomplete(t *testing.T) {
	// Complete, the monitor and the policy select nothing, and say so.
	r := lintIn(t, partialRoot(t, false), "--fail-on", "none")
	for _, rule := range []string{"monitor-selects-nothing", "peer-authentication-selects-nothing"} {
		if !strings.Contains(rules(r), rule+" apps/pipeline/monitor.yaml") {
			t.Errorf("complete root: no %s:\n%s", rule, rules(r))
		}
	}
	// With a remote base the root is built from its local part, the
	// patch of the remote object is left out with a note, and the
	// namespace is not all in the input: the same rules stay silent.
	r = lintIn(t, partialRoot(t, true), "--fail-on", "none")
	want := "render-skipped apps/pipeline/kustomization.yaml\nrender-skipped apps/pipeline/kustomization.yaml"
	if got := rules(r); got != want {
		t.Errorf("partial root findings:\n%s\nwant:\n%s", got, want)
	}
	if len(r.findings) == 2 && !strings.Contains(r.findings[1].Message, "patch controller-patch.yaml of Deployment workflow-controller matches no object") {
		t.Errorf("the patch note does not name the patch and its object: %s", r.findings[1].Message)
	}
}

func TestPatchMatchingNothingInACompleteRootIsStillAnError(t *testing.T) {
	dir := partialRoot(t, false)
	writeTree(t, dir, map[string]string{"apps/pipeline/kustomization.yaml": "namespace: pipelines\nresources:\n  - api-server.yaml\npatches:\n  - path: controller-patch.yaml\n"})
	r := lintIn(t, dir, "--fail-on", "none")
	if got := rules(r); got != "render-error example/kustomization.yaml" {
		t.Errorf("findings:\n%s\nwant the render-error of Kustomize", got)
	}
}

func TestPartialRootNeverReadsAPatchOutsideTheTree(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: workflow-controller\n  annotations: {leak: " + canary + "}\n"})
	dir := partialRoot(t, true)
	symlink(t, filepath.Join(outside, "patch.yaml"), filepath.Join(dir, "apps/pipeline/linked-patch.yaml"))
	writeTree(t, dir, map[string]string{"apps/pipeline/kustomization.yaml": "namespace: pipelines\nresources:\n" +
		"  - https://github.com/example/workflows/manifests/base?ref=v3.7.3\n  - api-server.yaml\n  - monitor.yaml\n" +
		"patches:\n  - path: linked-patch.yaml\n  - path: controller-patch.yaml\n"})
	r, out := lintAll(t, dir, "--fail-on", "none")
	if strings.Contains(out, canary) {
		t.Errorf("a patch outside the tree was read:\n%s", out)
	}
	if n := strings.Count(rules(r), "render-skipped"); n != 3 {
		t.Errorf("want notes for the remote base, the linked patch and the unmatched patch, got:\n%s", rules(r))
	}
	for _, f := range r.findings {
		if f.Line == 7 && !strings.Contains(f.Message, "leaves the repository") {
			t.Errorf("the linked patch is not refused: %s", f.Message)
		}
	}
}
