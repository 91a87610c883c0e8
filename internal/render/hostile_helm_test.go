package render_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/cli"
	"github.com/meshlint/meshlint/internal/finding"
)

// Hostile charts and HelmReleases, each built in t.TempDir(): what a pull
// request from a stranger can hold. Each test checks that the hostile part
// is a render-error that says why, that nothing from outside the tree
// reaches any output format, and that the rest of the run is still linted.

// plainManifest is a manifest beside the hostile chart whose finding must
// survive whatever the chart does.
const plainManifest = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
  portLevelMtls:
    9090:
      mode: PERMISSIVE
`

const plainFinding = "port-level-mtls-without-selector plain.yaml:9"

// writeTree writes files (relative path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
}

// hostileRepo is a repository holding plain.yaml and a chart whose
// templates are given, in a fresh temporary directory.
func hostileRepo(t *testing.T, templates map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"plain.yaml":       plainManifest,
		"chart/Chart.yaml": "apiVersion: v2\nname: hostile\nversion: 0.1.0\n",
	}
	for name, text := range templates {
		files["chart/templates/"+name] = text
	}
	writeTree(t, dir, files)
	return dir
}

// lintIn lints dir from inside it, so that findings' paths are relative
// to it.
func lintIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	t.Chdir(dir)
	return lint(t, append(args, ".")...)
}

// lintAll is lintIn that also returns every output format's text (text,
// json, sarif, junit, github, and stderr), for canary checks.
func lintAll(t *testing.T, dir string, args ...string) (result, string) {
	t.Helper()
	r := lintIn(t, dir, args...)
	var all strings.Builder
	for _, format := range []string{"text", "json", "sarif", "junit", "github"} {
		var stdout, stderr bytes.Buffer
		full := append([]string{"--format", format, "--fail-on", "error", "-c", os.DevNull, "--verbose"}, append(args, ".")...)
		code := cli.Run(full, cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false }})
		if code != r.code {
			t.Errorf("format %s exited %d, json exited %d", format, code, r.code)
		}
		all.WriteString(stdout.String())
		all.WriteString(stderr.String())
	}
	return r, all.String()
}

// findingAt returns the finding of rule at file:line, failing when absent.
func findingAt(t *testing.T, fs []finding.Finding, want string) finding.Finding {
	t.Helper()
	for _, f := range fs {
		if at(f) == want {
			return f
		}
	}
	t.Errorf("no finding %s among:\n  %s", want, strings.Join(locations(fs), "\n  "))
	return finding.Finding{}
}

func expectSurvived(t *testing.T, r result) {
	t.Helper()
	findingAt(t, r.findings, plainFinding)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
}

const canary = "meshlint-canary-7c1e55"

func TestChartFileLinkedToEnvironIsLeftOut(t *testing.T) {
	environ, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		t.Skipf("no /proc/self/environ: %v", err)
	}
	dir := hostileRepo(t, map[string]string{
		"leak.yaml": "{{ fail (.Files.Get \"environ\") }}\n",
		"cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\ndata:\n  env: {{ .Files.Get \"environ\" | quote }}\n",
	})
	symlink(t, "/proc/self/environ", filepath.Join(dir, "chart", "environ"))
	r, out := lintAll(t, dir)
	expectSurvived(t, r)
	f := findingAt(t, r.findings, "render-error chart/environ:1")
	if !strings.Contains(f.Message, "leaves the repository") {
		t.Errorf("the left-out file does not say why: %s", f.Message)
	}
	findingAt(t, r.findings, "render-error chart/templates/leak.yaml:1")
	// /proc/self/environ is the environment this process started with.
	for _, kv := range strings.Split(string(environ), "\x00") {
		if _, v, _ := strings.Cut(kv, "="); len(v) >= 12 && strings.Contains(out, v) {
			t.Errorf("the value of environment variable %s leaked into the output", strings.SplitN(kv, "=", 2)[0])
		}
	}
}

func TestChartGlobOverLinkedDirectoryIsLeftOut(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"token": canary})
	dir := hostileRepo(t, map[string]string{
		"glob.yaml": "{{ range $p, $b := .Files.Glob \"secrets/**\" }}{{ fail (toString $b) }}{{ end }}\n" +
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: glob\ndata:\n  n: \"{{ len (.Files.Glob \"secrets/**\") }}\"\n",
	})
	symlink(t, outside, filepath.Join(dir, "chart", "secrets"))
	r, out := lintAll(t, dir)
	expectSurvived(t, r)
	f := findingAt(t, r.findings, "render-error chart/secrets:1")
	if !strings.Contains(f.Message, "leaves the repository") {
		t.Errorf("the left-out directory does not say why: %s", f.Message)
	}
	if strings.Contains(out, canary) {
		t.Errorf("a file outside the repository leaked into the output")
	}
}

func TestChartValuesLinkedOutsideAreLeftOut(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"values.yaml": "secret: " + canary + "\n"})
	dir := hostileRepo(t, map[string]string{
		"fail.yaml": "{{ if .Values.secret }}{{ fail .Values.secret }}{{ end }}\n",
	})
	symlink(t, filepath.Join(outside, "values.yaml"), filepath.Join(dir, "chart", "values.yaml"))
	r, out := lintAll(t, dir)
	expectSurvived(t, r)
	findingAt(t, r.findings, "render-error chart/values.yaml:1")
	if strings.Contains(out, canary) {
		t.Errorf("values from outside the repository leaked into the output")
	}
}

func TestChartLinkInsideTheRepositoryIsRead(t *testing.T) {
	dir := hostileRepo(t, map[string]string{
		"cm.yaml": "{{ if ne (.Files.Get \"shared.txt\") \"shared\" }}{{ fail \"the linked file was not read\" }}{{ end }}\n",
	})
	writeTree(t, dir, map[string]string{"shared.txt": "shared"})
	symlink(t, filepath.Join(dir, "shared.txt"), filepath.Join(dir, "chart", "shared.txt"))
	r := lintIn(t, dir)
	expect(t, r.findings, plainFinding)
}

// Template bombs: each would allocate gigabytes or loop for hours inside
// Sprig or text/template before any output limit sees a byte.
func TestTemplateBombsHitABudget(t *testing.T) {
	cases := []struct{ name, template, flag string }{
		{"repeat", `{{ repeat 2000000000 "x" }}`, "--max-render-memory"},
		{"until", `{{ range until 100000000 }}{{ end }}`, "--max-render-memory"},
		{"indent", `{{ indent 2000000000 "x" }}`, "--max-render-memory"},
		{"doubling", `{{ $s := "xxxxxxxx" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}{{ $s }}`, "--max-render-memory"},
		{"printf width in a loop", `{{ range until 1000000 }}{{ printf "%999999d" 1 }}{{ end }}`, "--max-render-memory"},
		{"nested ranges", `{{ range until 1000000 }}{{ range until 1000000 }}{{ end }}{{ end }}`, "--max-render-cpu"},
		{"output", `{{ range until 3000 }}{{ printf "# %999d" 1 }}` + "\n" + `{{ end }}`, "--max-render-output"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := hostileRepo(t, map[string]string{"bomb.yaml": c.template + "\n", "_helpers.tpl": "{{/* nothing */}}\n"})
			r := lintIn(t, dir, "--max-render-memory", "256", "--max-render-cpu", "2", "--max-render-output", "1000000")
			expectSurvived(t, r)
			f := findingAt(t, r.findings, "render-error chart/Chart.yaml:1")
			if !strings.Contains(f.Message, c.flag) || !strings.Contains(f.Message, "budget") {
				t.Errorf("the finding does not name the budget and %s: %s", c.flag, f.Message)
			}
		})
	}
}

// fmt refuses widths over a million, so a huge printf width alone is no
// bomb: the chart renders and the run goes on.
func TestPrintfHugeWidthRenders(t *testing.T) {
	dir := hostileRepo(t, map[string]string{"w.yaml": "# {{ printf \"%2000000000d\" 1 }}\n"})
	r := lintIn(t, dir, "--max-render-memory", "256")
	expect(t, r.findings, plainFinding)
}

// .helmignore is honoured as Helm honours it: an ignored link is never
// followed, so it is not reported either.
func TestHelmignoredLinkIsNotRead(t *testing.T) {
	outside := t.TempDir()
	dir := hostileRepo(t, map[string]string{"cm.yaml": "{{/* nothing */}}\n"})
	writeTree(t, dir, map[string]string{"chart/.helmignore": "# local only\nsecrets/\n"})
	symlink(t, outside, filepath.Join(dir, "chart", "secrets"))
	r := lintIn(t, dir)
	expect(t, r.findings, plainFinding)
}

// Helm's loader logs warnings with raw file names (std log); they stay in
// the child, whose stderr is never shown.
func TestHelmWarningsStayInTheChild(t *testing.T) {
	var logged bytes.Buffer
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	dir := hostileRepo(t, nil)
	writeTree(t, dir, map[string]string{
		"chart/Chart.yaml":        "apiVersion: v2\nname: hostile\nversion: 0.1.0\n",
		"chart/requirements.yaml": "dependencies: []\n",
		"chart/requirements.lock": "dependencies: []\n",
	})
	r := lintIn(t, dir)
	expect(t, r.findings, plainFinding)
	if logged.Len() > 0 || strings.Contains(r.stderr, "Warning") {
		t.Errorf("Helm's warnings reached this process: %q %q", logged.String(), r.stderr)
	}
}

func TestChartFilesAreHeldToTheirBudgets(t *testing.T) {
	t.Run("a file over --max-file-size is left out", func(t *testing.T) {
		dir := hostileRepo(t, map[string]string{"cm.yaml": "{{ if .Files.Get \"big.txt\" }}{{ fail \"read\" }}{{ end }}\n"})
		writeTree(t, dir, map[string]string{"chart/big.txt": strings.Repeat("x", 20000)})
		r := lintIn(t, dir, "--max-file-size", "10000")
		expectSurvived(t, r)
		f := findingAt(t, r.findings, "render-error chart/big.txt:1")
		if !strings.Contains(f.Message, "--max-file-size") {
			t.Errorf("the finding does not name the flag: %s", f.Message)
		}
	})
	t.Run("a chart over a quarter of --max-render-memory is not rendered", func(t *testing.T) {
		dir := hostileRepo(t, map[string]string{"cm.yaml": "{{/* nothing */}}\n"})
		for i := range 3 {
			writeTree(t, dir, map[string]string{fmt.Sprintf("chart/files/%d.txt", i): strings.Repeat("x", 100000)})
		}
		r := lintIn(t, dir, "--max-render-memory", "1")
		expectSurvived(t, r)
		f := findingAt(t, r.findings, "render-error chart/Chart.yaml:1")
		if !strings.Contains(f.Message, "--max-render-memory") {
			t.Errorf("the finding does not name the flag: %s", f.Message)
		}
	})
}
