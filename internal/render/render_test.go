package render_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/cli"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// The cases under testdata/render are linted end to end through the CLI, so
// each test shows what a user sees: the rule, and the file and line that the
// finding points at after rendering.

const root = "../../testdata/render/"

type result struct {
	code     int
	findings []finding.Finding
	stderr   string
}

func lint(t *testing.T, args ...string) result {
	t.Helper()
	all := append([]string{"--format", "json", "--fail-on", "error", "-q", "-c", os.DevNull}, args...)
	var stdout, stderr bytes.Buffer
	code := cli.Run(all, cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false }})
	if code == 2 {
		t.Fatalf("meshlint %s exited 2: %s", strings.Join(args, " "), stderr.String())
	}
	var doc struct {
		Findings []finding.Finding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("decode json: %v\n%s", err, stdout.String())
	}
	return result{code: code, findings: doc.Findings, stderr: stderr.String()}
}

// at is "rule file:line" with the file relative to testdata/render.
func at(f finding.Finding) string {
	return fmt.Sprintf("%s %s:%d", f.Rule, strings.TrimPrefix(f.File, shownRoot), f.Line)
}

// shownRoot is how findings name root: from the repository's top
// (loader.DisplayBase).
var shownRoot = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return loader.DisplayPath(root, loader.DisplayBase("", []string{root}, wd)) + "/"
}()

func locations(fs []finding.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, at(f))
	}
	sort.Strings(out)
	return out
}

func expect(t *testing.T, got []finding.Finding, want ...string) {
	t.Helper()
	sort.Strings(want)
	if g := locations(got); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
		for _, f := range got {
			t.Logf("%s: %s", at(f), f.Message)
		}
	}
}

func TestHelmChartValues(t *testing.T) {
	chart := root + "helm/monitored"
	monitor := "helm/monitored/templates/servicemonitor.yaml:13" // the "scheme: {{ .Values.serviceMonitor.scheme }}" line

	t.Run("default values are correct", func(t *testing.T) {
		r := lint(t, chart)
		expect(t, r.findings)
		if r.code != 0 {
			t.Errorf("exit %d, want 0", r.code)
		}
	})
	t.Run("a values file makes the scrape plaintext", func(t *testing.T) {
		r := lint(t, "--values", chart+"/plaintext.yaml", chart)
		expect(t, r.findings, "plaintext-scrape-of-strict-port "+monitor)
		f := r.findings[0]
		if !strings.Contains(f.Message, "rendered from Helm chart "+shownRoot+"helm/monitored as release monitored") {
			t.Errorf("message does not say where it was rendered from: %s", f.Message)
		}
		if f.Column != 7 || f.Path != "/spec/endpoints/0/scheme" {
			t.Errorf("column %d path %s, want column 7 of the scheme field", f.Column, f.Path)
		}
		for _, rel := range f.Related {
			if !strings.HasPrefix(rel.File, shownRoot+"helm/monitored/templates/") {
				t.Errorf("related location %s:%d is not a template of the chart", rel.File, rel.Line)
			}
		}
		if r.code != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
	})
	t.Run("--set, --release-name and --release-namespace", func(t *testing.T) {
		r := lint(t, "--set", "serviceMonitor.scheme=http", "--set", "serviceMonitor.tlsConfig=null",
			"--release-name", "shop", "--release-namespace", "prod", chart)
		expect(t, r.findings, "plaintext-scrape-of-strict-port "+monitor)
		if res := r.findings[0].Resource; res == nil || res.Namespace != "prod" || res.Name != "shop" {
			t.Errorf("resource %+v, want ServiceMonitor prod/shop", res)
		}
	})
	t.Run("a vendored subchart is rendered, and points at its own template", func(t *testing.T) {
		r := lint(t, "--set", "sidecarExporter.enabled=true", chart)
		expect(t, r.findings, "plaintext-scrape-of-strict-port helm/monitored/charts/sidecar-exporter/templates/exporter.yaml:37")
	})
	t.Run("the templates are not also linted as files", func(t *testing.T) {
		r := lint(t, "--values", chart+"/plaintext.yaml", chart+"/..")
		expect(t, r.findings, "plaintext-scrape-of-strict-port "+monitor)
	})
}

func TestHelmValuesFlagErrors(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"-q", "-c", os.DevNull, "--values", root + "helm/nope.yaml", root + "helm/monitored"},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false }})
	if code != 2 || !strings.Contains(stderr.String(), "nope.yaml") {
		t.Errorf("exit %d, stderr %q: want exit 2 naming the values file", code, stderr.String())
	}
}

