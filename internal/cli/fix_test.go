package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/internal/fixtures"
)

// defaultFixRules are the rules whose bad fixtures have at least one
// finding with a default fix that `meshlint fix` applies.
var defaultFixRules = []string{
	"plaintext-scrape-of-strict-port", "istio-tls-without-https", "istio-tls-without-skip-verify",
	"port-level-mtls-on-service-port", "istio-certs-volume-not-memory", "istio-annotations-misplaced",
	"istio-certs-not-exported", "istio-certs-not-mounted", "prometheus-outbound-captured", "prometheus-not-injected",
}

type fixFinding struct {
	Rule     string            `json:"rule"`
	File     string            `json:"file"`
	Resource *finding.Resource `json:"resource"`
	Fixes    []fix.Fix         `json:"fixes"`
}

// lintFindings lints dir (with the case's args) as JSON.
func lintFindings(t *testing.T, args []string, dir string) []fixFinding {
	t.Helper()
	r := lintArgs(t, append(append([]string{"-f", "json", "--root", dir}, args...), dir)...)
	if r.code == ExitError {
		t.Fatalf("lint %s: exit 2: %s", dir, r.stderr)
	}
	var doc struct {
		Findings []fixFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("lint %s: %v", dir, err)
	}
	return doc.Findings
}

// key is a finding without its position, which fixes move.
func (f fixFinding) key() string {
	res := ""
	if f.Resource != nil {
		res = f.Resource.Kind + "/" + f.Resource.Namespace + "/" + f.Resource.Name
	}
	return f.Rule + " " + f.File + " " + res
}

func hasDefault(f fixFinding) bool {
	for _, fx := range f.Fixes {
		if fx.Default && len(fx.Edits) > 0 {
			return true
		}
	}
	return false
}

// snapshot reads every file below dir, by path relative to it.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func copyFixTree(t *testing.T, from, to string, crlf bool) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if crlf && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			b = []byte(strings.ReplaceAll(string(b), "\n", "\r\n"))
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkRestKept fails when a fix changed a line it had no reason to touch:
// every line of the original is in the fixed file unless a line with the
// same indentation and key took its place (a value set) or it moved
// (misplaced annotations); CRLF files keep CRLF everywhere.
func checkRestKept(t *testing.T, name, before, after string, crlf bool) {
	t.Helper()
	a, b := difflib.SplitLines(before), difflib.SplitLines(after)
	m := difflib.NewMatcher(a, b)
	for _, op := range m.GetOpCodes() {
		if op.Tag != 'r' && op.Tag != 'd' {
			continue
		}
		for i := op.I1; i < op.I2; i++ {
			line := a[i]
			if strings.Contains(after, strings.TrimSpace(line)) && strings.TrimSpace(line) != "" {
				continue // moved, or kept with a new neighbour
			}
			replaced := false
			for j := op.J1; j < op.J2; j++ {
				if sameKey(line, b[j]) {
					replaced = true
				}
			}
			if !replaced {
				t.Errorf("%s: line %d %q was lost:\n%s", name, i+1, line, after)
			}
		}
	}
	if crlf && strings.Count(after, "\n") != strings.Count(after, "\r\n") {
		t.Errorf("%s: fixed file mixes line endings:\n%q", name, after)
	}
}

// sameKey: a line replaced by one with the same indentation and either the
// same key (a value set) or the same value (a key renamed).
func sameKey(old, new string) bool {
	split := func(s string) (string, string) {
		k, v, _ := strings.Cut(s, ":")
		return k, v
	}
	ok, ov := split(old)
	nk, nv := split(new)
	return indentOfLine(old) == indentOfLine(new) && (ok == nk || ov == nv)
}

func indentOfLine(s string) int { return len(s) - len(strings.TrimLeft(s, " -")) }

