package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"
)

const jenkinsXSD = "../../testdata/schemas/jenkins-junit.xsd"

// requireTool finds an external tool. Outside CI a missing tool skips the
// test with the command that installs it; in CI (CI=true) it fails, because
// .ci/steps installs every tool the tests need.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, but CI=true: .ci/steps must install it (%s)", name, install)
	}
	t.Skipf("%s is not installed; install it with '%s' to run this test (CI always runs it)", name, install)
	return ""
}

// xmllintSchema validates an XML file against an XSD with libxml2.
func xmllintSchema(t *testing.T, xmllint, xsd, file string) (string, error) {
	t.Helper()
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
	return string(out), err
}

func TestJUnitValidatesAgainstJenkinsXSD(t *testing.T) {
	xmllint := requireTool(t, "xmllint", "apt-get install -y libxml2-utils")
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	r := fixedReport(t)
	// Control characters from manifest text must not break the document.
	r.Findings[0].Message += " \x01\x1b[31m"
	for name, rep := range map[string]*Report{
		"fixed.xml": r,
		"empty.xml": {Tool: Tool{Name: "meshlint", Version: "1"}},
	} {
		file := write(name, render(t, "junit", rep))
		if out, err := xmllintSchema(t, xmllint, jenkinsXSD, file); err != nil {
			t.Errorf("%s does not validate against the Jenkins JUnit XSD: %v\n%s", name, err, out)
		}
	}

	// The check must be able to fail: a test case without a name is invalid.
	good := string(render(t, "junit", fixedReport(t)))
	bad := regexp.MustCompile(`<testcase name="[^"]*"`).ReplaceAllString(good, `<testcase`)
	if bad == good {
		t.Fatalf("the report has no named test case to break:\n%s", good)
	}
	if out, err := xmllintSchema(t, xmllint, jenkinsXSD, write("bad.xml", []byte(bad))); err == nil {
		t.Errorf("xmllint accepted a test case without a name:\n%s", out)
	}
}

func TestJUnitParsedByConsumer(t *testing.T) {
	r := fixedReport(t)
	suites, err := junit.Ingest(render(t, "junit", r))
	if err != nil {
		t.Fatalf("go-junit cannot read the report: %v", err)
	}
	// One suite per enabled rule, sorted by id.
	var names []string
	for _, s := range suites {
		names = append(names, s.Name)
	}
	var want []string
	for _, rule := range r.Rules {
		want = append(want, rule.ID)
	}
	if strings.Join(names, " ") != strings.Join(want, " ") || !sort.StringsAreSorted(names) {
		t.Fatalf("suites %v, want one per enabled rule in order %v", names, want)
	}
	byName := map[string]junit.Suite{}
	for _, s := range suites {
		byName[s.Name] = s
	}

	scrape := byName["plaintext-scrape-of-strict-port"]
	status := map[string]junit.Status{}
	for _, tc := range scrape.Tests {
		status[tc.Name] = tc.Status
		if tc.Duration != 0 {
			t.Errorf("test case %s has a duration; output must not depend on time", tc.Name)
		}
	}
	// Every ServiceMonitor is a test case of the scrape rule: the failing
	// one, the suppressed one (passing) and the one without findings.
	wantStatus := map[string]junit.Status{
		"ServiceMonitor shop/cart":   junit.StatusFailed,
		"ServiceMonitor shop/legacy": junit.StatusPassed,
		"ServiceMonitor shop/orders": junit.StatusPassed,
	}
	if len(status) != len(wantStatus) {
		t.Errorf("scrape suite cases %v, want %v", status, wantStatus)
	}
	for name, st := range wantStatus {
		if status[name] != st {
			t.Errorf("%s: status %q, want %q", name, status[name], st)
		}
	}
	for _, tc := range scrape.Tests {
		switch tc.Name {
		case "ServiceMonitor shop/cart":
			if tc.Error == nil || !strings.Contains(tc.Error.Error(), "manifests/shop/monitor.yaml:") {
				t.Errorf("failure of %s lacks file:line: %v", tc.Name, tc.Error)
			}
		case "ServiceMonitor shop/legacy":
			if !strings.Contains(tc.SystemOut, "scraped through merged metrics") {
				t.Errorf("suppressed finding of %s is not in system-out: %q", tc.Name, tc.SystemOut)
			}
		}
	}
	if scrape.Totals.Tests != 3 || scrape.Totals.Failed != 1 || scrape.Totals.Passed != 2 {
		t.Errorf("scrape totals %+v, want 3 tests, 1 failed, 2 passed", scrape.Totals)
	}

	// invalid-manifest is about files: one case per file read, plus the
	// file that holds no object, never one per resource.
	input := byName["invalid-manifest"]
	files := map[string]bool{"manifests/broken.yaml": true}
	for _, res := range r.Resources {
		files[res.File] = true
	}
	if got, want := input.Totals.Tests, len(files); got != want || got >= len(r.Resources) {
		t.Errorf("invalid-manifest has %d cases, want %d (one per file) and fewer than the %d resources", got, want, len(r.Resources))
	}
	for _, tc := range input.Tests {
		if !files[tc.Name] {
			t.Errorf("invalid-manifest case %q is not a file", tc.Name)
		}
	}
	if input.Totals.Failed != 1 {
		t.Errorf("invalid-manifest totals %+v, want 1 failure", input.Totals)
	}

	// A rule whose kinds are absent and that found nothing is an empty suite.
	if s := byName["port-level-mtls-without-selector"]; s.Totals.Failed != 0 || s.Totals.Tests != 2 {
		t.Errorf("port-level-mtls-without-selector totals %+v, want 2 passing PeerAuthentications", s.Totals)
	}
}

