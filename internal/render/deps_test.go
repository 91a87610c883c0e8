package render_test

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestHelmFileDependencyRendersLikeAVendoredSubchart(t *testing.T) {
	// umbrella names local-charts/exporter (under the alias metrics, with
	// the umbrella's values for it), which names local-charts/lib; a
	// disabled file:// dependency that does not exist is not mentioned.
	r := lint(t, root+"helm-deps/umbrella")
	expect(t, r.findings, "plaintext-scrape-of-strict-port helm-deps/local-charts/exporter/templates/exporter.yaml:37")
	if len(r.findings) == 1 && !strings.Contains(r.findings[0].Message, "Service default/umbrella-metrics port metrics (9100)") {
		t.Errorf("the alias or the umbrella's values for the dependency were not applied: %s", r.findings[0].Message)
	}
}

// chartWithDependency is a repository whose chart depends on repository.
func chartWithDependency(t *testing.T, repository string) string {
	t.Helper()
	dir := hostileRepo(t, map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own\n"})
	writeTree(t, dir, map[string]string{"chart/Chart.yaml": "apiVersion: v2\nname: hostile\nversion: 0.1.0\ndependencies:\n" +
		"  - name: dep\n    version: 0.1.0\n    repository: " + repository + "\n"})
	return dir
}

// outsideChart is a chart outside the repository whose rendering would
// show the canary.
func outsideChart(t *testing.T) string {
	t.Helper()
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{
		"Chart.yaml":          "apiVersion: v2\nname: dep\nversion: 0.1.0\n",
		"templates/leak.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + canary + "\n{{ fail \"" + canary + "\" }}\n",
	})
	return outside
}

func TestHelmFileDependencyOutsideTheRepositoryIsRefused(t *testing.T) {
	for name, build := range map[string]func(t *testing.T) string{
		"absolute path": func(t *testing.T) string { return chartWithDependency(t, "file://"+outsideChart(t)) },
		"linked directory": func(t *testing.T) string {
			dir := chartWithDependency(t, "file://../dep")
			symlink(t, outsideChart(t), filepath.Join(dir, "dep"))
			return dir
		},
		"relative path": func(t *testing.T) string {
			outside := outsideChart(t)
			dir := chartWithDependency(t, "")
			rel, err := filepath.Rel(filepath.Join(dir, "chart"), outside)
			if err != nil {
				t.Fatal(err)
			}
			writeTree(t, dir, map[string]string{"chart/Chart.yaml": "apiVersion: v2\nname: hostile\nversion: 0.1.0\ndependencies:\n" +
				"  - name: dep\n    version: 0.1.0\n    repository: file://" + filepath.ToSlash(rel) + "\n"})
			return dir
		},
	} {
		t.Run(name, func(t *testing.T) {
			r, out := lintAll(t, build(t))
			expectSurvived(t, r)
			f := findingAt(t, r.findings, "render-error chart/Chart.yaml:5")
			if !strings.Contains(f.Message, "leaves the repository") || f.Path != "/dependencies/0" {
				t.Errorf("the refused dependency does not say why, or where: %s (%s)", f.Message, f.Path)
			}
			if strings.Contains(out, canary) {
				t.Errorf("the chart outside the repository was rendered:\n%s", out)
			}
			if len(r.findings) != 2 {
				t.Errorf("want the plain finding and the refusal only, got:\n  %s", strings.Join(locations(r.findings), "\n  "))
			}
		})
	}
}

func TestHelmFileDependencyCycleIsAnError(t *testing.T) {
	dir := chartWithDependency(t, "file://../other")
	writeTree(t, dir, map[string]string{
		"other/Chart.yaml":        "apiVersion: v2\nname: dep\nversion: 0.1.0\ndependencies:\n  - name: hostile\n    version: 0.1.0\n    repository: file://../chart\n",
		"other/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n",
	})
	r := lintIn(t, dir, "--fail-on", "none")
	f := findingAt(t, r.findings, "render-error other/Chart.yaml:5")
	if !strings.Contains(f.Message, "cycle") {
		t.Errorf("the cycle is not named: %s", f.Message)
	}
}

func TestTemplateIncludingABrokenOneSaysSo(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"c/Chart.yaml":            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
		"c/templates/secret.yaml": "{{ required \"pw is required\" .Values.pw }}\n",
		"c/templates/cm.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  s: {{ include (print $.Template.BasePath \"/secret.yaml\") . | quote }}\n",
	})
	r := lintIn(t, dir, "--fail-on", "none")
	findingAt(t, r.findings, "render-error c/templates/secret.yaml:1")
	f := findingAt(t, r.findings, "render-error c/templates/cm.yaml:6")
	if !strings.Contains(f.Message, "it includes template c/templates/secret.yaml, which does not render and was left out") {
		t.Errorf("the including template does not name the broken one: %s", f.Message)
	}
}
