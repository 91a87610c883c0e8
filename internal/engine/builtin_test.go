package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"

	"github.com/meshlint/meshlint/policies"
)

// The rules of policies.GoRules are in the catalog like Rego rules, with
// their METADATA, and are never evaluated as Rego.
func TestGoRulesInCatalog(t *testing.T) {
	eng, err := New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range policies.GoRules {
		r := eng.Rule(g.ID)
		if r == nil {
			t.Errorf("Go rule %s is not in the catalog", g.ID)
			continue
		}
		if g.InRego {
			if r.File == GoRulesFile {
				t.Errorf("rule %s is documented in Rego, not in %s", g.ID, GoRulesFile)
			}
			continue
		}
		if r.File != GoRulesFile || r.Title != g.Title || r.Severity != g.Severity || !r.Builtin || r.Package != "" {
			t.Errorf("Go rule %s in the catalog: %+v", g.ID, r)
		}
		if _, evaluated := eng.byPkg[r.Package]; evaluated {
			t.Errorf("Go rule %s is evaluated as Rego", g.ID)
		}
	}
	for i := 1; i < len(eng.Rules); i++ {
		if eng.Rules[i-1].ID >= eng.Rules[i].ID {
			t.Errorf("catalog not sorted by id: %s before %s", eng.Rules[i-1].ID, eng.Rules[i].ID)
		}
	}
}

// A policy may not take the id of a Go rule: its findings and the Go
// rule's would be one rule with two documentations.
func TestPolicyCannotReuseGoRuleID(t *testing.T) {
	dir := t.TempDir()
	body := strings.Replace(testHeader, "id: my-rule", "id: render-error", 1) + "report := set()\n"
	if err := os.WriteFile(filepath.Join(dir, "my_rule.rego"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New(context.Background(), []string{dir})
	if err == nil || !strings.Contains(err.Error(), "rule id render-error is already defined in "+GoRulesFile) {
		t.Fatalf("a policy reusing the id render-error: %v", err)
	}
}

// checkGoRule asks of a Go rule what METADATA asks of a Rego rule.
func TestCheckGoRule(t *testing.T) {
	ok := Rule{RuleDoc: finding.RuleDoc{ID: "x", Title: "T", Description: "D", Severity: "note", Category: "input", Tier: "full", Fix: "F"}}
	if err := checkGoRule(&ok); err != nil {
		t.Fatalf("complete rule: %v", err)
	}
	for name, change := range map[string]func(*Rule){
		"no title":          func(r *Rule) { r.Title = "" },
		"bad severity":      func(r *Rule) { r.Severity = "fatal" },
		"security no score": func(r *Rule) { r.Tags = []string{"security"} },
	} {
		r := ok
		change(&r)
		if err := checkGoRule(&r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