// TestJUnitFailuresFollowFailOn: a run that exits 0 shows green. A finding
// is a <failure> exactly when it makes the run fail under --fail-on; the
// rest are listed in <system-out>.
func TestJUnitFailuresFollowFailOn(t *testing.T) {
	for _, c := range []struct {
		failOn       string
		wantFailures int // live findings at or above failOn in report.json
	}{
		{"none", 0},
		{"error", 3},
		{"", 3},
		{"warning", 3},
		{"note", 4},
	} {
		r := fixedReport(t)
		r.FailOn = c.failOn
		failing := 0
		for _, f := range r.Findings {
			if !f.Suppressed && r.FailsRun(f.Severity) {
				failing++
			}
		}
		if failing != c.wantFailures {
			t.Fatalf("--fail-on %q: report.json has %d failing findings, the test expects %d", c.failOn, failing, c.wantFailures)
		}
		suites, err := junit.Ingest(render(t, "junit", r))
		if err != nil {
			t.Fatal(err)
		}
		failures := 0
		var out strings.Builder
		for _, s := range suites {
			for _, tc := range s.Tests {
				if tc.Status == junit.StatusFailed {
					failures++ // one finding per failing case in report.json
				}
				out.WriteString(tc.SystemOut)
			}
		}
		if c.wantFailures > 0 && failures == 0 || c.wantFailures == 0 && failures != 0 {
			t.Errorf("--fail-on %q: %d failing cases, want failures exactly when %d findings fail the run", c.failOn, failures, c.wantFailures)
		}
		note := "port 9090: PERMISSIVE, but nothing scrapes it"
		if below := strings.Contains(out.String(), "below --fail-on"); below != (c.failOn != "note") {
			t.Errorf("--fail-on %q: system-out lists findings below --fail-on: %v, want %v\n%s", c.failOn, below, c.failOn != "note", out.String())
		}
		if c.failOn != "note" && !strings.Contains(out.String(), note) {
			t.Errorf("--fail-on %q: the note %q is neither a failure nor in system-out", c.failOn, note)
		}
	}
}
