package lint_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/loader"
)

// strictShop is a STRICT namespace whose ServiceMonitor scrapes over http:
// plaintext-scrape-of-strict-port when the rules run.
const strictShop = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
        - name: cart
          image: shop/cart:1.0
          ports: [{name: metrics, containerPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec:
  selector: {app: cart}
  ports: [{name: metrics, port: 9090, targetPort: metrics}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  endpoints: [{port: metrics}]
`

func peerAuthentication(mode string) string {
	return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec: {mtls: {mode: " + mode + "}}\n"
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lintTree(t *testing.T, dir string, limits loader.Limits) *lint.Result {
	t.Helper()
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Run(context.Background(), eng, lint.Options{Paths: []string{"."}, WorkDir: dir, Settings: graph.DefaultSettings(), Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestEnvironmentsOverMaxFactsReportWhatWasRead: an environment whose
// model is over --max-facts stops the rules in every environment, as for
// one mesh, and what reading the files found is still reported.
func TestEnvironmentsOverMaxFactsReportWhatWasRead(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"deploy/shared/app.yaml":     strictShop,
		"deploy/envs/dev/mtls.yaml":  peerAuthentication("PERMISSIVE"),
		"deploy/envs/prod/mtls.yaml": peerAuthentication("STRICT"),
		"deploy/broken/svc.yaml":     "apiVersion: v1\nkind: Service\nmetadata: {name: x\n",
	})
	t.Chdir(dir)
	res := lintTree(t, dir, loader.DefaultLimits)
	if len(res.Environments) != 2 || res.Stopped != "" || !hasRule(res, "plaintext-scrape-of-strict-port") {
		t.Fatalf("within the limit: environments %v, stopped %q, findings %v", res.Environments, res.Stopped, rulesOf(res))
	}
	limits := loader.DefaultLimits
	limits.MaxFacts = 1
	res = lintTree(t, dir, limits)
	if !strings.Contains(res.Stopped, "--max-facts") || !strings.HasPrefix(res.Stopped, "environment ") {
		t.Errorf("Stopped = %q, want the --max-facts message naming the environment", res.Stopped)
	}
	if !hasRule(res, "invalid-manifest") {
		t.Errorf("the broken file's finding is lost: %v", rulesOf(res))
	}
	if hasRule(res, "plaintext-scrape-of-strict-port") {
		t.Errorf("a rule ran over the limit: %v", rulesOf(res))
	}
}

func hasRule(res *lint.Result, rule string) bool {
	for _, f := range res.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

func rulesOf(res *lint.Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.File+":"+f.Rule)
	}
	return out
}

// TestNestedFoldersJoinTheirEnvironment: a Kustomize root inside a folder
// that is an environment (clusters/prod/apps in clusters/prod) belongs to
// that environment; it is not one of its own, and the folder's other
// files are not shared with the other environments.
func TestNestedFoldersJoinTheirEnvironment(t *testing.T) {
	files := map[string]string{}
	for _, env := range []string{"prod", "staging"} {
		files["clusters/"+env+"/apps/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n"
		files["clusters/"+env+"/apps/app.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\ndata: {env: " + env + "}\n"
		files["clusters/"+env+"/infra/cfg.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: infra, namespace: shop}\ndata: {env: " + env + "}\n"
	}
	dir := writeTree(t, files)
	t.Chdir(dir)
	found, err := lint.FindEnvironments(context.Background(), lint.Options{Paths: []string{"."}, WorkDir: dir, Settings: graph.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range found {
		got = append(got, e.Name+"="+strings.Join(e.Paths, ","))
	}
	if want := []string{"prod=clusters/prod", "staging=clusters/staging"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("environments %q, want %q", got, want)
	}
	res := lintTree(t, dir, loader.DefaultLimits)
	if hasRule(res, "duplicate-resource") {
		t.Errorf("a folder's files were shared with the other environment: %v", rulesOf(res))
	}
}
