package cli

import (
	"encoding/json"
	"github.com/meshlint/meshlint/internal/loader"
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

// SARIF results carry the text of their region as a snippet, cut from the
// file the result points at; the JSON output does not change.
func TestSARIFSnippets(t *testing.T) {
	out := filepath.Join(t.TempDir(), "meshlint.sarif")
	lintArgs(t, "-f", "sarif", "-o", out, reportManifests)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
							EndLine     int `json:"endLine"`
							EndColumn   int `json:"endColumn"`
							Snippet     *struct {
								Text string `json:"text"`
							} `json:"snippet"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, res := range doc.Runs[0].Results {
		loc := res.Locations[0].PhysicalLocation
		reg := loc.Region
		if reg.Snippet == nil {
			t.Errorf("result at %s:%d has no snippet", loc.ArtifactLocation.URI, reg.StartLine)
			continue
		}
		// The URI is relative to the base meshlint named files from.
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		text, err := os.ReadFile(filepath.Join(loader.DisplayBase("", []string{reportManifests}, wd), filepath.FromSlash(loc.ArtifactLocation.URI)))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(text), "\n")[reg.StartLine-1 : reg.EndLine]
		lines[len(lines)-1] = string([]rune(lines[len(lines)-1])[:reg.EndColumn-1])
		lines[0] = string([]rune(lines[0])[reg.StartColumn-1:])
		if want := strings.Join(lines, "\n"); reg.Snippet.Text != want {
			t.Errorf("snippet %q, want the region's text %q", reg.Snippet.Text, want)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no result to check")
	}
	if r := lintArgs(t, "-f", "json", reportManifests); strings.Contains(r.stdout, "snippet") {
		t.Error("the JSON output carries snippets")
	}
}
