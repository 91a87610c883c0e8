package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema compiles the SARIF 2.1.0 schema that Microsoft's Multitool
// applies (testdata/schemas/README.md says where it comes from).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	const path = "../../testdata/schemas/sarif-schema-2.1.0.json"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return s
}

func validateSARIF(t *testing.T, schema *jsonschema.Schema, out []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("sarif output is not JSON: %v", err)
	}
	return schema.Validate(inst)
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	schema := sarifSchema(t)
	r := fixedReport(t)
	if err := validateSARIF(t, schema, render(t, "sarif", r)); err != nil {
		t.Fatalf("sarif output does not validate against the SARIF 2.1.0 schema:\n%v", err)
	}
	// A report with no finding and no rule is still a valid log.
	empty := &Report{Tool: Tool{Name: "meshlint", Version: "0.1.0"}}
	if err := validateSARIF(t, schema, render(t, "sarif", empty)); err != nil {
		t.Fatalf("empty sarif log does not validate: %v", err)
	}
}

// The schema check must be able to fail, or the test above proves nothing.
func TestSARIFSchemaRejectsBrokenLogs(t *testing.T) {
	schema := sarifSchema(t)
	good := string(render(t, "sarif", fixedReport(t)))
	for name, broken := range map[string]string{
		"unknown level":           strings.Replace(good, `"level": "error"`, `"level": "fatal"`, 1),
		"zero start line":         strings.Replace(good, `"startLine": 3`, `"startLine": 0`, 1),
		"unknown suppression":     strings.Replace(good, `"kind": "inSource"`, `"kind": "inComment"`, 1),
		"null suppression status": strings.Replace(good, `"status": "accepted"`, `"status": null`, 1),
	} {
		if broken == good {
			t.Fatalf("%s: the mutation did not apply; update the test", name)
		}
		if err := validateSARIF(t, schema, []byte(broken)); err == nil {
			t.Errorf("%s: the schema accepted a broken log", name)
		}
	}
}

// sarifDoc is the part of a SARIF log the contract tests read.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID               string `json:"id"`
					Name             string `json:"name"`
					ShortDescription struct{ Text string }
					FullDescription  struct{ Text string }
					Help             struct{ Text, Markdown string }
					HelpURI          string `json:"helpUri"`
					Default          struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						Tags             []string `json:"tags"`
						SecuritySeverity string   `json:"security-severity"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful *bool `json:"executionSuccessful"`
			ExitCode            *int  `json:"exitCode"`
		} `json:"invocations"`
		Results []sarifResultDoc `json:"results"`
	} `json:"runs"`
}

type sarifLocationDoc struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine, StartColumn, EndLine, EndColumn int
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	} `json:"logicalLocations"`
	Message struct{ Text string } `json:"message"`
}

type sarifResultDoc struct {
	RuleID              string `json:"ruleId"`
	RuleIndex           *int   `json:"ruleIndex"`
	Level               string `json:"level"`
	Message             struct{ Text string }
	Locations           []sarifLocationDoc `json:"locations"`
	RelatedLocations    []sarifLocationDoc `json:"relatedLocations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        *[]struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
}

func decodeSARIF(t *testing.T, out []byte) sarifDoc {
	t.Helper()
	var doc sarifDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("decode sarif: %v", err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("want 1 run, got %d", len(doc.Runs))
	}
	return doc
}

