package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

// The example platform's Big Bang values configure a Prometheus with the
// whole cert recipe: against the fixed apps nothing is reported, and against
// the broken ones only the apps' own mistakes are.
func TestExampleBigBangValues(t *testing.T) {
	const values = "../../examples/bigbang-values.yaml"
	r := lintArgs(t, "-c", os.DevNull, "-f", "json", "--prometheus-values", values,
		"../../examples/platform", "../../examples/monitoring", "../../examples/shop-fixed")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s\n%s", r.code, r.stderr, r.stdout)
	}
	if doc := decode(t, r.stdout); len(doc.Findings) != 0 {
		t.Errorf("findings on the fixed apps: %+v", doc.Findings)
	}
	want := "examples/bigbang-values.yaml: Big Bang umbrella values (monitoring.values.prometheus): checking Prometheus monitoring/monitoring-monitoring-kube-prometheus"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not say what was detected:\n%s", r.stderr)
	}

	r = lintArgs(t, "-c", os.DevNull, "-f", "json", "--prometheus-values", values, "../../examples")
	var onValues []string
	for _, f := range decode(t, r.stdout).Findings {
		if strings.HasSuffix(f.File, "bigbang-values.yaml") {
			onValues = append(onValues, f.Rule+": "+f.Message)
		}
	}
	if len(onValues) != 1 || !strings.Contains(onValues[0], "istio-certs-not-mounted: monitoring.values.prometheus.prometheusSpec.volumeMounts: ServiceMonitor shop/inventory reads Istio certs from /etc/istio-certs") {
		t.Errorf("findings on the values file: %q", onValues)
	}
}

func TestPrometheusValuesFlags(t *testing.T) {
	dir := t.TempDir()
	app := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	values := writeFile(t, dir, "values.yaml", "prometheus:\n  prometheusSpec:\n    podMetadata: {}\n")

	// What was detected goes to stderr, never into a machine format.
	r := lintArgs(t, "-c", os.DevNull, "-f", "json", "--prometheus-values", values, "--prometheus-release", "obs",
		"--prometheus-namespace", "metrics", app)
	if strings.Contains(r.stdout, "checking Prometheus") {
		t.Errorf("detection line on stdout: %s", r.stdout)
	}
	decode(t, r.stdout)
	if !strings.Contains(r.stderr, "kube-prometheus-stack values (prometheus): checking Prometheus metrics/obs-kube-prometheus-stack-prometheus (Helm release obs)") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if r = lintArgs(t, "-c", os.DevNull, "-q", "--prometheus-values", values, app); strings.Contains(r.stderr, "checking Prometheus") {
		t.Errorf("-q still prints the detection line: %s", r.stderr)
	}

	// A file the user names that cannot be used is a usage error, exit 2.
	other := writeFile(t, dir, "other.yaml", "replicaCount: 2\n")
	for _, tc := range []struct{ file, want string }{
		{writeFileName(dir, "missing.yaml"), "no such file"},
		{other, "neither kube-prometheus-stack values"},
		{dir, "is a directory"},
	} {
		r := lintArgs(t, "-c", os.DevNull, "--prometheus-values", tc.file, app)
		if r.code != ExitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("--prometheus-values %s: exit %d, stderr %q", tc.file, r.code, r.stderr)
		}
	}

	// What meshlint cannot interpret is a warning at the key, and the
	// Prometheus is not checked: no finding rests on a guess.
	tpl := writeFile(t, dir, "tpl.yaml", "prometheus:\n  prometheusSpec:\n    volumes: \"{{ toYaml .Values.volumes }}\"\n")
	r = lintArgs(t, "-c", os.DevNull, "-f", "json", "--prometheus-values", tpl, app)
	if f := findingsIn(t, r, "tpl.yaml"); len(f) != 1 || f[0].Severity != "warning" || f[0].Rule != "invalid-manifest" || f[0].Line != 3 {
		t.Errorf("template: %+v", f)
	}
	// Broken YAML is an error, like a broken manifest.
	broken := writeFile(t, dir, "broken.yaml", "prometheus:\n  prometheusSpec: [\n")
	r = lintArgs(t, "-c", os.DevNull, "-f", "json", "--prometheus-values", broken, app)
	if f := findingsIn(t, r, "broken.yaml"); len(f) != 1 || f[0].Severity != "error" || f[0].Line != 3 {
		t.Errorf("broken YAML: %+v", f)
	}
}

// findingsIn are the findings of a JSON run in the file named name.
func findingsIn(t *testing.T, r result, name string) []finding.Finding {
	t.Helper()
	var out []finding.Finding
	for _, f := range decode(t, r.stdout).Findings {
		if strings.HasSuffix(f.File, "/"+name) {
			out = append(out, f)
		}
	}
	return out
}

func writeFileName(dir, name string) string { return dir + string(os.PathSeparator) + name }
