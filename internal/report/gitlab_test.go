package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

// checkGitLabIssue checks the fields GitLab's Code Quality documentation
// lists as required for every issue.
func checkGitLabIssue(t *testing.T, i int, issue map[string]any) {
	t.Helper()
	for _, key := range []string{"description", "check_name", "fingerprint", "severity"} {
		if s, ok := issue[key].(string); !ok || s == "" {
			t.Errorf("issue %d: %s is %v, want a non-empty string", i, key, issue[key])
		}
	}
	if sev, _ := issue["severity"].(string); !slices.Contains([]string{"info", "minor", "major", "critical", "blocker"}, sev) {
		t.Errorf("issue %d: severity %q is not one of GitLab's", i, sev)
	}
	loc, ok := issue["location"].(map[string]any)
	if !ok {
		t.Fatalf("issue %d: no location object: %v", i, issue)
	}
	if p, ok := loc["path"].(string); !ok || p == "" || p[0] == '/' {
		t.Errorf("issue %d: location.path %v, want a non-empty relative path", i, loc["path"])
	}
	lines, ok := loc["lines"].(map[string]any)
	if !ok {
		t.Fatalf("issue %d: no location.lines object: %v", i, loc)
	}
	if begin, ok := lines["begin"].(float64); !ok || begin < 1 || begin != float64(int(begin)) {
		t.Errorf("issue %d: location.lines.begin %v, want a positive integer", i, lines["begin"])
	}
}

func decodeGitLab(t *testing.T, r *Report) []map[string]any {
	t.Helper()
	var issues []map[string]any
	if err := json.Unmarshal(render(t, "gitlab", r), &issues); err != nil {
		t.Fatalf("gitlab output is not a JSON array of objects: %v", err)
	}
	return issues
}

func TestGitLabRequiredFieldsAndUniqueFingerprints(t *testing.T) {
	r := fixedReport(t)
	// Two findings of one rule at one field of one object (one monitor
	// selected by two Prometheus servers) must stay two issues; a finding
	// with no position must still get a line GitLab accepts; stdin needs
	// a path.
	dup := r.Findings[len(r.Findings)-1]
	dup.Suppressed, dup.Suppression, dup.Message = false, nil, dup.Message+" (second server)"
	r.Findings = append(r.Findings, dup,
		finding.Finding{Place: finding.Place{File: "-"}, Rule: "invalid-manifest", Severity: "error",
			Message: "no position"})
	issues := decodeGitLab(t, r)
	live := 0
	for _, f := range r.Findings {
		if !f.Suppressed {
			live++
		}
	}
	if len(issues) != live || live < 3 {
		t.Fatalf("%d issues for %d unsuppressed findings", len(issues), live)
	}
	seen := map[string]int{}
	for i, issue := range issues {
		checkGitLabIssue(t, i, issue)
		fp, _ := issue["fingerprint"].(string)
		if j, ok := seen[fp]; ok {
			t.Errorf("issues %d and %d share fingerprint %s", j, i, fp)
		}
		seen[fp] = i
	}
}

func TestGitLabFingerprintMatchesSARIFAndSurvivesLineMoves(t *testing.T) {
	r := fixedReport(t)
	before := decodeGitLab(t, r)
	sarifFPs := map[string]bool{}
	log, err := buildSARIF(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range log.Runs[0].Results {
		sarifFPs[res.PartialFingerprints[FingerprintKey].(string)] = true
	}
	for i, issue := range before {
		if fp := issue["fingerprint"].(string); !sarifFPs[fp] {
			t.Errorf("issue %d: fingerprint %s is not the SARIF result's", i, fp)
		}
	}
	for i := range r.Findings {
		r.Findings[i].Line += 10
		r.Findings[i].EndLine += 10
	}
	after := decodeGitLab(t, r)
	for i := range before {
		if before[i]["fingerprint"] != after[i]["fingerprint"] {
			t.Errorf("issue %d: fingerprint changed when lines moved", i)
		}
	}
}

func TestGitLabEmptyIsArray(t *testing.T) {
	got := render(t, "gitlab", &Report{Tool: Tool{Name: "meshlint"}})
	if !bytes.Equal(bytes.TrimSpace(got), []byte("[]")) {
		t.Errorf("no findings gave %q, want []", got)
	}
}
