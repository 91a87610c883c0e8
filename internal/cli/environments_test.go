package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/goldenflag"
)

// TestEnvironmentLayouts runs `meshlint .` in each environment fixture of
// testdata/environments and compares the text output with the fixture's
// expected-output.txt (-update rewrites it), the exit code, and the stderr
// line that names the environments found.
func TestEnvironmentLayouts(t *testing.T) {
	cases := []struct {
		dir      string
		code     int
		envsLine string
	}{
		{"kustomize-overlays", ExitFindings, "meshlint: 2 environments, each linted as its own mesh: dev (Kustomize root, 1 file), prod (Kustomize root, 1 file)"},
		{"plain-folders", ExitFindings, "meshlint: 2 environments, each linted as its own mesh: dev (folder, 2 files), prod (folder, 2 files)"},
		{"flux-fleet", ExitFindings, "meshlint: 2 environments, each linted as its own mesh: production (Flux entry point, 6 files), staging (Flux entry point, 5 files)"},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "environments", c.dir))
			if err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			// The fixture stands for a repository of its own: --root makes
			// its top the base of the paths, as a clone's .git would.
			r := lintArgs(t, "-c", os.DevNull, "--root", ".", ".")
			if r.code != c.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, c.envsLine+"\n") {
				t.Errorf("stderr lacks %q:\n%s", c.envsLine, r.stderr)
			}
			want := filepath.Join(dir, "expected-output.txt")
			if *goldenflag.Update {
				if err := os.WriteFile(want, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if r.stdout != string(data) {
				t.Errorf("meshlint . in %s:\n%s\nwant (%s):\n%s", c.dir, r.stdout, want, data)
			}
		})
	}
}

// TestEnvironmentsInFormats checks that every format names the
// environments of a finding, and that the environment is no part of the
// SARIF fingerprint: the prod-only finding keeps the fingerprint it has
// when prod is linted alone.
func TestEnvironmentsInFormats(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "environments", "plain-folders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var doc struct {
		Findings []struct {
			Rule         string   `json:"rule"`
			Environments []string `json:"environments"`
		} `json:"findings"`
	}
	r := lintArgs(t, "-c", os.DevNull, "-f", "json", ".")
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.Rule] = strings.Join(f.Environments, ",")
	}
	want := map[string]string{"plaintext-scrape-of-strict-port": "prod", "monitor-port-not-found": "dev,prod"}
	for rule, envs := range want {
		if got[rule] != envs {
			t.Errorf("JSON: %s names environments %q, want %q (all: %v)", rule, got[rule], envs, got)
		}
	}

	sarifOut := lintArgs(t, "-c", os.DevNull, "-f", "sarif", ".").stdout
	if !strings.Contains(sarifOut, `"environments": [`) || !strings.Contains(sarifOut, `"prod"`) {
		t.Errorf("SARIF results carry no environments property:\n%s", sarifOut)
	}
	alone := lintArgs(t, "-c", os.DevNull, "-f", "sarif", "deploy/shared", "deploy/envs/prod").stdout
	if fp := sarifFingerprints(t, sarifOut)["plaintext-scrape-of-strict-port"]; fp == "" || fp != sarifFingerprints(t, alone)["plaintext-scrape-of-strict-port"] {
		t.Errorf("fingerprint with environments %q differs from prod alone %q", fp, sarifFingerprints(t, alone)["plaintext-scrape-of-strict-port"])
	}

	junit := lintArgs(t, "-c", os.DevNull, "-f", "junit", ".").stdout
	if !strings.Contains(junit, `name="ServiceMonitor shop/cart [env: prod]"`) || !strings.Contains(junit, `name="ServiceMonitor shop/cart-extra [env: dev, prod]"`) {
		t.Errorf("JUnit test cases do not name the environments:\n%s", junit)
	}
	one := lintArgs(t, "-c", os.DevNull, "--environment", "dev", ".")
	if one.code != ExitFindings || strings.Contains(one.stdout, "plaintext-scrape") || !strings.Contains(one.stdout, "[env: dev]") {
		t.Errorf("--environment dev: exit %d\n%s", one.code, one.stdout)
	}
	bad := lintArgs(t, "-c", os.DevNull, "--environment", "qa", ".")
	if bad.code != ExitError || !strings.Contains(bad.stderr, "no such environment; the input holds dev, prod") {
		t.Errorf("--environment qa: exit %d\n%s", bad.code, bad.stderr)
	}
}

