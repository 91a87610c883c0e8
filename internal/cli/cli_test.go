package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/report"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, stdin io.Reader, env map[string]string, terminal bool, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, Env{Stdin: stdin, Stdout: &stdout, Stderr: &stderr,
		Getenv:     func(k string) string { return env[k] },
		IsTerminal: func() bool { return terminal }})
	return result{code, stdout.String(), stderr.String()}
}

func lintArgs(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, nil, nil, false, args...)
}

const strictApp = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: STRICT}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
        - name: cart
          ports: [{name: metrics, containerPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec:
  selector: {app: cart}
  ports: [{name: metrics, port: 9090}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: cart
  namespace: shop
  ANNOTATIONS
spec:
  selector: {matchLabels: {app: cart}}
  endpoints:
    - port: metrics
`

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func appWith(annotations string) string {
	return strings.Replace(strictApp, "ANNOTATIONS", annotations, 1)
}

func decode(t *testing.T, out string) (doc struct {
	Tool     report.Tool       `json:"tool"`
	Findings []finding.Finding `json:"findings"`
	Summary  report.Summary    `json:"summary"`
}) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("decode json: %v\n%s", err, out)
	}
	return doc
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad/app.yaml", appWith("labels: {}"))
	good := writeFile(t, dir, "good/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"finding at error", []string{bad}, ExitFindings},
		{"clean input", []string{good}, ExitOK},
		{"fail-on none", []string{"--fail-on", "none", bad}, ExitOK},
		{"fail-on warning still fails on an error", []string{"--fail-on", "warning", bad}, ExitFindings},
		{"json keeps the exit code", []string{"-f", "json", bad}, ExitFindings},
		{"rule disabled", []string{"--disable", "plaintext-scrape-of-strict-port", bad}, ExitOK},
		{"only another rule enabled", []string{"--enable", "podmonitor-under-strict", bad}, ExitOK},
		{"unknown rule", []string{"--disable", "no-such-rule", bad}, ExitError},
		{"missing path", []string{filepath.Join(dir, "nope")}, ExitError},
		{"no manifests", []string{writeFile(t, dir, "values/values.yaml", "replicaCount: 1\nimage: {tag: x}\n")}, ExitError},
		{"bad flag", []string{"--frobnicate", bad}, ExitError},
		{"bad fail-on", []string{"--fail-on", "fatal", bad}, ExitError},
		{"unknown format", []string{"-f", "xml", bad}, ExitError},
		{"two formats to stdout", []string{"-f", "json", "-f", "text", bad}, ExitError},
		{"bad mesh-mtls", []string{"--mesh-mtls", "MUTUAL", bad}, ExitError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := lintArgs(t, c.args...)
			if r.code != c.want {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, c.want, r.stdout, r.stderr)
			}
			if c.want == ExitError && !strings.Contains(r.stderr, "meshlint: ") {
				t.Errorf("exit 2 without a message on stderr: %q", r.stderr)
			}
		})
	}
}

func TestNoManifestsSaysWhy(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "values.yaml", "replicaCount: 1\n")
	writeFile(t, dir, "templates/x.yaml", "{{ .Values.x }}\n")
	r := lintArgs(t, "--verbose", dir)
	if r.code != ExitError || !strings.Contains(r.stderr, "no Kubernetes manifests found") {
		t.Fatalf("exit %d stderr %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "skipped "+filepath.ToSlash(filepath.Join(dir, "values.yaml"))) && !strings.Contains(r.stderr, "values.yaml: not a Kubernetes manifest") {
		t.Errorf("--verbose does not list the skipped file: %s", r.stderr)
	}
}

func TestStdin(t *testing.T) {
	r := run(t, strings.NewReader(appWith("labels: {}")), nil, false, "-f", "json", "-")
	if r.code != ExitFindings {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	doc := decode(t, r.stdout)
	if len(doc.Findings) != 1 || doc.Findings[0].File != "-" || doc.Findings[0].Line != 41 {
		t.Errorf("findings %+v", doc.Findings)
	}
}

func TestBrokenFileDoesNotHideOthers(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a-broken.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n")
	writeFile(t, dir, "b-app.yaml", appWith("labels: {}"))
	r := lintArgs(t, "-f", "json", dir)
	doc := decode(t, r.stdout)
	rules := map[string]int{}
	for _, f := range doc.Findings {
		rules[f.Rule]++
	}
	if r.code != ExitFindings || rules["invalid-manifest"] != 1 || rules["plaintext-scrape-of-strict-port"] != 1 {
		t.Errorf("exit %d, findings by rule %v", r.code, rules)
	}
}

func TestJSONContract(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	wd, _ := os.Getwd()
	t.Cleanup(func() { _ = os.Chdir(wd) })
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	r := lintArgs(t, "-f", "json", ".")
	doc := decode(t, r.stdout)
	if doc.Tool.Name != "meshlint" || doc.Summary.Errors != 1 || doc.Summary.Files != 1 || doc.Summary.Resources != 5 {
		t.Errorf("tool %+v summary %+v", doc.Tool, doc.Summary)
	}
	f := doc.Findings[0]
	if f.File != "app.yaml" || f.Line != 41 || f.Column != 7 || f.EndLine != 41 || f.Path != "/spec/endpoints/0" {
		t.Errorf("position %s:%d:%d-%d:%d %s", f.File, f.Line, f.Column, f.EndLine, f.EndColumn, f.Path)
	}
	if f.Resource == nil || f.Resource.Kind != "ServiceMonitor" || f.Resource.Namespace != "shop" || f.Resource.Name != "cart" || f.Resource.APIVersion != "monitoring.coreos.com/v1" {
		t.Errorf("resource %+v", f.Resource)
	}
	var kinds []string
	for _, rel := range f.Related {
		kinds = append(kinds, rel.Resource.Kind)
		if rel.File != "app.yaml" || rel.Line == 0 {
			t.Errorf("related %+v", rel)
		}
	}
	if strings.Join(kinds, ",") != "PeerAuthentication,Deployment,Service" {
		t.Errorf("related kinds in file order: %v", kinds)
	}
	if !strings.Contains(r.stderr, "1 error") {
		t.Errorf("summary on stderr: %q", r.stderr)
	}
}

func TestSuppressionAnnotation(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "app.yaml", appWith(`annotations: {ignore.meshlint.io/plaintext-scrape-of-strict-port: "scraped through merged metrics"}`))
	r := lintArgs(t, "-f", "json", p)
	if r.code != ExitOK || len(decode(t, r.stdout).Findings) != 0 {
		t.Fatalf("suppressed finding still reported: exit %d %s", r.code, r.stdout)
	}
	r = lintArgs(t, "-f", "json", "--show-suppressed", p)
	doc := decode(t, r.stdout)
	if len(doc.Findings) != 1 || !doc.Findings[0].Suppressed || doc.Findings[0].Suppression.Justification != "scraped through merged metrics" || doc.Summary.Suppressed != 1 {
		t.Errorf("show-suppressed: %+v", doc)
	}

	p = writeFile(t, dir, "noreason.yaml", appWith(`annotations: {ignore.meshlint.io/plaintext-scrape-of-strict-port: ""}`))
	r = lintArgs(t, "-f", "json", p)
	doc = decode(t, r.stdout)
	if r.code != ExitFindings || len(doc.Findings) != 2 {
		t.Fatalf("empty reason: exit %d findings %+v", r.code, doc.Findings)
	}
	if !strings.Contains(doc.Findings[0].Message+doc.Findings[1].Message, "has no reason") {
		t.Errorf("no finding for the empty reason: %+v", doc.Findings)
	}
}

func TestTextOutput(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	r := run(t, nil, nil, false, p)
	line := strings.SplitN(r.stdout, "\n", 2)[0]
	wd, _ := os.Getwd()
	rel, _ := filepath.Rel(wd, p)
	if !strings.HasPrefix(line, filepath.ToSlash(rel)+":41:7: error: endpoint 0 scrapes over http") || !strings.HasSuffix(line, "[plaintext-scrape-of-strict-port]") {
		t.Errorf("text line: %q", line)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour when stdout is not a terminal")
	}
	if r = run(t, nil, nil, true, p); !strings.Contains(r.stdout, "\x1b[") {
		t.Error("no colour on a terminal")
	}
	if r = run(t, nil, map[string]string{"NO_COLOR": "1"}, true, p); strings.Contains(r.stdout, "\x1b[") {
		t.Error("NO_COLOR ignored")
	}
	if r = run(t, nil, nil, true, "--no-color", p); strings.Contains(r.stdout, "\x1b[") {
		t.Error("--no-color ignored")
	}
	if r = run(t, nil, nil, false, "-q", p); r.stderr != "" {
		t.Errorf("-q still prints: %q", r.stderr)
	}
}

func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	out := filepath.Join(dir, "report.json")
	r := lintArgs(t, "-f", "text", "-f", "json", "-o", "-", "-o", out, p)
	if r.code != ExitFindings || !strings.Contains(r.stdout, "[plaintext-scrape-of-strict-port]") {
		t.Fatalf("exit %d stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(decode(t, string(b)).Findings) != 1 {
		t.Errorf("json file: %s", b)
	}
}

func TestAssumptionsAreStated(t *testing.T) {
	dir := t.TempDir()
	// No Namespace manifest: injection is assumed from the PeerAuthentication.
	text := appWith("labels: {}")
	text = text[strings.Index(text, "---")+4:]
	p := writeFile(t, dir, "app.yaml", text)
	doc := decode(t, lintArgs(t, "-f", "json", p).stdout)
	if len(doc.Findings) != 1 || !strings.Contains(doc.Findings[0].Message, "[assumes: namespace shop is not in the input; assumed injected because PeerAuthentication shop/default is in it") {
		t.Errorf("findings %+v", doc.Findings)
	}
	if r := lintArgs(t, "-f", "json", "--assume-injection", "unknown", p); len(decode(t, r.stdout).Findings) != 0 {
		t.Errorf("--assume-injection unknown should stay silent: %s", r.stdout)
	}
}

func TestCommands(t *testing.T) {
	r := lintArgs(t, "rules")
	if r.code != ExitOK || !strings.Contains(r.stdout, "plaintext-scrape-of-strict-port") {
		t.Errorf("rules: %d %s", r.code, r.stdout)
	}
	r = lintArgs(t, "rules", "--format", "json")
	var rules []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rules); err != nil || len(rules) < 12 {
		t.Errorf("rules json: %v %d", err, len(rules))
	}
	r = lintArgs(t, "version")
	if r.code != ExitOK || !strings.HasPrefix(r.stdout, "meshlint ") || !strings.Contains(r.stdout, "opa: ") {
		t.Errorf("version: %s", r.stdout)
	}
	r = lintArgs(t, "explain", "podmonitor-under-strict")
	if r.code != ExitOK || !strings.Contains(r.stdout, "Fix:") {
		t.Errorf("explain: %s", r.stdout)
	}
	if r = lintArgs(t, "explain", "nope"); r.code != ExitError {
		t.Errorf("explain unknown rule: exit %d", r.code)
	}
	// A path that merely looks like a command is linted.
	dir := t.TempDir()
	writeFile(t, dir, "rules/app.yaml", appWith("labels: {}"))
	wd, _ := os.Getwd()
	t.Cleanup(func() { _ = os.Chdir(wd) })
	_ = os.Chdir(dir)
	if r = lintArgs(t, "./rules"); r.code != ExitFindings {
		t.Errorf("./rules: exit %d %s", r.code, r.stderr)
	}
}