// TestFixFixtures applies the default fixes to every bad fixture of every
// fixable rule (and to a CRLF copy): the fixed findings are gone, no
// finding appears, the rest of each file is kept, and a second run changes
// nothing.
func TestFixFixtures(t *testing.T) {
	for _, rule := range defaultFixRules {
		applied := 0
		cases, err := filepath.Glob(filepath.Join("..", "..", "testdata", "rules", rule, "bad", "*"))
		if err != nil || len(cases) == 0 {
			t.Fatalf("%s: no bad fixtures (%v)", rule, err)
		}
		for _, c := range cases {
			for _, crlf := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/crlf=%v", rule, filepath.Base(c), crlf)
				applied += fixCase(t, name, c, crlf)
			}
		}
		if applied == 0 {
			t.Errorf("%s: no bad fixture got a default fix", rule)
		}
	}
}

func fixCase(t *testing.T, name, caseDir string, crlf bool) int {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	copyFixTree(t, caseDir, dir, crlf)
	args, err := fixtures.Args(dir)
	if err != nil {
		t.Fatal(err)
	}
	before := lintFindings(t, args, dir)
	files := snapshot(t, dir)
	count := map[string]int{}
	fixed := 0
	for _, f := range before {
		count[f.key()]++
		if hasDefault(f) {
			count[f.key()]--
			fixed++
		}
	}
	if r := lintArgs(t, append(append([]string{"fix", "--root", dir}, args...), dir)...); r.code == ExitError {
		t.Fatalf("%s: fix: exit 2: %s", name, r.stderr)
	}
	after := lintFindings(t, args, dir)
	for _, f := range after {
		count[f.key()]--
	}
	for k, n := range count {
		if n < 0 {
			t.Errorf("%s: after the fixes, %s is still there or new (before: %+v)", name, k, before)
		}
	}
	fixedFiles := snapshot(t, dir)
	for f, text := range fixedFiles {
		if text != files[f] {
			checkRestKept(t, name+" "+f, files[f], text, crlf)
		}
	}
	if r := lintArgs(t, append(append([]string{"fix", "--root", dir}, args...), dir)...); r.code == ExitError {
		t.Fatalf("%s: second fix: %s", name, r.stderr)
	}
	for f, text := range snapshot(t, dir) {
		if text != fixedFiles[f] {
			t.Errorf("%s: a second fix changed %s:\n%s", name, f, text)
		}
	}
	return fixed
}

// TestFixShopExample: `meshlint fix` on the examples leaves in shop/ only
// the findings whose fixes are choices.
func TestFixShopExample(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "examples")
	copyFixTree(t, filepath.Join("..", "..", "examples"), dir, false)
	before := lintFindings(t, []string{"-c", os.DevNull}, dir)
	if r := lintArgs(t, "fix", "-c", os.DevNull, "--root", dir, dir); r.code == ExitError {
		t.Fatalf("fix: %s", r.stderr)
	}
	choices := map[string]bool{"podmonitor-under-strict": true, "permissive-exception-shared-port": true, "port-level-mtls-without-selector": true}
	var left []string
	for _, f := range lintFindings(t, []string{"-c", os.DevNull}, dir) {
		if !strings.HasPrefix(f.File, "shop/") {
			continue
		}
		left = append(left, f.Rule)
		if !choices[f.Rule] {
			t.Errorf("after meshlint fix, shop/ still has %s in %s", f.Rule, f.File)
		}
		for _, fx := range f.Fixes {
			if fx.Default {
				t.Errorf("a finding left over has a default fix: %+v", f)
			}
		}
	}
	sort.Strings(left)
	if len(left) == 0 || len(left) >= len(before) {
		t.Errorf("before %d findings, after %v", len(before), left)
	}
}

