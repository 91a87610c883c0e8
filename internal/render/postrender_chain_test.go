package render_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestFluxPostRenderersChain: each post-renderer of a HelmRelease applies
// to the previous one's output. The first fixes the chart's plaintext
// scrape (https and Istio's certs), the second sets http again: the
// monitor has Istio's TLS but scrapes over http. Were the second applied
// to the chart's output, it would be a plaintext scrape.
func TestFluxPostRenderersChain(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{".meshlint.yaml", "chart/Chart.yaml", "chart/values.yaml", "chart/templates/app.yaml", "chart/templates/servicemonitor.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, "flux", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	release := `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: chained
  namespace: team-chained
spec:
  chart:
    spec:
      chart: ./chart
      sourceRef: {kind: GitRepository, name: platform, namespace: flux-system}
  postRenderers:
    - kustomize:
        patches:
          - target:
              kind: ServiceMonitor
            patch: |
              - op: replace
                path: /spec/endpoints/0/scheme
                value: https
              - op: add
                path: /spec/endpoints/0/tlsConfig
                value:
                  caFile: /etc/prom-certs/root-cert.pem
                  certFile: /etc/prom-certs/cert-chain.pem
                  keyFile: /etc/prom-certs/key.pem
                  insecureSkipVerify: true
    - kustomize:
        patchesJson6902:
          - target: {kind: ServiceMonitor}
            patch:
              - op: replace
                path: /spec/endpoints/0/scheme
                value: http
`
	if err := os.WriteFile(filepath.Join(dir, "releases.yaml"), []byte(release), 0o644); err != nil {
		t.Fatal(err)
	}
	r := lint(t, "-c", filepath.Join(dir, ".meshlint.yaml"), dir)
	var rules []string
	for _, f := range r.findings {
		rules = append(rules, f.Rule)
	}
	sort.Strings(rules)
	if got := strings.Join(rules, " "); got != "istio-tls-without-https" {
		t.Errorf("findings %q, want istio-tls-without-https alone", got)
		for _, f := range r.findings {
			t.Logf("%s %s:%d: %s", f.Rule, f.File, f.Line, f.Message)
		}
	}
}
