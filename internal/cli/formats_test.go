package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/report"
)

// reportManifests holds a live and a suppressed plaintext-scrape finding.
const reportManifests = "../../testdata/report/manifests"

func TestTwoFormatsToStdoutIsUsageError(t *testing.T) {
	for _, args := range [][]string{
		{"-f", "json", "-f", "sarif"},
		{"-f", "sarif", "-o", "-", "-f", "junit", "-o", "-"},
		{"-f", "github", "-f", "text", "-o", "-"},
	} {
		r := lintArgs(t, append(args, reportManifests)...)
		if r.code != ExitError || !strings.Contains(r.stderr, "2 formats write to stdout") || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 naming the stdout clash and no output", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := lintArgs(t, "-f", "xml", reportManifests); r.code != ExitError || !strings.Contains(r.stderr, "sarif, junit, github") {
		t.Errorf("unknown format: exit %d, stderr %q; want exit 2 listing the formats", r.code, r.stderr)
	}
}

// Machine formats write only their document to stdout, and the exit code
// does not depend on the format.
func TestEveryFormatKeepsTheExitCode(t *testing.T) {
	for _, format := range report.Formats {
		r := lintArgs(t, "-f", format, reportManifests)
		if r.code != ExitFindings {
			t.Errorf("-f %s: exit %d, want 1 (stderr %s)", format, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "monitors.yaml") {
			t.Errorf("-f %s: stdout does not name the file with the finding:\n%s", format, r.stdout)
		}
		if strings.Contains(r.stderr, "monitors.yaml") {
			t.Errorf("-f %s: findings leaked to stderr: %s", format, r.stderr)
		}
	}
}

type cliSARIF struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Version string `json:"version"`
				Rules   []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExitCode int `json:"exitCode"`
		} `json:"invocations"`
		Results []struct {
			RuleID       string            `json:"ruleId"`
			Suppressions []json.RawMessage `json:"suppressions"`
			Locations    []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine, EndLine int
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func readSARIF(t *testing.T, path string) (cliSARIF, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc cliSARIF
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Runs) != 1 {
		t.Fatalf("sarif file: %v\n%s", err, b)
	}
	return doc, b
}