// TestFixSharedFileAcrossEnvironments: a monitor in a folder that two
// environments share is STRICT in prod and PERMISSIVE in dev, so its fix
// is offered with the reason, not applied; when both are STRICT it is.
func TestFixSharedFileAcrossEnvironments(t *testing.T) {
	for _, devMode := range []string{"PERMISSIVE", "STRICT"} {
		dir := filepath.Join(t.TempDir(), "layout")
		copyFixTree(t, filepath.Join("..", "..", "testdata", "environments", "plain-folders"), dir, false)
		pa := "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec:\n  mtls: {mode: %s}\n"
		writeFile(t, dir, "deploy/envs/dev/mtls.yaml", fmt.Sprintf(pa, devMode))
		writeFile(t, dir, "deploy/envs/prod/mtls.yaml", fmt.Sprintf(pa, "STRICT"))
		writeFile(t, dir, "deploy/shared/prometheus.yaml", platformPrometheus)
		findings := lintFindings(t, []string{"-c", os.DevNull}, dir)
		var got *fixFinding
		for i := range findings {
			if findings[i].Rule == "plaintext-scrape-of-strict-port" {
				got = &findings[i]
			}
		}
		if got == nil || len(got.Fixes) != 1 {
			t.Fatalf("dev %s: no plaintext finding with one fix: %+v", devMode, findings)
		}
		fx := got.Fixes[0]
		if devMode == "PERMISSIVE" && (fx.Default || !strings.Contains(fx.NotDefault, "dev")) {
			t.Errorf("STRICT in prod only, yet the fix is default or does not say why: %+v", fx)
		}
		if devMode == "STRICT" && !fx.Default {
			t.Errorf("STRICT in both environments, yet the fix is not default: %+v", fx)
		}
	}
}

// platformPrometheus selects every monitor and mounts Istio's certs the
// recipe's way.
const platformPrometheus = `apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec:
  serviceMonitorSelector: {}
  serviceMonitorNamespaceSelector: {}
  podMetadata:
    annotations:
      traffic.sidecar.istio.io/includeOutboundIPRanges: ""
      proxy.istio.io/config: |
        proxyMetadata:
          OUTPUT_CERTS: /etc/istio-output-certs
      sidecar.istio.io/userVolumeMount: '[{"name": "istio-certs", "mountPath": "/etc/istio-output-certs"}]'
  volumes:
    - name: istio-certs
      emptyDir: {medium: Memory}
  volumeMounts:
    - name: istio-certs
      mountPath: /etc/prom-certs/
`

// TestFixDiffAndRule: --diff prints the change and writes nothing; --rule
// fixes only that rule.
func TestFixDiffAndRule(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "examples")
	copyFixTree(t, filepath.Join("..", "..", "examples"), dir, false)
	files := snapshot(t, dir)
	r := lintArgs(t, "fix", "--diff", "-c", os.DevNull, "--root", dir, dir)
	if r.code != ExitOK || !strings.Contains(r.stdout, "--- a/shop/cart.yaml\n+++ b/shop/cart.yaml\n") || !strings.Contains(r.stdout, "+      scheme: https\n") {
		t.Errorf("--diff: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for f, text := range snapshot(t, dir) {
		if text != files[f] {
			t.Errorf("--diff wrote %s", f)
		}
	}
	if r := lintArgs(t, "fix", "--rule", "istio-tls-without-https", "-c", os.DevNull, "--root", dir, dir); r.code == ExitError {
		t.Fatalf("--rule: %s", r.stderr)
	}
	for f, text := range snapshot(t, dir) {
		if (text != files[f]) != (f == "shop/payments.yaml") {
			t.Errorf("--rule istio-tls-without-https: %s changed: %v", f, text != files[f])
		}
	}
	if r := lintArgs(t, "fix", "--rule", "no-such-rule", dir); r.code != ExitError || !strings.Contains(r.stderr, "no-such-rule") {
		t.Errorf("--rule no-such-rule: exit %d, %s", r.code, r.stderr)
	}
}

