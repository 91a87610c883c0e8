package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRegoUnitTests runs every *_test.rego under policies/ through OPA's
// tester, so `go test ./...` needs no opa binary.
func TestRegoUnitTests(t *testing.T) {
	sources, err := builtinSources(true)
	if err != nil {
		t.Fatal(err)
	}
	modules, err := parseModules(sources, Capabilities())
	if err != nil {
		t.Fatal(err)
	}
	ch, err := tester.NewRunner().SetModules(modules).SetDefaultRegoVersion(ast.RegoV1).
		CapturePrintOutput(true).RaiseBuiltinErrors(true).Run(context.Background(), modules)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for r := range ch {
		ran++
		name := r.Package + "." + r.Name
		if r.Error != nil {
			t.Errorf("%s: error: %v", name, r.Error)
			continue
		}
		if r.Fail {
			t.Errorf("%s: failed at %v\n%s", name, r.FailedAt, r.Output)
		}
	}
	if ran == 0 {
		t.Fatal("no Rego tests ran")
	}
	t.Logf("%d Rego tests", ran)
}

// TestEveryRuleHasRegoTests keeps the catalog honest: a rule without tests
// is a rule nobody has seen fail.
func TestEveryRuleHasRegoTests(t *testing.T) {
	sources, err := builtinSources(true)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range sources {
		names[s.name] = true
	}
	eng, err := New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eng.Rules {
		if r.File == GoRulesFile {
			continue // a Go rule: covered by Go tests and fixtures
		}
		test := strings.TrimSuffix(r.File, ".rego") + "_test.rego"
		if !names[test] {
			t.Errorf("rule %s (%s) has no %s", r.ID, r.File, test)
		}
		if want := r.ID + ".rego"; !strings.HasSuffix(r.File, "/"+want) {
			t.Errorf("rule %s lives in %s; name the file %s", r.ID, r.File, want)
		}
		if !strings.Contains(r.File, "/"+r.Category+"/") {
			t.Errorf("rule %s (category %s) lives in %s", r.ID, r.Category, r.File)
		}
	}
}
