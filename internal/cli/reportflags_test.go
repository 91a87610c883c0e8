package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSARIFCategoryAndSecurityTags(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "meshlint.sarif")
	r := lintArgs(t, "-f", "sarif", "-o", out, "--sarif-category", "production", reportManifests)
	if r.code != ExitFindings {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			AutomationDetails *struct {
				ID string `json:"id"`
			} `json:"automationDetails"`
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Runs) != 1 {
		t.Fatalf("sarif: %v", err)
	}
	run := doc.Runs[0]
	if run.AutomationDetails == nil || run.AutomationDetails.ID != "production/" {
		t.Errorf("automationDetails %+v, want id production/", run.AutomationDetails)
	}
	tagged := map[string]bool{}
	for _, rule := range run.Tool.Driver.Rules {
		var tags []string
		for _, t := range rule.Properties["tags"].([]any) {
			tags = append(tags, t.(string))
		}
		_, hasSeverity := rule.Properties["security-severity"]
		security := slices.Contains(tags, "security")
		if security != hasSeverity {
			t.Errorf("%s: tags %v, security-severity present %v: GitHub applies a security-severity only to rules tagged security", rule.ID, tags, hasSeverity)
		}
		tagged[rule.ID] = security
	}
	if !tagged["strict-without-proxy"] || tagged["plaintext-scrape-of-strict-port"] {
		t.Errorf("strict-without-proxy must be tagged security and plaintext-scrape-of-strict-port not: %v", tagged)
	}

	// Without the flag there is no automationDetails at all.
	lintArgs(t, "-f", "sarif", "-o", out, reportManifests)
	if b, _ := os.ReadFile(out); strings.Contains(string(b), "automationDetails") {
		t.Error("automationDetails without --sarif-category")
	}
	// A category no upload can carry is a usage error, before linting.
	if r := lintArgs(t, "--sarif-category", "a\nb", reportManifests); r.code != ExitError || !strings.Contains(r.stderr, "--sarif-category") {
		t.Errorf("--sarif-category with a newline: exit %d, %s", r.code, r.stderr)
	}
}