// TestFixNeverWritesWhereItMustNot: a fix is not written through a symbolic
// link, outside the root, to a non-regular file, or over a file that
// changed since it was linted.
func TestFixNeverWritesWhereItMustNot(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	file := filepath.Join(dir, "app.yaml")
	text := []byte("kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: metrics\n")
	for _, p := range []string{file, filepath.Join(outside, "app.yaml")} {
		if err := os.WriteFile(p, text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(file, filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "app.yaml"), filepath.Join(dir, "out.yaml")); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	fifoMade := mkfifo(fifo) == nil
	root := confine.New([]string{dir}, nil)
	edit := func(name string, against []byte) []fix.Edit {
		return []fix.Edit{{File: name, Start: fix.Pos{Line: 4, Column: 1, Offset: len(text)}, End: fix.Pos{Line: 4, Column: 1, Offset: len(text)},
			New: "      scheme: https\n", Hash: fix.Hash(against)}}
	}
	fr := &fixRun{out: os.Stderr}
	cases := []struct {
		name, file string
		against    []byte
		skip       bool
	}{
		{"through a symbolic link", "link.yaml", text, false},
		{"through a link out of the root", "out.yaml", text, false},
		{"outside the root", "../" + filepath.Base(outside) + "/app.yaml", text, false},
		{"a FIFO", "fifo.yaml", text, !fifoMade},
		{"changed since the lint", "app.yaml", []byte("something else"), false},
	}
	for _, c := range cases {
		if c.skip {
			continue
		}
		if err := fr.applyFile(c.name, edit(c.file, c.against), root, dir, 1<<20); err == nil {
			t.Errorf("%s: written", c.name)
		}
	}
	for _, p := range []string{file, filepath.Join(outside, "app.yaml")} {
		if b, _ := os.ReadFile(p); string(b) != string(text) {
			t.Errorf("%s changed: %q", p, b)
		}
	}
	if info, err := os.Lstat(filepath.Join(dir, "link.yaml")); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.yaml is no longer a link: %v", err)
	}
	if err := fr.applyFile("app.yaml", edit("app.yaml", text), root, dir, 1<<20); err != nil {
		t.Fatalf("a plain file in the root: %v", err)
	}
	if b, _ := os.ReadFile(file); !strings.HasSuffix(string(b), "    - port: metrics\n      scheme: https\n") {
		t.Errorf("the plain file was not fixed: %q", b)
	}
}

// TestFixRefusedFileFailsTheRun: a fixable finding in a file reached
// through a symbolic link is named and the run exits 2, while the other
// files are fixed.
func TestFixRefusedFileFailsTheRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "examples")
	copyFixTree(t, filepath.Join("..", "..", "examples"), dir, false)
	if err := os.Rename(filepath.Join(dir, "shop", "payments.yaml"), filepath.Join(dir, "payments.real")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "payments.real"), filepath.Join(dir, "shop", "payments.yaml")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	r := lintArgs(t, "fix", "-c", os.DevNull, "--root", dir, dir)
	if r.code != ExitError || !strings.Contains(r.stderr, "shop/payments.yaml: not written") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	after := snapshot(t, dir)
	if after["payments.real"] != before["payments.real"] {
		t.Error("the file behind the link was written")
	}
	if after["shop/cart.yaml"] == before["shop/cart.yaml"] {
		t.Error("the other files were not fixed")
	}
}

