package docgen

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/docs"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/goldenflag"
	"github.com/meshlint/meshlint/policies"
)

const root = "../../.."

// TestGeneratedDocsAreCurrent regenerates the rule docs and embedded
// examples in memory and compares them byte for byte with the committed
// files.
func TestGeneratedDocsAreCurrent(t *testing.T) {
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if *goldenflag.Update {
		if err := write(root, files); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			t.Errorf("%s is missing; run `go generate ./...`", p)
			continue
		}
		if !bytes.Equal(got, files[p]) {
			t.Errorf("%s is stale (%s); run `go generate ./...`", p, firstDifference(got, files[p]))
		}
	}
	stale, err := stalePages(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		t.Errorf("%s documents a rule that no longer exists; run `go generate ./...`", p)
	}
}

func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: have %q, want %q", i+1, clip(g[i]), clip(w[i]))
		}
	}
	return "length differs"
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

var validID = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// TestRuleCatalogIsComplete holds every built-in rule to the contract of
// the catalog: complete METADATA, a unique well-formed
// id, Rego unit tests, bad and good fixtures, and a docs page.
func TestRuleCatalogIsComplete(t *testing.T) {
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(eng.Rules) == 0 {
		t.Fatal("no rules")
	}
	ids := map[string]string{}
	for _, r := range eng.Rules {
		if prev, dup := ids[r.ID]; dup {
			t.Errorf("rule id %s is defined in %s and %s", r.ID, prev, r.File)
		}
		ids[r.ID] = r.File
		if !validID.MatchString(r.ID) {
			t.Errorf("rule id %q is not lower-case words joined by hyphens", r.ID)
		}
		missing := []string{}
		for field, v := range map[string]string{"title": r.Title, "description": r.Description, "custom.severity": r.Severity,
			"custom.category": r.Category, "custom.tier": r.Tier, "custom.fix": r.Fix, "custom.semantics": r.Semantics} {
			if strings.TrimSpace(v) == "" {
				missing = append(missing, field)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s (%s): METADATA lacks %s", r.ID, r.File, strings.Join(slices.Sorted(slices.Values(missing)), ", "))
		}
		switch r.Tier {
		case "core", "full", "helm", "":
		default:
			t.Errorf("%s: tier %q is not core, full or helm", r.ID, r.Tier)
		}
		if r.Source == "" {
			test := strings.TrimPrefix(strings.TrimSuffix(r.File, ".rego")+"_test.rego", "policies/")
			if _, err := policies.FS.Open(test); err != nil {
				t.Errorf("%s: no Rego unit tests (policies/%s)", r.ID, test)
			}
		}
		for _, kind := range []string{"bad", "good"} {
			entries, err := os.ReadDir(filepath.Join(root, "testdata", "rules", r.ID, kind))
			cases := 0
			for _, e := range entries {
				if e.IsDir() {
					cases++
				}
			}
			if err != nil || cases == 0 {
				t.Errorf("%s: no %s fixtures (testdata/rules/%s/%s/<case>/)", r.ID, kind, r.ID, kind)
			}
		}
		if _, err := os.Stat(filepath.Join(root, "docs", "rules", r.ID+".md")); err != nil {
			t.Errorf("%s: no docs page docs/rules/%s.md; run `go generate ./...`", r.ID, r.ID)
		}
	}
	// Fixtures of rules that do not exist are tests of nothing.
	entries, err := os.ReadDir(filepath.Join(root, "testdata", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && ids[e.Name()] == "" {
			t.Errorf("testdata/rules/%s: no rule has this id", e.Name())
		}
	}
}

// TestEmbeddedExamplesServeExplain checks that what the binary embeds is
// what explain shows: a failing example with its finding and a passing one.
func TestEmbeddedExamplesServeExplain(t *testing.T) {
	catalog, err := docs.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	ex := catalog["unused-suppression"]
	if ex == nil || ex.Bad == nil || ex.Good == nil {
		t.Fatalf("no embedded examples for unused-suppression: %+v", ex)
	}
	found := false
	for _, f := range ex.Bad.Findings {
		found = found || f.Rule == "unused-suppression"
	}
	if !found {
		t.Errorf("the failing example shows no unused-suppression finding: %+v", ex.Bad.Findings)
	}
	for _, f := range ex.Bad.Files {
		if strings.Contains(f.Text, "# want") {
			t.Errorf("%s/%s keeps its # want comments", ex.Bad.Dir, f.Name)
		}
	}
}
