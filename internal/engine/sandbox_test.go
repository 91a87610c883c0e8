package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/engine/input"
)

// TestForbiddenBuiltinsExist keeps the list honest: a misspelt name would
// forbid nothing.
func TestForbiddenBuiltinsExist(t *testing.T) {
	all := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		all[b.Name] = true
	}
	for _, name := range ForbiddenBuiltins() {
		if !all[name] {
			t.Errorf("forbidden built-in %s is not one of OPA's", name)
		}
	}
}

// TestEveryNondeterministicBuiltinIsForbidden fails when an OPA upgrade adds
// a built-in OPA itself marks non-deterministic and nobody decided on it.
func TestEveryNondeterministicBuiltinIsForbidden(t *testing.T) {
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Nondeterministic && !deniedBuiltin(b.Name) {
			t.Errorf("OPA marks %s non-deterministic, but rules may call it; forbid it in sandbox.go or say there why not", b.Name)
		}
	}
}

// TestBuiltinRulesCompileInTheSandbox: the built-in rules get the same
// capabilities as custom ones, so they must compile under them.
func TestBuiltinRulesCompileInTheSandbox(t *testing.T) {
	sources, err := builtinSources(false)
	if err != nil {
		t.Fatal(err)
	}
	modules, err := parseModules(sources, Capabilities())
	if err != nil {
		t.Fatal(err)
	}
	c := ast.NewCompiler().WithCapabilities(Capabilities())
	if c.Compile(modules); c.Failed() {
		t.Fatalf("built-in rules do not compile in the sandbox: %v", c.Errors)
	}
}

const testHeader = `# METADATA
# title: T
# description: D
# custom:
#   id: my-rule
#   severity: warning
#   category: org
#   fix: F
package meshlint.rules.org.my_rule

`

func writePolicy(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "my_rule.rego"), []byte(testHeader+body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestForbiddenBuiltinExplained: the compile error names the file, the line,
// the built-in and why it is forbidden.
func TestForbiddenBuiltinExplained(t *testing.T) {
	dir := writePolicy(t, "report contains x if {\n\tx := time.now_ns()\n}\n")
	_, err := New(context.Background(), []string{dir})
	if err == nil {
		t.Fatal("a policy calling time.now_ns compiled")
	}
	for _, want := range []string{"my_rule.rego:12:", "undefined function time.now_ns", "meshlint forbids time.now_ns", "reads the clock"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// TestPrintAndTraceWriteNothing evaluates a policy that prints and traces a
// marker, with the process's stderr captured.
func TestPrintAndTraceWriteNothing(t *testing.T) {
	const marker = "PRINTMARKERq7"
	dir := writePolicy(t, "report contains x if {\n\tprint(\""+marker+"\\u001b[31m\")\n\ttrace(\""+marker+"\")\n\tx := {\"resource\": 0, \"pointer\": \"\", \"message\": \"m\"}\n}\n")
	eng, err := New(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	findings, evalErr := eng.Evaluate(context.Background(), input.New())
	os.Stderr = saved
	w.Close()
	out, _ := io.ReadAll(r)
	if evalErr != nil {
		t.Fatal(evalErr)
	}
	if len(findings) != 1 {
		t.Fatalf("%d findings, want the policy's one (the print and trace must not stop it)", len(findings))
	}
	if strings.Contains(string(out), marker) {
		t.Errorf("print or trace wrote to stderr: %q", out)
	}
}

// TestDeadlineStopsAPolicy evaluates a policy that would run for minutes
// with a small deadline: an error naming the policy and the flag.
func TestDeadlineStopsAPolicy(t *testing.T) {
	dir := writePolicy(t, "report contains x if {\n\tn := count([1 | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000); i != j])\n\tx := {\"resource\": 0, \"pointer\": \"\", \"message\": sprintf(\"%d\", [n])}\n}\n")
	eng, err := Compile(context.Background(), Options{PolicyDirs: []string{dir}, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eng.Evaluate(context.Background(), input.New())
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a *TimeoutError", err)
	}
	for _, want := range []string{"my-rule", "meshlint.rules.org.my_rule", "my_rule.rego", "--policy-timeout", "200ms"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// TestPolicyReadsAreConfinedAndBounded: a policy directory outside the
// root, a .rego link leaving it, a FIFO and files over the limits are
// refused by name, before they are read.
func TestPolicyReadsAreConfinedAndBounded(t *testing.T) {
	tree, outside := t.TempDir(), t.TempDir()
	root := confine.New([]string{tree}, nil)
	write := func(dir, name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(outside, "rules/ok.rego", "package CANARYpolicy\n")
	compile := func(dir string) error {
		_, err := Compile(context.Background(), Options{PolicyDirs: []string{dir}, Root: root})
		return err
	}
	cases := map[string]struct {
		setup func() string
		want  string
	}{
		"directory outside": {func() string { return filepath.Join(outside, "rules") }, "read policy directory " + filepath.ToSlash(filepath.Join(outside, "rules")) + ": leaves the repository"},
		"link leaving the tree": {func() string {
			dir := filepath.Join(tree, "links")
			write(dir, "a.rego", testHeader+"report := set()\n")
			if err := os.Symlink(filepath.Join(outside, "rules", "ok.rego"), filepath.Join(dir, "b.rego")); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "b.rego: leaves the repository"},
		"fifo": {func() string {
			dir := filepath.Join(tree, "fifo")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := mkfifo(filepath.Join(dir, "p.rego")); err != nil {
				t.Skip(err)
			}
			return dir
		}, "p.rego: a named pipe (FIFO), not a regular file"},
		"file too large": {func() string {
			dir := filepath.Join(tree, "large")
			write(dir, "big.rego", testHeader+"# "+strings.Repeat("x", MaxPolicyFileBytes)+"\n")
			return dir
		}, "big.rego: larger than the 1048576 bytes left of the limits on policies"},
		"all too large": {func() string {
			dir := filepath.Join(tree, "many")
			for i := range 9 {
				write(dir, fmt.Sprintf("p%d.rego", i), "package p\n# "+strings.Repeat("x", MaxPolicyFileBytes-20)+"\n")
			}
			return dir
		}, "p8.rego: larger than the"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := compile(c.setup())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "CANARY") {
				t.Errorf("a file outside the tree was read: %v", err)
			}
		})
	}
}

// TestDeadlineInTheSingleQuery: a rule directly under data.meshlint.rules
// makes every rule run as one query; its deadline names the custom rules.
func TestDeadlineInTheSingleQuery(t *testing.T) {
	dir := t.TempDir()
	text := strings.Replace(testHeader, "package meshlint.rules.org.my_rule", "package meshlint.rules.my_rule", 1) +
		"report contains x if {\n\tn := count([1 | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000); i != j])\n\tx := {\"resource\": 0, \"pointer\": \"\", \"message\": sprintf(\"%d\", [n])}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "my_rule.rego"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(context.Background(), Options{PolicyDirs: []string{dir}, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if eng.stages != nil {
		t.Fatal("the rules were staged; this test needs the single query")
	}
	_, err = eng.Evaluate(context.Background(), input.New())
	var te *TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "my-rule (package meshlint.rules.my_rule") {
		t.Fatalf("err = %v, want a *TimeoutError naming my-rule", err)
	}
}