func TestKustomizeBaseAndOverlay(t *testing.T) {
	// cart's plaintext scrape is written in the base: the finding points at
	// the base file. orders is https in the base and turned to http by the
	// overlay's patch: the finding points at the patch, where the value was
	// written. Every object is linted once, as the overlay builds it.
	want := []string{
		"plaintext-scrape-of-strict-port kustomize/base/cart.yaml:38",
		"plaintext-scrape-of-strict-port kustomize/overlays/prod/orders-http.yaml:8",
	}
	for _, input := range []string{"kustomize", "kustomize/overlays/prod"} {
		t.Run(input, func(t *testing.T) {
			r := lint(t, root+input)
			expect(t, r.findings, want...)
			for _, f := range r.findings {
				if !strings.Contains(f.Message, "built by Kustomize root "+shownRoot+"kustomize/overlays/prod") {
					t.Errorf("message does not name the root: %s", f.Message)
				}
				for _, rel := range f.Related {
					if rel.Message == "STRICT set here" && !strings.HasSuffix(rel.File, "kustomize/shared/strict.yaml") {
						t.Errorf("the PeerAuthentication of the second base is at %s", rel.File)
					}
				}
			}
		})
	}
	t.Run("the base alone", func(t *testing.T) {
		r := lint(t, "--mesh-mtls", "STRICT", root+"kustomize/base")
		expect(t, r.findings, "plaintext-scrape-of-strict-port kustomize/base/cart.yaml:38")
	})
}

func TestFluxHelmReleases(t *testing.T) {
	// Five releases of one chart: plaintext by default (plain), fixed by a
	// post-renderer patch (post-rendered), fixed by valuesFrom
	// (from-values), and broken again by a post-renderer (patched-back,
	// pointing at the patch in the HelmRelease). Two cannot be rendered
	// offline and are notes.
	r := lint(t, "-c", root+"flux/.meshlint.yaml", root+"flux")
	expect(t, r.findings,
		"plaintext-scrape-of-strict-port flux/chart/templates/servicemonitor.yaml:13",
		"istio-tls-without-https flux/releases.yaml:93",
		"render-skipped flux/releases.yaml:105",
		"render-skipped flux/releases.yaml:118",
	)
	for _, f := range r.findings {
		switch f.Rule {
		case "plaintext-scrape-of-strict-port":
			if f.Resource == nil || f.Resource.Namespace != "team-plain" || !strings.Contains(f.Message, "for HelmRelease team-plain/plain") {
				t.Errorf("finding is not about release plain: %+v %s", f.Resource, f.Message)
			}
		case "render-skipped":
			if f.Severity != "note" || f.Resource == nil || f.Resource.Kind != "HelmRelease" {
				t.Errorf("render-skipped is a note on the HelmRelease: %+v", f)
			}
		}
	}
}

func TestRenderErrorsKeepLinting(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("broken/Chart.yaml", "apiVersion: v2\nname: broken\nversion: 0.1.0\n")
	write("broken/templates/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: {{ required \"x is required\" .Values.x }}\n")
	write("broken/templates/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  y: {{ .Values.y.z }}\n")
	write("broken/templates/c.yaml", "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: c\nspec:\n  portLevelMtls:\n    \"9090\": {mode: PERMISSIVE}\n")
	write("syntax/Chart.yaml", "apiVersion: v2\nname: syntax\nversion: 0.1.0\n")
	write("syntax/templates/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }\n")
	write("unloadable/Chart.yaml", "apiVersion: v2\nversion: 0.1.0\n")
	write("plain/pa.yaml", "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\n  namespace: x\nspec:\n  portLevelMtls:\n    \"8080\": {mode: PERMISSIVE}\n")
	r := lint(t, dir)
	got := map[string]bool{}
	for _, f := range r.findings {
		rel, _ := filepath.Rel(dir, filepath.Join(mustWD(t), f.File))
		got[fmt.Sprintf("%s %s:%d", f.Rule, filepath.ToSlash(rel), f.Line)] = true
	}
	for _, w := range []string{
		"render-error broken/templates/a.yaml:6",                     // required
		"render-error broken/templates/b.yaml:6",                     // nil pointer
		"port-level-mtls-without-selector broken/templates/c.yaml:6", // the template that renders is linted
		"render-error syntax/templates/a.yaml:4",                     // parse error
		"render-error unloadable/Chart.yaml:1",                       // no chart name
		"port-level-mtls-without-selector plain/pa.yaml:7",           // and so is everything else
	} {
		if !got[w] {
			t.Errorf("no finding %s; got %v", w, got)
		}
	}
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
}

func mustWD(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// Rendering runs in parallel; the output must not depend on scheduling.
func TestRenderingIsDeterministic(t *testing.T) {
	first := lint(t, root, "--set", "sidecarExporter.enabled=true")
	for i := 0; i < 3; i++ {
		again := lint(t, root, "--set", "sidecarExporter.enabled=true")
		if a, b := locations(first.findings), locations(again.findings); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("run %d differs:\n%v\n%v", i, a, b)
		}
	}
	if len(first.findings) < 5 {
		t.Errorf("only %d findings over all of testdata/render", len(first.findings))
	}
}
