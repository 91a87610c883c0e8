package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// The config key prometheusValues names values files relative to the config
// file, like --prometheus-values.
func TestConfigPrometheusValues(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "platform/values.yaml", `prometheus:
  prometheusSpec:
    volumes:
      - name: istio-certs
        emptyDir: {medium: Memory}
    volumeMounts:
      - name: istio-certs
        mountPath: /etc/prom-certs/
`)
	cfg := writeFile(t, dir, "platform/.meshlint.yaml", "prometheusValues: [values.yaml]\n")
	writeFile(t, dir, "apps/monitor.yaml", `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: cart
  namespace: shop
  labels: {release: kube-prometheus-stack}
spec:
  selector: {matchLabels: {app: cart}}
  namespaceSelector: {any: true}
  endpoints:
    - port: metrics
      scheme: https
      tlsConfig:
        caFile: /etc/prom-certs/root-cert.pem
        certFile: /etc/prom-certs/cert-chain.pem
        keyFile: /etc/prom-certs/key.pem
        insecureSkipVerify: true
`)
	r := lintArgs(t, "-c", cfg, "-f", "json", filepath.Join(dir, "apps"))
	doc := decode(t, r.stdout)
	found := false
	for _, f := range doc.Findings {
		if f.Rule == "istio-certs-not-exported" && strings.HasSuffix(f.File, "platform/values.yaml") &&
			strings.Contains(f.Message, "prometheus.prometheusSpec.podMetadata") {
			found = true
		}
	}
	if !found {
		t.Errorf("no istio-certs-not-exported finding in the values file named by the config: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	writeFile(t, dir, "bad/.meshlint.yaml", "prometheusValues: values.yaml\n")
	if r := lintArgs(t, "-c", filepath.Join(dir, "bad/.meshlint.yaml"), filepath.Join(dir, "apps")); r.code != ExitError || !strings.Contains(r.stderr, "prometheusValues: want a list of values files") {
		t.Errorf("a string instead of a list: exit %d %s", r.code, r.stderr)
	}
}
