package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

// securityRules are the rules where mTLS or key material is weakened; every
// other rule is about scraping that breaks (or input meshlint cannot read).
// Changing this list is a decision about which alerts code scanning ranks as
// security issues, so it is pinned here.
var securityRules = []string{
	"istio-certs-volume-not-memory",
	"permissive-exception-shared-port",
	"strict-without-proxy",
	"unused-metrics-exception",
}

func TestRuleTags(t *testing.T) {
	e, err := New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var security []string
	for _, r := range e.Rules {
		if len(r.Tags) == 0 {
			t.Errorf("%s: no custom.tags in its METADATA", r.ID)
		}
		if slices.Contains(r.Tags, "security") {
			security = append(security, r.ID)
			if r.SecuritySeverity == "" {
				t.Errorf("%s: tagged security without custom.security-severity", r.ID)
			}
		} else if r.SecuritySeverity != "" {
			t.Errorf("%s: security-severity without the security tag", r.ID)
		}
		if r.Category != "input" && !slices.Contains(r.Tags, "security") && !slices.Contains(r.Tags, "reliability") {
			t.Errorf("%s: tags %v, want security or reliability", r.ID, r.Tags)
		}
	}
	if !slices.Equal(security, securityRules) {
		t.Errorf("rules tagged security: %v, want %v", security, securityRules)
	}
}

func TestRuleTagsValidated(t *testing.T) {
	for _, c := range []struct {
		name   string
		custom map[string]any
		want   string // "" for valid
	}{
		{"security with severity", map[string]any{"tags": []any{"security"}, "security-severity": "7.0"}, ""},
		{"reliability", map[string]any{"tags": []any{"reliability"}}, ""},
		{"no tags", map[string]any{}, ""},
		{"security without severity", map[string]any{"tags": []any{"security"}}, "needs custom.security-severity"},
		{"severity without security", map[string]any{"tags": []any{"reliability"}, "security-severity": "5.0"}, "needs custom.security-severity"},
		{"severity out of range", map[string]any{"tags": []any{"security"}, "security-severity": "11"}, "from \"0.0\" to \"10.0\""},
		{"severity unquoted", map[string]any{"tags": []any{"security"}, "security-severity": 7.0}, "quoted number"},
		{"tags not a list", map[string]any{"tags": "security"}, "list of strings"},
	} {
		err := readTags(&Rule{RuleDoc: finding.RuleDoc{ID: "x"}}, c.custom)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}
