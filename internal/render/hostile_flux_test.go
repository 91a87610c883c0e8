package render_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile HelmReleases: paths that climb out of the GitRepository's root,
// secrets in remote URLs, and valuesFrom values that are not --set syntax.

const fluxSource = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: platform
  namespace: flux-system
spec:
  url: %s
`

// release is a HelmRelease of chart path with extra spec lines.
func release(name, chart, extra string) string {
	return fmt.Sprintf(`---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: %s
  namespace: team
spec:
  chart:
    spec:
      chart: %s
      sourceRef: {kind: GitRepository, name: platform, namespace: flux-system}
%s`, name, chart, extra)
}

// lineOf is the 1-based line of the first line of text holding s.
func lineOf(t *testing.T, text, s string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not in the text", s)
	return 0
}

// fluxRepo is a repository with plain.yaml, a harmless chart in chart/,
// and releases.yaml.
func fluxRepo(t *testing.T, releases string) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"plain.yaml":             plainManifest,
		"chart/Chart.yaml":       "apiVersion: v2\nname: app\nversion: 0.1.0\n",
		"chart/templates/x.yaml": "{{ if .Values.secret }}{{ fail .Values.secret }}{{ end }}\n",
		"releases.yaml":          releases,
		// The GitRepository of the releases is this checkout.
		".git/config": "[remote \"origin\"]\n\turl = git@example.com:platform\n",
	})
	return dir
}

func TestFluxPathsLeavingTheSourceAreErrors(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{
		"secret.json":            `{"secret": "` + canary + `"}`,
		"chart/Chart.yaml":       "apiVersion: v2\nname: outside\nversion: 0.1.0\n",
		"chart/templates/x.yaml": "{{ fail \"" + canary + "\" }}\n",
	})
	text := fmt.Sprintf(fluxSource, "https://example.com/platform.git") +
		release("up-chart", "../../..", "") +
		release("up-values", "./chart", "      valuesFiles: [\"../../../secret.json\"]\n") +
		release("linked-chart", "./linked", "") +
		release("linked-values", "./chart", "      valuesFiles: [\"linked.json\"]\n")
	dir := fluxRepo(t, text)
	symlink(t, filepath.Join(outside, "chart"), filepath.Join(dir, "linked"))
	symlink(t, filepath.Join(outside, "secret.json"), filepath.Join(dir, "linked.json"))
	r, out := lintAll(t, dir)
	expectSurvived(t, r)
	for _, c := range []struct{ field, why string }{
		{"chart: ../../..", "leaves the root of GitRepository flux-system/platform"},
		{`valuesFiles: ["../../../secret.json"]`, "leaves the root of GitRepository flux-system/platform"},
		{"chart: ./linked", "leaves the repository"},
		{`valuesFiles: ["linked.json"]`, "leaves the repository"},
	} {
		f := findingAt(t, r.findings, fmt.Sprintf("render-error releases.yaml:%d", lineOf(t, text, c.field)))
		if !strings.Contains(f.Message, c.why) {
			t.Errorf("finding at %s does not say %q: %s", c.field, c.why, f.Message)
		}
	}
	if strings.Contains(out, canary) {
		t.Errorf("a file outside the repository leaked into the output")
	}
}

func TestRemoteCredentialsNeverShow(t *testing.T) {
	const token, sourceToken = "glcbt-remotetoken-3f9a1c", "glcbt-sourcetoken-88d2e0"
	text := fmt.Sprintf(fluxSource, "https://gitlab-ci-token:"+sourceToken+"@gitlab.com/other/platform.git") +
		release("app", "./chart", "")
	dir := fluxRepo(t, text)
	writeTree(t, dir, map[string]string{".git/config": "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://gitlab-ci-token:" + token + "@gitlab.com/group/repo.git\n"})
	r, out := lintAll(t, dir)
	f := findingAt(t, r.findings, fmt.Sprintf("render-skipped releases.yaml:%d", lineOf(t, text, "sourceRef")))
	if !strings.Contains(f.Message, "https://gitlab.com/group/repo.git") || !strings.Contains(f.Message, "https://gitlab.com/other/platform.git") {
		t.Errorf("the note does not name the remote and the source: %s", f.Message)
	}
	for _, secret := range []string{token, sourceToken, "gitlab-ci-token"} {
		if strings.Contains(out, secret) {
			t.Errorf("%s shows in the output", secret)
		}
	}
}

func TestTargetPathValueIsNeverQuoted(t *testing.T) {
	secret := func(name, value string) string {
		return fmt.Sprintf("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: team\nstringData:\n  v: %q\n", name, value)
	}
	// Flux parses a valuesFrom value as --set does: this one is not valid
	// there, and the parser's error would quote it.
	text := fmt.Sprintf(fluxSource, "https://example.com/platform.git") +
		secret("bad", "x,"+canary) + secret("literal", "a,b=c{d}[0]") +
		release("parsed", "./chart", "  valuesFrom:\n    - {kind: Secret, name: bad, valuesKey: v, targetPath: cfg.v}\n") +
		release("literal", "./chart", "  valuesFrom:\n    - {kind: Secret, name: literal, valuesKey: v, targetPath: cfg.v, literal: true}\n")
	dir := fluxRepo(t, text)
	r, out := lintAll(t, dir)
	expectSurvived(t, r)
	f := findingAt(t, r.findings, fmt.Sprintf("render-skipped releases.yaml:%d", lineOf(t, text, "name: bad, valuesKey")))
	if !strings.Contains(f.Message, "targetPath cfg.v") {
		t.Errorf("the note does not name the targetPath: %s", f.Message)
	}
	if strings.Contains(out, canary) {
		t.Errorf("the secret value shows in the output")
	}
	if n := strings.Count(strings.Join(locations(r.findings), "\n"), "render-"); n != 1 {
		t.Errorf("the literal value should render: %d render findings:\n%s", n, strings.Join(locations(r.findings), "\n"))
	}
}
