package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
)

// runAt runs meshlint with a fixed clock.
func runAt(t *testing.T, now time.Time, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		IsTerminal: func() bool { return false }, Now: func() time.Time { return now }})
	return result{code, stdout.String(), stderr.String()}
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(12 * time.Hour)
}

func findingsOf(t *testing.T, r result) []finding.Finding {
	t.Helper()
	return decode(t, r.stdout).Findings
}

func TestConfigDiscoveredFromSubdirectory(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, ".meshlint.yaml", "failOn: none\n")
	writeFile(t, root, ".git/HEAD", "ref: refs/heads/main\n") // discovery stops at the repository's top
	writeFile(t, root, "deploy/shop/app.yaml", appWith("labels: {}"))
	t.Chdir(filepath.Join(root, "deploy", "shop"))

	r := lintArgs(t, "--verbose", ".")
	if r.code != ExitOK {
		t.Fatalf("exit %d, want 0 from the parent's failOn: none\n%s", r.code, r.stderr)
	}
	// Named from the repository's top, like every path meshlint writes.
	if !strings.Contains(r.stderr, "using config file .meshlint.yaml") {
		t.Errorf("--verbose does not name the config file: %s", r.stderr)
	}
	// -c FILE replaces discovery.
	other := writeFile(t, t.TempDir(), "strict.yaml", "failOn: error\n")
	if r := lintArgs(t, "-c", other, "."); r.code != ExitFindings {
		t.Errorf("-c %s: exit %d, want 1", other, r.code)
	}
	if r := lintArgs(t, "--config", filepath.Join(root, "missing.yaml"), "."); r.code != ExitError || !strings.Contains(r.stderr, "read config") {
		t.Errorf("missing -c file: exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestFlagsOverrideConfig(t *testing.T) {
	dir := t.TempDir()
	// The config file says the mesh default is STRICT and the default
	// namespace is shop; the app's PeerAuthentication is removed, so the
	// finding rests on the mesh default.
	app := strings.Replace(appWith("labels: {}"), "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec:\n  mtls: {mode: STRICT}\n---\n", "", 1)
	writeFile(t, dir, "app.yaml", app)
	cfg := writeFile(t, dir, "conf.yaml", "mesh:\n  defaultMode: STRICT\nfailOn: warning\n")

	if r := lintArgs(t, "-c", cfg, dir); r.code != ExitFindings {
		t.Errorf("config defaultMode STRICT: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if r := lintArgs(t, "-c", cfg, "--mesh-mtls", "PERMISSIVE", dir); r.code != ExitOK {
		t.Errorf("--mesh-mtls PERMISSIVE over config STRICT: exit %d, want 0\n%s", r.code, r.stderr)
	}
	if r := lintArgs(t, "-c", cfg, "--fail-on", "none", dir); r.code != ExitOK {
		t.Errorf("--fail-on none over config failOn: exit %d, want 0", r.code)
	}
	r := lintArgs(t, "-c", cfg, "--verbose", "--root-namespace", "mesh-root", dir)
	if !strings.Contains(r.stderr, "root namespace mesh-root") || !strings.Contains(r.stderr, "mesh-wide mTLS STRICT") {
		t.Errorf("--verbose assumptions: %s", r.stderr)
	}
}

func TestConfigSettingsWithoutFlags(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, ".meshlint.yaml", "mesh:\n  rootNamespace: istio-config\n  enablePrometheusMerge: false\n  assumeInjection: disabled\nnamespace: apps\n")
	var f lintFlags
	fs := newLintFlagSet(&f, &bytes.Buffer{})
	if err := fs.Parse([]string{"-c", cfg, "--assume-injection", "enabled"}); err != nil {
		t.Fatal(err)
	}
	lc, err := loadLintConfig(fs, &f, confine.New([]string{dir}, nil))
	if err != nil {
		t.Fatal(err)
	}
	s, err := lc.settings.mesh.graph()
	if err != nil {
		t.Fatal(err)
	}
	want := graph.DefaultSettings()
	want.RootNamespace, want.EnablePrometheusMerge, want.DefaultNamespace = "istio-config", false, "apps"
	want.AssumeInjection = "enabled" // the flag wins
	if s != want {
		t.Errorf("settings %+v\nwant     %+v", s, want)
	}
}

func TestConfigErrorsExit2WithLine(t *testing.T) {
	dir := t.TempDir()
	app := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	cases := map[string]string{
		"mesh:\n  rootNamespace: istio-system\n  defaultMod: STRICT\n":    `conf.yaml:3: unknown key "mesh.defaultMod"`,
		"failOn: error\nmesh:\n  enablePrometheusMerge: maybe\n":          `conf.yaml:3: mesh.enablePrometheusMerge: want true or false, got string "maybe"`,
		"rules:\n  plaintext-scrape-of-strict-prot: {enabled: false}\n":   `conf.yaml:2: rules.plaintext-scrape-of-strict-prot: unknown rule`,
		"ignore:\n  - {rule: plaintext-scrape-of-strict-port, kind: x}\n": `conf.yaml:2: ignore[0]: reason is required`,
		"ignore:\n  - {rule: nope, reason: r}\n":                          `conf.yaml:2: ignore[0].rule: unknown rule "nope"`,
		"policies: [./no-such-dir]\n":                                     `no-such-dir`,
	}
	for text, want := range cases {
		cfg := writeFile(t, dir, "conf.yaml", text)
		t.Chdir(dir)
		r := lintArgs(t, "-c", "conf.yaml", app)
		if r.code != ExitError || !strings.Contains(r.stderr, want) {
			t.Errorf("config %q: exit %d, stderr %q; want 2 and %q", text, r.code, r.stderr, want)
		}
		_ = cfg
	}
}

func TestSeverityOverrideBeforeFailOn(t *testing.T) {
	dir := t.TempDir()
	app := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	cfg := writeFile(t, dir, "conf.yaml", "rules:\n  plaintext-scrape-of-strict-port: {severity: warning}\n")
	r := lintArgs(t, "-c", cfg, "-f", "json", app)
	if r.code != ExitOK {
		t.Errorf("error lowered to warning still fails --fail-on error: exit %d", r.code)
	}
	fs := findingsOf(t, r)
	if len(fs) != 1 || fs[0].Severity != "warning" {
		t.Errorf("findings %+v, want one warning", fs)
	}
	if r := lintArgs(t, "-c", cfg, "--fail-on", "warning", app); r.code != ExitFindings {
		t.Errorf("--fail-on warning: exit %d, want 1", r.code)
	}
}

func TestConfigEnableDisable(t *testing.T) {
	dir := t.TempDir()
	app := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	cfg := writeFile(t, dir, "conf.yaml", "rules:\n  plaintext-scrape-of-strict-port: {enabled: false}\n")
	if r := lintArgs(t, "-c", cfg, app); r.code != ExitOK {
		t.Errorf("rule disabled in config: exit %d, want 0", r.code)
	}
	if r := lintArgs(t, "-c", cfg, "--enable", "plaintext-scrape-of-strict-port", app); r.code != ExitFindings {
		t.Errorf("--enable over config enabled: false: exit %d, want 1", r.code)
	}
	on := writeFile(t, dir, "on.yaml", "rules:\n  plaintext-scrape-of-strict-port: {enabled: true}\n")
	if r := lintArgs(t, "-c", on, "--disable", "plaintext-scrape-of-strict-port", app); r.code != ExitOK {
		t.Errorf("--disable over config enabled: true: exit %d, want 0", r.code)
	}
}

func TestConfigIgnoreAndExpiry(t *testing.T) {
	dir := t.TempDir()
	app := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	cfg := writeFile(t, dir, "conf.yaml", `ignore:
  - rule: plaintext-scrape-of-strict-port
    kind: ServiceMonitor
    namespace: shop
    name: "ca*"
    reason: "scraped through merged metrics"
    expires: 2027-01-31
`)
	before := runAt(t, day(t, "2027-01-31"), "-c", cfg, "-f", "json", "--show-suppressed", app)
	if before.code != ExitOK {
		t.Fatalf("on its last day the entry still suppresses: exit %d\n%s", before.code, before.stderr)
	}
	fs := findingsOf(t, before)
	if len(fs) != 1 || !fs[0].Suppressed || fs[0].Suppression == nil ||
		*fs[0].Suppression != (finding.Suppression{Kind: "external", Justification: "scraped through merged metrics"}) {
		t.Fatalf("findings %+v, want one suppressed externally with the reason", fs)
	}

	after := runAt(t, day(t, "2027-02-01"), "-c", cfg, "-f", "json", app)
	if after.code != ExitFindings {
		t.Fatalf("after expiry: exit %d, want 1", after.code)
	}
	fs = findingsOf(t, after)
	if len(fs) != 1 || fs[0].Suppressed || fs[0].Rule != "plaintext-scrape-of-strict-port" ||
		!strings.Contains(fs[0].Message, "[config ignore entry ") || !strings.Contains(fs[0].Message, "conf.yaml:2 expired on 2027-01-31") {
		t.Errorf("findings %+v, want the finding back, saying the entry expired", fs)
	}
}

func TestPoliciesFromConfigAreRelativeToIt(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "policies/extra/team.rego", `# METADATA
# title: Team label required
# description: Every ServiceMonitor carries a team label.
# custom:
#   id: team-label-required
#   severity: warning
#   category: custom
#   fix: Add metadata.labels.team.
package meshlint.rules.custom.team_label_required

report := set()
`)
	writeFile(t, root, ".meshlint.yaml", "policies: [policies/extra]\n")
	t.Chdir(t.TempDir()) // the config file's directory, not the working directory, anchors the path
	r := lintArgs(t, "rules", "-c", filepath.Join(root, ".meshlint.yaml"))
	if r.code != ExitOK || !strings.Contains(r.stdout, "team-label-required") {
		t.Errorf("rules with config policies: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	empty := writeFile(t, dir, "empty.yaml", "")

	w := lintArgs(t, "-c", empty, "--write-baseline", "meshlint-baseline.json", ".")
	if w.code != ExitOK || w.stdout != "" || !strings.Contains(w.stderr, "wrote 1 finding to baseline meshlint-baseline.json") {
		t.Fatalf("--write-baseline: exit %d, stdout %q, stderr %q", w.code, w.stdout, w.stderr)
	}
	data, err := os.ReadFile("meshlint-baseline.json")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(`"line"`)) {
		t.Errorf("the baseline records lines:\n%s", data)
	}

	// Move every line: a comment block on top and the documents in another
	// order. The finding is still the accepted one.
	docs := strings.Split(appWith("labels: {}"), "---\n")
	for i, j := 0, len(docs)-1; i < j; i, j = i+1, j-1 {
		docs[i], docs[j] = docs[j], docs[i]
	}
	writeFile(t, dir, "app.yaml", "# moved around\n#\n#\n"+strings.Join(docs, "---\n"))
	r := lintArgs(t, "-c", empty, "--baseline", "meshlint-baseline.json", "-f", "json", "--show-suppressed", ".")
	if r.code != ExitOK {
		t.Fatalf("baselined finding after moving lines: exit %d\n%s", r.code, r.stdout)
	}
	fs := findingsOf(t, r)
	if len(fs) != 1 || !fs[0].Suppressed || *fs[0].Suppression != (finding.Suppression{Kind: "external", Justification: "baseline"}) {
		t.Fatalf("findings %+v, want the one finding suppressed by the baseline", fs)
	}

	// A new finding of the same rule on another resource is not baselined.
	second := strings.ReplaceAll(appWith("labels: {}"), "cart", "till")
	writeFile(t, dir, "till.yaml", second)
	r = lintArgs(t, "-c", empty, "--baseline", "meshlint-baseline.json", "-f", "json", ".")
	if fs := findingsOf(t, r); r.code != ExitFindings || len(fs) != 1 || fs[0].Resource.Name != "till" {
		t.Errorf("new finding next to a baselined one: exit %d, findings %+v", r.code, fs)
	}

	// Once the baselined problem is fixed (Istio's client certificate: the
	// app's own TLS would still be refused by the STRICT port), its entry is
	// reported so the baseline shrinks.
	if err := os.Remove("till.yaml"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "app.yaml", strings.Replace(appWith("labels: {}"), "- port: metrics", "- port: metrics\n      scheme: https\n      tlsConfig: {caFile: /etc/prom-certs/root-cert.pem, certFile: /etc/prom-certs/cert-chain.pem, keyFile: /etc/prom-certs/key.pem, insecureSkipVerify: true}", 1))
	r = lintArgs(t, "-c", empty, "--baseline", "meshlint-baseline.json", "-f", "json", ".")
	fs = findingsOf(t, r)
	if r.code != ExitOK || len(fs) != 1 || fs[0].Rule != "unused-suppression" || fs[0].File != "meshlint-baseline.json" || fs[0].Line != 4 ||
		!strings.Contains(fs[0].Message, "baseline entry for plaintext-scrape-of-strict-port on ServiceMonitor shop/cart at /spec/endpoints/0 matches no finding") {
		t.Errorf("fixed finding: exit %d, findings %+v", r.code, fs)
	}
	// Entries of a rule that did not run are not stale.
	r = lintArgs(t, "-c", empty, "--baseline", "meshlint-baseline.json", "--disable", "plaintext-scrape-of-strict-port", "-f", "json", ".")
	if fs := findingsOf(t, r); len(fs) != 0 {
		t.Errorf("baseline entries of a disabled rule reported: %+v", fs)
	}
	// Writing the baseline again drops the stale entry.
	lintArgs(t, "-c", empty, "--baseline", "meshlint-baseline.json", "--write-baseline", "meshlint-baseline.json", ".")
	if data, _ := os.ReadFile("meshlint-baseline.json"); !bytes.Equal(data, []byte("{\n  \"version\": 1,\n  \"findings\": []\n}\n")) {
		t.Errorf("rewritten baseline:\n%s", data)
	}
}

func TestBaselineErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	app := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	broken := writeFile(t, dir, "b.json", "{\"version\": 1,\n \"findings\": [\n")
	if r := lintArgs(t, "--baseline", broken, app); r.code != ExitError || !strings.Contains(r.stderr, "read baseline") {
		t.Errorf("broken baseline: exit %d, stderr %s", r.code, r.stderr)
	}
	if r := lintArgs(t, "--baseline", filepath.Join(dir, "missing.json"), app); r.code != ExitError {
		t.Errorf("missing baseline: exit %d", r.code)
	}
}