// sarifFingerprints maps each rule to the fingerprint of its first result.
func sarifFingerprints(t *testing.T, out string) map[string]string {
	t.Helper()
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID              string            `json:"ruleId"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	fps := map[string]string{}
	for _, run := range log.Runs {
		for _, r := range run.Results {
			for _, fp := range r.PartialFingerprints {
				if fps[r.RuleID] == "" {
					fps[r.RuleID] = fp
				}
			}
		}
	}
	return fps
}

// TestDeclaredEnvironments: environments: in the config replaces the ones
// found, with the config's names, paths relative to the config file.
func TestDeclaredEnvironments(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "environments", "plain-folders")
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(filepath.Join(dir, "expected-output.txt"))
	writeFile(t, dir, ".meshlint.yaml", `environments:
  - name: green
    paths: [deploy/envs/dev, deploy/shared]
  - name: blue
    paths: ["deploy/*/prod", "deploy/shared/**"]
`)
	t.Chdir(filepath.Join(dir, "deploy"))
	r := lintArgs(t, "--verbose", "-c", "../.meshlint.yaml", ".")
	if r.code != ExitFindings {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"meshlint: 2 environments, each linted as its own mesh: green (declared, 2 files), blue (declared, 2 files)\n",
		"meshlint: environment blue: envs/prod/mtls.yaml\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, want := range []string{"[plaintext-scrape-of-strict-port] [env: blue]\n", "[monitor-port-not-found] [env: green, blue]\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestSuppressionUsedInOneEnvironment: an annotation in a shared base that
// accepts a finding of prod only is used, not reported as unused by dev.
func TestSuppressionUsedInOneEnvironment(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "environments", "kustomize-overlays")
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(dir, "base", "app.yaml")
	data, err := os.ReadFile(app)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "kind: ServiceMonitor\nmetadata:\n  name: cart\n",
		"kind: ServiceMonitor\nmetadata:\n  name: cart\n  annotations:\n    ignore.meshlint.io/plaintext-scrape-of-strict-port: \"scraped through merged metrics\"\n", 1)
	if text == string(data) {
		t.Fatal("fixture changed: no ServiceMonitor cart to annotate")
	}
	writeFile(t, dir, "base/app.yaml", text)
	t.Chdir(dir)
	r := lintArgs(t, "-c", os.DevNull, "--show-suppressed", ".")
	if r.code != ExitOK || strings.Contains(r.stdout, "unused-suppression") || !strings.Contains(r.stdout, "error (suppressed)") {
		t.Errorf("exit %d, want 0 with the prod finding suppressed and no unused-suppression:\n%s", r.code, r.stdout)
	}
}

// TestHostileEnvironmentNames: a config's environment names and a Flux
// spec.path that leaves the repository are data: no terminal escape
// reaches any output, and nothing outside the tree is read.
func TestHostileEnvironmentNames(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "environments", "plain-folders")
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "repo"), os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "outside/canary.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: CANARY-OUTSIDE}\n")
	writeFile(t, dir, "repo/clusters/evil/sync.yaml", `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: evil, namespace: flux-system}
spec:
  path: ../outside
`)
	writeFile(t, dir, "bad.yaml", "environments:\n  - name: \"\\e(Bred\\a\"\n    paths: [deploy]\n")
	t.Chdir(filepath.Join(dir, "repo"))
	r := lintArgs(t, "-c", "../bad.yaml", ".")
	if r.code != ExitError || !strings.Contains(r.stderr, "bad.yaml:2: environments[0].name") || strings.ContainsAny(r.stderr+r.stdout, "\x1b\a") {
		t.Errorf("a control character in an environment name: exit %d\n%q", r.code, r.stderr)
	}
	for _, format := range []string{"text", "json", "sarif", "junit", "github"} {
		r := lintArgs(t, "--verbose", "-c", os.DevNull, "-f", format, ".")
		if r.code == ExitError {
			t.Fatalf("%s: exit 2: %s", format, r.stderr)
		}
		for _, out := range []string{r.stdout, r.stderr} {
			if strings.ContainsAny(out, "\x1b\a") || strings.Contains(out, "CANARY-OUTSIDE") {
				t.Errorf("%s: output carries an escape or the canary:\n%q", format, out)
			}
		}
	}
}

// TestTooManyEnvironmentsAreOneMesh: a layout that suggests hundreds of
// environments (each would be a graph and a rule evaluation over every
// shared file) is linted as one mesh, and says so.
func TestTooManyEnvironmentsAreOneMesh(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 300; i++ {
		writeFile(t, dir, fmt.Sprintf("envs/e%03d/cm.yaml", i), fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same, namespace: shop}\ndata: {copy: \"%d\"}\n", i))
	}
	t.Chdir(dir)
	r := lintArgs(t, "-c", os.DevNull, ".")
	if !strings.Contains(r.stderr, "meshlint: the layout suggests 300 environments, more than 64; linted as one mesh") || strings.Contains(r.stdout, "[env:") {
		t.Errorf("exit %d\nstderr:\n%s\nstdout (first lines):\n%.600s", r.code, r.stderr, r.stdout)
	}
	if n := strings.Count(r.stdout, "[duplicate-resource]"); n != 299 {
		t.Errorf("%d duplicate-resource findings, want 299 (every copy after the first)", n)
	}
}

// TestOneEnvironmentHoldsOnlyItsOwn: with --environment, the objects the
// other environments build are still theirs, not shared into this one.
func TestOneEnvironmentHoldsOnlyItsOwn(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "environments", "kustomize-overlays"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	dev := lintArgs(t, "-c", os.DevNull, "--environment", "dev", ".")
	if dev.code != ExitOK || dev.stdout != "" || !strings.Contains(dev.stderr, "meshlint: linting environment dev (Kustomize root, 1 file) alone (--environment)\n") {
		t.Errorf("--environment dev: exit %d\n%s\n%s", dev.code, dev.stdout, dev.stderr)
	}
	prod := lintArgs(t, "-c", os.DevNull, "--environment", "prod", ".")
	if prod.code != ExitFindings || !strings.Contains(prod.stdout, "[plaintext-scrape-of-strict-port] [env: prod]\n") || strings.Contains(prod.stdout, "duplicate-resource") {
		t.Errorf("--environment prod: exit %d\n%s", prod.code, prod.stdout)
	}
}
