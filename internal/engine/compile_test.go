package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestBuiltinChecksChangeNothing: the stages a run without custom policies
// skips only check. The built-in modules compiled without them are, rule
// for rule, the modules compiled with every stage.
func TestBuiltinChecksChangeNothing(t *testing.T) {
	compile := func(skip bool) map[string]string {
		t.Helper()
		sources, err := builtinSources(false)
		if err != nil {
			t.Fatal(err)
		}
		modules, err := parseModules(sources, Capabilities())
		if err != nil {
			t.Fatal(err)
		}
		c := ast.NewCompiler().WithCapabilities(Capabilities()).WithEnablePrintStatements(false)
		if skip {
			c.WithSkipStages(builtinChecks...)
		}
		if c.Compile(modules); c.Failed() {
			t.Fatalf("built-in rules do not compile (skipping the checks: %v): %v", skip, c.Errors)
		}
		out := map[string]string{}
		for name, m := range c.Modules {
			out[name] = m.String()
		}
		return out
	}
	all, skipped := compile(false), compile(true)
	if len(all) != len(skipped) {
		t.Fatalf("%d modules with every stage, %d without the checks", len(all), len(skipped))
	}
	for name, want := range all {
		if got := skipped[name]; got != want {
			t.Errorf("module %s compiles differently without the checks:\nwith every stage:\n%s\nwithout the checks:\n%s", name, want, got)
		}
	}
}

// TestCustomPolicyIsTypeChecked: a custom policy gets every check of the
// compiler, the type check among them, although the built-in rules alone
// are compiled without them.
func TestCustomPolicyIsTypeChecked(t *testing.T) {
	dir := writePolicy(t, "report contains x if {\n\tn := 1 + \"one\"\n\tx := {\"resource\": n, \"pointer\": \"\", \"message\": \"m\"}\n}\n")
	_, err := New(context.Background(), []string{dir})
	if err == nil {
		t.Fatal("a policy adding a number and a string compiled")
	}
	for _, want := range []string{"my_rule.rego:12:", "rego_type_error"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
