package cli

import (
	"github.com/meshlint/meshlint/internal/loader"

	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
)

// kpsRecipe is kube-prometheus-stack values with Istio's whole cert recipe.
const kpsRecipe = `prometheus:
  prometheusSpec:
    volumes:
      - name: istio-certs
        emptyDir:
          medium: Memory
    volumeMounts:
      - name: istio-certs
        mountPath: /etc/prom-certs/
    podMetadata:
      annotations:
        traffic.sidecar.istio.io/includeOutboundIPRanges: ""
        proxy.istio.io/config: |
          proxyMetadata:
            OUTPUT_CERTS: /etc/istio-output-certs
        sidecar.istio.io/userVolumeMount: '[{"name": "istio-certs", "mountPath": "/etc/istio-output-certs"}]'
`

// fixedExamples are the example platform with its fixed apps, whose
// monitors read Istio certs and are labelled release: monitoring.
var fixedExamples = []string{"../../examples/platform", "../../examples/monitoring", "../../examples/shop-fixed"}

func lintValues(t *testing.T, args ...string) result {
	t.Helper()
	return lintArgs(t, append(append([]string{"-c", os.DevNull, "-f", "json", "--prometheus-release", "monitoring"}, args...), fixedExamples...)...)
}

// Repeated --prometheus-values files are layered like helm -f into one
// Prometheus: an override that leaves the cert setup alone gives no
// finding, where two Prometheus servers of the same name gave three.
func TestPrometheusValuesLayered(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, dir, "base.yaml", kpsRecipe)
	small := writeFile(t, dir, "small.yaml", "prometheus:\n  prometheusSpec:\n    retention: 30d\n    podMetadata:\n      labels:\n        team: platform\n")
	r := lintValues(t, "--prometheus-values", base, "--prometheus-values", small)
	if r.code != ExitOK || len(decode(t, r.stdout).Findings) != 0 {
		t.Errorf("base + override: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := strings.Count(r.stderr, "checking Prometheus"); n != 1 ||
		!strings.Contains(shorten(t, dir, r.stderr), "meshlint: base.yaml, small.yaml (layered in this order, as helm -f lays them): kube-prometheus-stack values (prometheus): checking Prometheus monitoring/monitoring-kube-prometheus-prometheus") {
		t.Errorf("stderr names %d servers, want one naming both files in order:\n%s", n, r.stderr)
	}
	if s := decode(t, r.stdout).Summary; s.Files != 8 || s.Resources != 29 {
		t.Errorf("summary counts %d files, %d resources; want both values files and one Prometheus", s.Files, s.Resources)
	}

	// An override that replaces the mount list drops the cert mount: the
	// finding is on the override's key.
	for _, tc := range []struct{ name, text string }{
		{"replaced.yaml", "prometheus:\n  prometheusSpec:\n    volumeMounts:\n      - name: data\n        mountPath: /data\n"},
		{"deleted.yaml", "prometheus:\n  prometheusSpec:\n    volumeMounts: null\n"},
	} {
		override := writeFile(t, dir, tc.name, tc.text)
		r := lintValues(t, "--prometheus-values", base, "--prometheus-values", override)
		doc := decode(t, r.stdout)
		if r.code != ExitFindings || len(doc.Findings) != 1 {
			t.Fatalf("%s: exit %d, findings %+v\n%s", tc.name, r.code, doc.Findings, r.stderr)
		}
		f := doc.Findings[0]
		if f.Rule != "istio-certs-not-mounted" || !strings.HasSuffix(f.File, "/"+tc.name) || f.Line != 3 ||
			!strings.HasPrefix(f.Message, "prometheus.prometheusSpec.volumeMounts: ") {
			t.Errorf("%s: finding %s:%d %s %s", tc.name, f.File, f.Line, f.Rule, f.Message)
		}
	}
}

// prometheusValues objects are independent servers; a list of names is one
// layered server, which --prometheus-values files layer over.
func TestConfigPrometheusServers(t *testing.T) {
	dir := t.TempDir()
	// A repository: paths are written relative to its top.
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "values/base.yaml", kpsRecipe)
	writeFile(t, dir, "values/small.yaml", "prometheus:\n  prometheusSpec:\n    retention: 30d\n")
	writeFile(t, dir, "values/other.yaml", "prometheus:\n  prometheusSpec: {}\n")
	for _, d := range fixedExamples {
		copyTree(t, d, filepath.Join(dir, "apps", filepath.Base(d)))
	}
	apps := filepath.Join(dir, "apps")
	cfg := writeFile(t, dir, ".meshlint.yaml", `prometheusValues:
  - files: [values/base.yaml, values/small.yaml]
    release: monitoring
  - files: [values/other.yaml]
    release: infra
    namespace: infra
`)
	r := lintArgs(t, "-c", cfg, "-f", "json", apps)
	if r.code != ExitOK || len(decode(t, r.stdout).Findings) != 0 {
		t.Errorf("two servers: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"values/base.yaml, values/small.yaml (layered in this order, as helm -f lays them): kube-prometheus-stack values (prometheus): checking Prometheus monitoring/monitoring-kube-prometheus-prometheus (Helm release monitoring)",
		"values/other.yaml: kube-prometheus-stack values (prometheus): checking Prometheus infra/infra-kube-prometheus-stac-prometheus (Helm release infra)",
	} {
		if !strings.Contains(shorten(t, dir, r.stderr), want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := lintArgs(t, "-c", cfg, "--prometheus-release", "x", apps); r.code != ExitError || !strings.Contains(r.stderr, "give each its release: and namespace: there") {
		t.Errorf("--prometheus-release with server objects: exit %d %s", r.code, r.stderr)
	}

	// Names: one server; the flag's files layer over the config's.
	names := writeFile(t, dir, "names.yaml", "prometheusValues: [values/base.yaml]\n")
	drop := writeFile(t, dir, "drop.yaml", "prometheus:\n  prometheusSpec:\n    volumeMounts: []\n")
	r = lintArgs(t, "-c", names, "-f", "json", "--prometheus-release", "monitoring", "--prometheus-values", drop, apps)
	fs := decode(t, r.stdout).Findings
	if len(fs) != 1 || fs[0].Rule != "istio-certs-not-mounted" || fs[0].File != "drop.yaml" || fs[0].Line != 3 ||
		!strings.Contains(shorten(t, dir, r.stderr), "meshlint: values/base.yaml, drop.yaml (layered in this order") {
		t.Errorf("config names + flag: %+v\n%s", fs, r.stderr)
	}
	mixed := writeFile(t, dir, "mixed.yaml", "prometheusValues:\n  - values/base.yaml\n  - files: [values/other.yaml]\n")
	if r := lintArgs(t, "-c", mixed, apps); r.code != ExitError || !strings.Contains(r.stderr, "mixed.yaml:3: prometheusValues[1]: a server object in a list of file names") {
		t.Errorf("mixed list: exit %d %s", r.code, r.stderr)
	}
}

// Two Prometheus objects with one namespace and name are an error, never
// one silently standing for both.
func TestDuplicatePrometheus(t *testing.T) {
	dir := t.TempDir()
	// A repository: paths are written relative to its top.
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "values/a.yaml", kpsRecipe)
	writeFile(t, dir, "values/b.yaml", "prometheus:\n  prometheusSpec: {}\n")
	for _, d := range fixedExamples {
		copyTree(t, d, filepath.Join(dir, "apps", filepath.Base(d)))
	}
	apps := filepath.Join(dir, "apps")
	cfg := writeFile(t, dir, ".meshlint.yaml", "prometheusValues:\n  - files: [values/a.yaml]\n    release: monitoring\n  - files: [values/b.yaml]\n    release: monitoring\n")
	r := lintArgs(t, "-c", cfg, "-f", "json", apps)
	var dups []string
	for _, f := range decode(t, r.stdout).Findings {
		if f.Rule == "invalid-manifest" {
			dups = append(dups, shorten(t, dir, f.File+":"+itoa(f.Line)+": "+f.Message))
			if len(f.Related) != 1 || !strings.HasSuffix(f.Related[0].File, "values/a.yaml") {
				t.Errorf("related %+v", f.Related)
			}
		}
	}
	if r.code != ExitFindings || len(dups) != 1 || !strings.Contains(dups[0], "values/b.yaml:1: prometheus: Prometheus monitoring/monitoring-kube-prometheus-prometheus, modelled from values/b.yaml, is also modelled from values/a.yaml") {
		t.Errorf("two servers of one name: exit %d %q", r.code, dups)
	}

	// A values file naming the Prometheus of a manifest in the input.
	clash := writeFile(t, dir, "clash.yaml", "cleanPrometheusOperatorObjectNames: true\nfullnameOverride: platform\n"+kpsRecipe)
	r = lintArgs(t, "-c", os.DevNull, "-f", "json", "--prometheus-values", clash, apps)
	dups = nil
	for _, f := range decode(t, r.stdout).Findings {
		if f.Rule == "invalid-manifest" {
			dups = append(dups, shorten(t, dir, f.File+":"+itoa(f.Line)+": "+f.Message))
		}
	}
	if len(dups) != 1 || !strings.Contains(dups[0], "clash.yaml:3: prometheus: Prometheus monitoring/platform, modelled from clash.yaml, is also defined by the manifest ") ||
		!strings.Contains(dups[0], "the manifest apps/monitoring/prometheus.yaml:5;") {
		t.Errorf("values and manifest of one name: %q", dups)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// shorten drops dir from the paths in s, as the run displays them.
func shorten(t *testing.T, dir, s string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// Paths are written relative to the repository root (loader.DisplayBase),
	// which is the working directory's Git top level when there is one.
	for _, base := range []string{loader.DisplayBase("", []string{"."}, wd), wd} {
		rel, err := filepath.Rel(base, dir)
		if err != nil {
			t.Fatal(err)
		}
		s = strings.ReplaceAll(s, filepath.ToSlash(rel)+"/", "")
	}
	return s
}

// copyTree copies the regular files of src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, dst, rel, string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The README's layered-values section: its stderr sample is what a run
// prints, and its config sample reads as the servers it describes.
func TestReadmeLayeredValues(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "meshlint: base.yaml, prod.yaml (layered")
	if start < 0 {
		t.Fatal("README.md has no sample stderr line for layered values")
	}
	line := text[start : start+strings.IndexByte(text[start:], '\n')]
	dir := t.TempDir()
	base := writeFile(t, dir, "base.yaml", kpsRecipe)
	prod := writeFile(t, dir, "prod.yaml", "prometheus:\n  prometheusSpec:\n    retention: 30d\n")
	r := lintArgs(t, "-c", os.DevNull, "--prometheus-values", base, "--prometheus-values", prod, "../../examples/shop-fixed")
	if got := strings.SplitN(shorten(t, dir, r.stderr), "\n", 2)[0]; got != line {
		t.Errorf("README says\n%s\na run prints\n%s", line, got)
	}

	start = strings.Index(text, "```yaml\nprometheusValues:\n  - files:")
	if start < 0 {
		t.Fatal("README.md has no prometheusValues server sample")
	}
	sample := text[start+len("```yaml\n") : start+strings.Index(text[start:], "\n```\n")+1]
	cfg, err := config.Parse([]byte(sample), ".meshlint.yaml", "/repo")
	if err != nil {
		t.Fatalf("README sample: %v", err)
	}
	if len(cfg.PrometheusServers) != 2 || len(cfg.PrometheusServers[0].Files) != 2 || cfg.PrometheusServers[1].Namespace.Value != "team-a" {
		t.Errorf("README sample reads as %+v", cfg.PrometheusServers)
	}
}

// A values file of a server object, or a later layer, that is a link out
// of the repository is refused like any file the config names, and its
// content is never printed.
func TestHostileLayeredValuesLinks(t *testing.T) {
	for name, cfg := range map[string]string{
		"server object": "prometheusValues:\n  - files: [ok.yaml, values.yaml]\n    release: r\n",
		"later layer":   "prometheusValues: [ok.yaml, values.yaml]\n",
	} {
		for _, target := range []string{"/dev/zero", "outside"} {
			t.Run(name+"/"+target, func(t *testing.T) {
				tree, outside := newHostileTree(t)
				writeFile(t, tree, "ok.yaml", "prometheus:\n  prometheusSpec: {}\n")
				to := map[string]string{"/dev/zero": "/dev/zero", "outside": filepath.Join(outside, "values")}[target]
				if err := os.Symlink(to, filepath.Join(tree, "values.yaml")); err != nil {
					t.Fatal(err)
				}
				writeFile(t, tree, ".meshlint.yaml", cfg)
				code, written := runEveryFormat(t, "app.yaml")
				if code != ExitError || !strings.Contains(written, "values.yaml") {
					t.Errorf("exit %d, want 2 and a message naming values.yaml:\n%s", code, written)
				}
				if strings.Contains(written, hostileCanary) {
					t.Errorf("the file outside the tree was printed:\n%s", written)
				}
				if target == "outside" {
					if _, control := runEveryFormat(t, "--root", "/", "app.yaml"); !strings.Contains(control, hostileCanary) {
						t.Errorf("control: with --root / the canary should be read and shown, so the check above can fail:\n%s", control)
					}
				}
			})
		}
	}
}

// A report is never written over a values file of a prometheusValues
// server: it is an input of the run.
func TestOutputRefusesServerValuesFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	writeFile(t, dir, "a.yaml", "prometheus:\n  prometheusSpec: {}\n")
	writeFile(t, dir, "b.yaml", "prometheus:\n  prometheusSpec: {}\n")
	writeFile(t, dir, "cfg.yaml", "prometheusValues:\n  - files: [a.yaml]\n  - files: [b.yaml]\n    release: other\n")
	r := lintArgs(t, "-c", "cfg.yaml", "-f", "json", "-o", "b.yaml", "app.yaml")
	if r.code != ExitError || !strings.Contains(r.stderr, "refusing to write the json report to b.yaml: it is a Prometheus values file of this run") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if b, err := os.ReadFile("b.yaml"); err != nil || string(b) != "prometheus:\n  prometheusSpec: {}\n" {
		t.Errorf("b.yaml changed: %q %v", b, err)
	}
}