func TestSARIFFromCLI(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "meshlint.sarif")
	// SARIF to a file and JSON to stdout in one run.
	r := lintArgs(t, "-f", "sarif", "-o", out, "-f", "json", reportManifests)
	if r.code != ExitFindings {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := len(decode(t, r.stdout).Findings); n != 1 {
		t.Errorf("json without --show-suppressed has %d findings, want the 1 live one", n)
	}
	doc, raw := readSARIF(t, out)
	run := doc.Runs[0]
	if run.Invocations[0].ExitCode != ExitFindings {
		t.Errorf("invocation exitCode %d, want %d", run.Invocations[0].ExitCode, ExitFindings)
	}
	if strings.HasPrefix(run.Tool.Driver.Version, "v") || run.Tool.Driver.Version != Version() {
		t.Errorf("driver version %q, want %q", run.Tool.Driver.Version, Version())
	}
	// SARIF always carries suppressed findings, marked.
	live, suppressed := 0, 0
	for _, res := range run.Results {
		if len(res.Suppressions) == 0 {
			live++
		} else {
			suppressed++
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != shown(t, reportManifests+"/monitors.yaml", reportManifests) || loc.Region.StartLine < 1 || loc.Region.EndLine < loc.Region.StartLine {
			t.Errorf("result location %+v", loc)
		}
	}
	if live != 1 || suppressed != 1 {
		t.Errorf("%d live and %d suppressed results, want 1 and 1", live, suppressed)
	}

	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, rule := range eng.Rules {
		all = append(all, rule.ID)
	}
	if got := ruleIDs(doc); !slices.Equal(got, all) {
		t.Errorf("driver rules %v, want every enabled rule %v", got, all)
	}
	validateAgainstSARIFSchema(t, raw)

	// --fail-on none: the exit code, and the one SARIF records, is 0.
	r = lintArgs(t, "-f", "sarif", "-o", out, "--fail-on", "none", reportManifests)
	if doc, _ := readSARIF(t, out); r.code != ExitOK || doc.Runs[0].Invocations[0].ExitCode != ExitOK {
		t.Errorf("--fail-on none: exit %d, sarif exitCode %d; want 0 and 0", r.code, doc.Runs[0].Invocations[0].ExitCode)
	}
}

func ruleIDs(doc cliSARIF) []string {
	var ids []string
	for _, r := range doc.Runs[0].Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestSARIFRulesFollowEnableAndDisable(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "meshlint.sarif")
	lintArgs(t, "-f", "sarif", "-o", out, "--enable", "plaintext-scrape-of-strict-port", reportManifests)
	if doc, _ := readSARIF(t, out); !slices.Equal(ruleIDs(doc), []string{"plaintext-scrape-of-strict-port"}) {
		t.Errorf("--enable: rules %v", ruleIDs(doc))
	}
	r := lintArgs(t, "-f", "sarif", "-o", out, "--disable", "plaintext-scrape-of-strict-port", reportManifests)
	doc, _ := readSARIF(t, out)
	if slices.Contains(ruleIDs(doc), "plaintext-scrape-of-strict-port") || len(ruleIDs(doc)) == 0 {
		t.Errorf("--disable: rules %v", ruleIDs(doc))
	}
	if len(doc.Runs[0].Results) != 0 || r.code != ExitOK || doc.Runs[0].Invocations[0].ExitCode != ExitOK {
		t.Errorf("--disable: %d results, exit %d; want none and 0", len(doc.Runs[0].Results), r.code)
	}
}

func TestJUnitFromCLI(t *testing.T) {
	r := lintArgs(t, "-f", "junit", reportManifests)
	suites, err := junit.Ingest([]byte(r.stdout))
	if err != nil {
		t.Fatalf("go-junit cannot read the report: %v\n%s", err, r.stdout)
	}
	var scrape, input *junit.Suite
	for i := range suites {
		switch suites[i].Name {
		case "plaintext-scrape-of-strict-port":
			scrape = &suites[i]
		case "invalid-manifest":
			input = &suites[i]
		}
	}
	// invalid-manifest checks every file read (6 objects in 2 files).
	if input == nil || input.Totals.Tests != 2 || input.Totals.Failed != 0 {
		t.Errorf("invalid-manifest suite %+v, want the 2 files of the input, all passing", input)
	}
	if scrape == nil {
		t.Fatalf("no suite for plaintext-scrape-of-strict-port in:\n%s", r.stdout)
	}
	status := map[string]junit.Status{}
	for _, tc := range scrape.Tests {
		status[tc.Name] = tc.Status
		if tc.Status == junit.StatusFailed && !strings.Contains(tc.Error.Error(), "testdata/report/manifests/monitors.yaml:10:7") {
			t.Errorf("failure text lacks file:line:col: %v", tc.Error)
		}
	}
	want := map[string]junit.Status{"ServiceMonitor shop/cart": junit.StatusFailed, "ServiceMonitor shop/cart-legacy": junit.StatusPassed}
	for name, st := range want {
		if status[name] != st {
			t.Errorf("%s: %q, want %q (all: %v)", name, status[name], st, status)
		}
	}

	// --fail-on none exits 0, so the report has no failure at all.
	r = lintArgs(t, "-f", "junit", "--fail-on", "none", reportManifests)
	if r.code != ExitOK || strings.Contains(r.stdout, "<failure") || !strings.Contains(r.stdout, "below --fail-on none") {
		t.Errorf("--fail-on none: exit %d, want 0 and findings in system-out, not failures:\n%s", r.code, r.stdout)
	}
}

func TestGitHubFromCLI(t *testing.T) {
	r := lintArgs(t, "-f", "github", reportManifests)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "::error file="+shown(t, reportManifests+"/monitors.yaml", reportManifests)+",line=10,col=7,endLine=") ||
		!strings.Contains(lines[0], ",title=plaintext-scrape-of-strict-port::") {
		t.Errorf("github output:\n%s", r.stdout)
	}
}

// validateAgainstSARIFSchema checks real CLI output against the schema the
// report package's tests also use (testdata/schemas).
func validateAgainstSARIFSchema(t *testing.T, out []byte) {
	t.Helper()
	f, err := os.Open("../../testdata/schemas/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("meshlint's SARIF does not validate against the SARIF 2.1.0 schema:\n%v", err)
	}
}