func TestSARIFContract(t *testing.T) {
	r := fixedReport(t)
	r.Tool.Version = "v1.2.3" // a tag-style version loses its v
	r.ExitCode = 0            // exitCode 0 must be written, not omitted
	doc := decodeSARIF(t, render(t, "sarif", r))
	if doc.Version != "2.1.0" || doc.Schema == "" {
		t.Errorf("version %q, $schema %q: want 2.1.0 and a schema URI", doc.Version, doc.Schema)
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "meshlint" || d.Version != "1.2.3" || d.InformationURI != "https://github.com/meshlint/meshlint" {
		t.Errorf("driver name %q version %q informationUri %q", d.Name, d.Version, d.InformationURI)
	}

	if len(d.Rules) != len(r.Rules) {
		t.Fatalf("driver lists %d rules, want the %d enabled ones", len(d.Rules), len(r.Rules))
	}
	for i, want := range r.Rules {
		got := d.Rules[i]
		if got.ID != want.ID || got.ShortDescription.Text != want.Title || got.FullDescription.Text != want.Description {
			t.Errorf("rule %d: id %q short %q full %q, want %q %q %q", i, got.ID, got.ShortDescription.Text,
				got.FullDescription.Text, want.ID, want.Title, want.Description)
		}
		if got.Name == "" || strings.ContainsAny(got.Name, "- ") {
			t.Errorf("rule %s: name %q is not a PascalCase identifier", want.ID, got.Name)
		}
		if !strings.Contains(got.Help.Text, want.Fix) || !strings.Contains(got.Help.Markdown, want.Fix) {
			t.Errorf("rule %s: help does not carry the fix %q:\n%s", want.ID, want.Fix, got.Help.Text)
		}
		if wantURI := "https://github.com/meshlint/meshlint/blob/main/docs/rules/" + want.ID + ".md"; got.HelpURI != wantURI {
			t.Errorf("rule %s: helpUri %q, want %q", want.ID, got.HelpURI, wantURI)
		}
		if got.Default.Level != want.Severity {
			t.Errorf("rule %s: default level %q, want %q", want.ID, got.Default.Level, want.Severity)
		}
		wantTags := strings.Join(append(append([]string{}, want.Tags...), want.Category, want.Tier), ",")
		if strings.Join(got.Properties.Tags, ",") != wantTags {
			t.Errorf("rule %s: tags %v, want [%s]", want.ID, got.Properties.Tags, wantTags)
		}
		if got.Properties.SecuritySeverity != want.SecuritySeverity {
			t.Errorf("rule %s: security-severity %q, want %q", want.ID, got.Properties.SecuritySeverity, want.SecuritySeverity)
		}
	}

	if len(run.Invocations) != 1 || run.Invocations[0].ExitCode == nil || *run.Invocations[0].ExitCode != 0 ||
		run.Invocations[0].ExecutionSuccessful == nil || !*run.Invocations[0].ExecutionSuccessful {
		t.Errorf("invocations %+v: want one successful invocation with exitCode 0", run.Invocations)
	}

	// SARIF carries suppressed findings even without --show-suppressed.
	if r.ShowSuppressed {
		t.Fatal("the fixed report must not ask for suppressed findings")
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results, want one per finding (%d, suppressed included)", len(run.Results), len(r.Findings))
	}
	for i, f := range r.Findings {
		res := run.Results[i]
		if res.RuleIndex == nil || *res.RuleIndex >= len(d.Rules) || d.Rules[*res.RuleIndex].ID != f.Rule || res.RuleID != f.Rule {
			t.Errorf("result %d: ruleId %q ruleIndex %v does not point at rule %s", i, res.RuleID, res.RuleIndex, f.Rule)
		}
		if res.Level != f.Severity {
			t.Errorf("result %d: level %q, want %q", i, res.Level, f.Severity)
		}
		if !strings.HasPrefix(res.Message.Text, strings.TrimSpace(f.Message)) {
			t.Errorf("result %d: message %q does not carry %q", i, res.Message.Text, f.Message)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %d: uriBaseId %q", i, loc.ArtifactLocation.URIBaseID)
		}
		reg := loc.Region
		if reg.StartLine != f.Line || reg.StartColumn != f.Column || reg.EndLine != f.EndLine || reg.EndColumn != f.EndColumn {
			t.Errorf("result %d: region %+v, want %d:%d-%d:%d", i, reg, f.Line, f.Column, f.EndLine, f.EndColumn)
		}
		if f.Resource != nil {
			ll := res.Locations[0].LogicalLocations
			if len(ll) != 1 || ll[0].FullyQualifiedName != objectName(f.Resource) || ll[0].Kind != "object" || ll[0].Name != f.Resource.Name {
				t.Errorf("result %d: logical locations %+v, want %s (object)", i, ll, objectName(f.Resource))
			}
		}
		if len(res.RelatedLocations) != len(f.Related) {
			t.Errorf("result %d: %d related locations, want %d", i, len(res.RelatedLocations), len(f.Related))
		}
		for j, rel := range f.Related {
			got := res.RelatedLocations[j]
			if got.PhysicalLocation.ArtifactLocation.URI != rel.File || got.PhysicalLocation.Region.StartLine != rel.Line ||
				!strings.HasPrefix(got.Message.Text, rel.Message) {
				t.Errorf("result %d related %d: %+v, want %s:%d %q", i, j, got, rel.File, rel.Line, rel.Message)
			}
		}
		if len(res.PartialFingerprints) != 1 || res.PartialFingerprints[FingerprintKey] == "" {
			t.Errorf("result %d: partialFingerprints %v", i, res.PartialFingerprints)
		}
		if res.Suppressions == nil {
			t.Errorf("result %d: no suppressions key; live findings carry an empty list", i)
			continue
		}
		sup := *res.Suppressions
		switch {
		case !f.Suppressed && len(sup) != 0:
			t.Errorf("result %d: live finding has suppressions %+v", i, sup)
		case f.Suppressed && (len(sup) != 1 || sup[0].Kind != f.Suppression.Kind || sup[0].Justification != f.Suppression.Justification || sup[0].Status != "accepted"):
			t.Errorf("result %d: suppressions %+v, want one %s with %q", i, sup, f.Suppression.Kind, f.Suppression.Justification)
		}
	}
}

func TestSARIFArtifactURIs(t *testing.T) {
	for file, want := range map[string]string{
		"manifests/shop/monitor.yaml":    "manifests/shop/monitor.yaml",
		"manifests/odd dir/mtls:v2.yaml": "manifests/odd%20dir/mtls:v2.yaml",
		"c:app.yaml":                     "./c:app.yaml", // would read as scheme c: otherwise
		"-":                              "stdin",
	} {
		if got := artifactURI(file); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestSARIFFingerprints(t *testing.T) {
	base := finding.Finding{Place: finding.Place{File: "a.yaml", Line: 10, Column: 7, EndLine: 11, EndColumn: 3,
		Path: "/spec/endpoints/0"}, Rule: "plaintext-scrape-of-strict-port", Severity: "error", Message: "m",
		Resource: &finding.Resource{APIVersion: "monitoring.coreos.com/v1", Kind: "ServiceMonitor", Namespace: "shop",
			Name: "cart"}}
	fp := func(fs ...finding.Finding) []string {
		r := &Report{Tool: Tool{Name: "meshlint", Version: "1"}, Findings: fs}
		doc := decodeSARIF(t, render(t, "sarif", r))
		var out []string
		for _, res := range doc.Runs[0].Results {
			out = append(out, res.PartialFingerprints[FingerprintKey])
		}
		return out
	}
	moved := base
	moved.Line, moved.EndLine, moved.File = 42, 43, "b.yaml"
	moved.Message = "m, reworded"
	if a, b := fp(base)[0], fp(moved)[0]; a != b {
		t.Errorf("fingerprint changed when the finding moved lines or files: %s vs %s", a, b)
	}
	newVersion := base
	newVersion.Resource = &finding.Resource{APIVersion: "monitoring.coreos.com/v2", Kind: "ServiceMonitor", Namespace: "shop", Name: "cart"}
	if a, b := fp(base)[0], fp(newVersion)[0]; a != b {
		t.Errorf("fingerprint changed with the API version: %s vs %s; a v1beta1 -> v1 move would reopen alerts", a, b)
	}
	if a, b := fp(base)[0], finding.Fingerprint(base); a != b {
		t.Errorf("SARIF fingerprint %s is not the baseline's %s", a, b)
	}
	for name, change := range map[string]func(*finding.Finding){
		"rule":    func(f *finding.Finding) { f.Rule = "podmonitor-under-strict" },
		"pointer": func(f *finding.Finding) { f.Path = "/spec/endpoints/1" },
		"name": func(f *finding.Finding) {
			f.Resource = &finding.Resource{APIVersion: "monitoring.coreos.com/v1", Kind: "ServiceMonitor", Namespace: "shop", Name: "orders"}
		},
		"namespace": func(f *finding.Finding) {
			f.Resource = &finding.Resource{APIVersion: "monitoring.coreos.com/v1", Kind: "ServiceMonitor", Namespace: "web", Name: "cart"}
		},
		"API group": func(f *finding.Finding) {
			f.Resource = &finding.Resource{APIVersion: "azmonitoring.coreos.com/v1", Kind: "ServiceMonitor", Namespace: "shop", Name: "cart"}
		},
		"kind": func(f *finding.Finding) {
			f.Resource = &finding.Resource{APIVersion: "monitoring.coreos.com/v1", Kind: "PodMonitor", Namespace: "shop", Name: "cart"}
		},
	} {
		other := base
		change(&other)
		if fp(base)[0] == fp(other)[0] {
			t.Errorf("fingerprint ignores the %s", name)
		}
	}
	twice := fp(base, base)
	if twice[0] == twice[1] {
		t.Errorf("two findings on one field share fingerprint %s; they would merge into one alert", twice[0])
	}
}

// A finding of a rule the report does not list still points at a rule.
func TestSARIFDescribesUnlistedRules(t *testing.T) {
	r := &Report{Tool: Tool{Name: "meshlint", Version: "1"}, Rules: []RuleInfo{{RuleDoc: finding.RuleDoc{ID: "a", Title: "A", Severity: "error"}}},
		Findings: []finding.Finding{{Place: finding.Place{File: "Chart.yaml", Line: 1, Column: 1, EndLine: 1,
			EndColumn: 2}, Rule: "render-error", Severity: "error", Message: "m"}}}
	doc := decodeSARIF(t, render(t, "sarif", r))
	rules := doc.Runs[0].Tool.Driver.Rules
	res := doc.Runs[0].Results[0]
	if res.RuleIndex == nil || *res.RuleIndex != 1 || len(rules) != 2 || rules[1].ID != "render-error" {
		t.Fatalf("rules %+v, result rule index %v: want render-error described at index 1", rules, res.RuleIndex)
	}
}

func TestPascalCase(t *testing.T) {
	for in, want := range map[string]string{
		"plaintext-scrape-of-strict-port": "PlaintextScrapeOfStrictPort",
		"invalid-manifest":                "InvalidManifest",
		"x":                               "X",
	} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// The golden SARIF must itself be schema-valid, so a reviewer reading it
// reads a log GitHub accepts.
func TestGoldenSARIFIsValid(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(reportDir, "golden", "report.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if err := validateSARIF(t, sarifSchema(t), b); err != nil {
		t.Fatal(err)
	}
}

// Exit code 2 (meshlint could not do its job) is an unsuccessful execution.
func TestSARIFInvocationFollowsExitCode(t *testing.T) {
	for code, success := range map[int]bool{0: true, 1: true, 2: false} {
		r := &Report{Tool: Tool{Name: "meshlint", Version: "1"}, ExitCode: code}
		inv := decodeSARIF(t, render(t, "sarif", r)).Runs[0].Invocations
		if len(inv) != 1 || inv[0].ExitCode == nil || *inv[0].ExitCode != code || inv[0].ExecutionSuccessful == nil || *inv[0].ExecutionSuccessful != success {
			t.Errorf("exit code %d: invocations %+v, want exitCode %d executionSuccessful %v", code, inv, code, success)
		}
	}
}

// GitHub ranks alerts by security-severity only on rules tagged security;
// one on any other rule would be a score nothing shows.
func TestSARIFSecuritySeverityOnlyWithSecurityTag(t *testing.T) {
	r := &Report{Tool: Tool{Name: "meshlint", Version: "1"}, Rules: []RuleInfo{
		{RuleDoc: finding.RuleDoc{ID: "a", Title: "A", Severity: "error"}, Tags: []string{"security"}, SecuritySeverity: "7.5"},
		{RuleDoc: finding.RuleDoc{ID: "b", Title: "B", Severity: "error"}, Tags: []string{"reliability"}, SecuritySeverity: "7.5"},
	}}
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, "sarif", r), &doc); err != nil {
		t.Fatal(err)
	}
	rules := doc.Runs[0].Tool.Driver.Rules
	if rules[0].Properties["security-severity"] != "7.5" {
		t.Errorf("security rule properties %v, want security-severity 7.5", rules[0].Properties)
	}
	if _, ok := rules[1].Properties["security-severity"]; ok {
		t.Errorf("reliability rule carries a security-severity: %v", rules[1].Properties)
	}
}

func TestSARIFAutomationID(t *testing.T) {
	for in, want := range map[string]string{"production": "production/", "env/prod/": "env/prod/", "a b": "a b/"} {
		if got := automationID(in); got != want {
			t.Errorf("automationID(%q) = %q, want %q", in, got, want)
		}
	}
}

// A snippet is file text: control characters in it must not reach the log.
func TestSARIFSnippetIsSanitized(t *testing.T) {
	r := &Report{Tool: Tool{Name: "meshlint", Version: "1"},
		Findings: []finding.Finding{{Place: finding.Place{File: "a.yaml", Line: 1, Column: 1, EndLine: 1,
			EndColumn: 9}, Rule: "a", Severity: "error", Message: "m", Snippet: "x: \x1b[31mred\x00"}}}
	out := string(render(t, "sarif", r))
	if !strings.Contains(out, `"snippet": {`) || strings.Contains(out, `\u001b`) || strings.Contains(out, `\u0000`) {
		t.Errorf("snippet not written, or written with control characters:\n%s", out)
	}
	if err := validateSARIF(t, sarifSchema(t), []byte(out)); err != nil {
		t.Error(err)
	}
}