// TestFixHelmTemplateLiteralLine: a plaintext scrape rendered from a Helm
// template whose scheme line is literal text gets the edit of the template
// offered (never default: a values override may set it again); the same
// field written by a template expression gets the description only.
func TestFixHelmTemplateLiteralLine(t *testing.T) {
	for _, c := range []struct{ scheme, edit string }{{"http", "https"}, {"{{ .Values.scheme }}", ""}} {
		dir := t.TempDir()
		writeFile(t, dir, "ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {istio-injection: enabled}\n---\n"+
			"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec:\n  mtls: {mode: STRICT}\n")
		writeFile(t, dir, "prometheus.yaml", platformPrometheus)
		writeFile(t, dir, "cart/Chart.yaml", "apiVersion: v2\nname: cart\nversion: 0.1.0\n")
		writeFile(t, dir, "cart/values.yaml", "scheme: http\n")
		writeFile(t, dir, "cart/templates/cart.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}, namespace: shop}
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
        - name: cart
          image: ghcr.io/example/cart:1.4.2
          ports:
            - {name: metrics, containerPort: 9090}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec:
  selector: {app: cart}
  ports:
    - {name: http-metrics, port: 9090, targetPort: metrics}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: cart, namespace: shop}
spec:
  selector:
    matchLabels: {app: cart}
  endpoints:
  {{- if true }}
    - port: http-metrics
      scheme: `+c.scheme+`
  {{- end }}
`)
		var got *fixFinding
		for _, f := range lintFindings(t, []string{"-c", os.DevNull}, dir) {
			if f.Rule == "plaintext-scrape-of-strict-port" {
				got = &f
			}
		}
		if got == nil || len(got.Fixes) != 1 || got.File != "cart/templates/cart.yaml" {
			t.Fatalf("scheme %s: no plaintext finding in the template with one fix: %+v", c.scheme, got)
		}
		fx := got.Fixes[0]
		if fx.Default || fx.NotDefault == "" {
			t.Errorf("scheme %s: a template fix must be offered with why, not default: %+v", c.scheme, fx)
		}
		if c.edit == "" {
			if len(fx.Edits) != 0 {
				t.Errorf("scheme %s: a template expression was edited: %+v", c.scheme, fx.Edits)
			}
			continue
		}
		if len(fx.Edits) != 2 || !strings.Contains(fx.NotDefault, "values override") {
			t.Fatalf("scheme %s: want the scheme and tlsConfig edits offered: %+v", c.scheme, fx)
		}
		text, err := os.ReadFile(filepath.Join(dir, "cart", "templates", "cart.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := fix.Apply(text, fx.Edits)
		if err != nil {
			t.Fatal(err)
		}
		want := "    - port: http-metrics\n      scheme: https\n      tlsConfig:\n        caFile: /etc/prom-certs/root-cert.pem\n"
		if !strings.Contains(string(out), want) || !strings.HasSuffix(string(out), "        insecureSkipVerify: true\n  {{- end }}\n") {
			t.Errorf("scheme %s: the template after the edits:\n%s", c.scheme, out)
		}
	}
}

// TestFixLayeredPrometheusValues: a fix of a Prometheus layered from
// several values files edits the last file that sets the field (as helm -f
// keeps its value), not a later file that leaves it alone, or the last file
// when none sets it; it is offered with why, never applied.
func TestFixLayeredPrometheusValues(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, dir, "base.yaml", kpsRecipe)
	disk := writeFile(t, dir, "disk.yaml", "prometheus:\n  prometheusSpec:\n    volumes:\n      - name: istio-certs\n        emptyDir:\n          sizeLimit: 10Mi\n")
	small := writeFile(t, dir, "small.yaml", "prometheus:\n  prometheusSpec:\n    retention: 30d\n")
	for _, c := range []struct {
		files           []string
		rule, want, why string
		added           string
	}{
		{[]string{base, disk, small}, "istio-certs-volume-not-memory", disk, "the last that sets the field", "          sizeLimit: 10Mi\n          medium: Memory\n"},
		{[]string{disk, small}, "istio-certs-not-exported", small, "none sets the field", "    retention: 30d\n    podMetadata:\n"},
	} {
		var args []string
		for _, f := range c.files {
			args = append(args, "--prometheus-values", f)
		}
		r := lintValues(t, args...)
		var doc struct {
			Findings []fixFinding `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		var got *fixFinding
		for i, f := range doc.Findings {
			if f.Rule == c.rule {
				got = &doc.Findings[i]
			}
		}
		if got == nil || len(got.Fixes) != 1 {
			t.Fatalf("%s: no finding with one fix: %+v\n%s", c.rule, doc.Findings, r.stderr)
		}
		fx := got.Fixes[0]
		if fx.Default || !strings.Contains(fx.NotDefault, c.why) || len(fx.Edits) != 1 || !strings.HasSuffix(fx.Edits[0].File, "/"+filepath.Base(c.want)) {
			t.Fatalf("%s: want one offered edit of %s (%s): %+v", c.rule, c.want, c.why, fx)
		}
		text, err := os.ReadFile(c.want)
		if err != nil {
			t.Fatal(err)
		}
		out, err := fix.Apply(text, fx.Edits)
		if err != nil || !strings.Contains(string(out), c.added) {
			t.Errorf("%s: %s after the edit: %v\n%s", c.rule, c.want, err, out)
		}
	}
}