// One run names every mistake in the config file: the keys the parser
// rejects and the rule ids only the compiled rules can judge, in line order.
func TestConfigNamesEveryProblem(t *testing.T) {
	dir := t.TempDir()
	app := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	writeFile(t, dir, "conf.yaml", "mesh:\n  defaultMod: STRICT\nfailOn: sometimes\nrules:\n  no-such-rule: {enabled: false}\nignore:\n  - {rule: other-typo, reason: r}\n")
	t.Chdir(dir)
	r := lintArgs(t, "-c", "conf.yaml", app)
	if r.code != ExitError {
		t.Fatalf("exit %d, want 2: %s", r.code, r.stderr)
	}
	want := []string{
		`conf.yaml:2: unknown key "mesh.defaultMod"`,
		`conf.yaml:3: failOn: "sometimes" is not one of`,
		`conf.yaml:5: rules.no-such-rule: unknown rule "no-such-rule"`,
		`conf.yaml:7: ignore[0].rule: unknown rule "other-typo"`,
	}
	last := -1
	for _, w := range want {
		i := strings.Index(r.stderr, w)
		if i < 0 {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
			continue
		}
		if i < last {
			t.Errorf("%q is out of line order:\n%s", w, r.stderr)
		}
		last = i
	}
	if strings.Count(r.stderr, "invalid config") != 1 {
		t.Errorf("the mistakes are not one message:\n%s", r.stderr)
	}
}
