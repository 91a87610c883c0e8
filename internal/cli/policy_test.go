package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// examplePolicies is the worked custom rule of docs/custom-policies.md.
const examplePolicies = "../../examples/policies"

// TestCustomPolicyExample runs the documented custom rule on its fixtures,
// with the same `# want` contract as the built-in rules.
func TestCustomPolicyExample(t *testing.T) {
	for _, c := range []struct{ kind, dir string }{
		{"bad", "../../testdata/custom-policy/bad/permissive-port"},
		{"good", "../../testdata/custom-policy/good/strict-port-over-https"},
	} {
		t.Run(c.kind, func(t *testing.T) { runFixture(t, "plaintext-scrape-in-mesh", c.kind, c.dir) })
	}
	// Without --policy the bad case is clean: the finding is the custom rule's.
	r := lintArgs(t, "-f", "json", "../../testdata/custom-policy/bad/permissive-port")
	if r.code != ExitOK || len(decode(t, r.stdout).Findings) != 0 {
		t.Errorf("without --policy: exit %d\n%s", r.code, r.stdout)
	}
}

func TestCustomPolicyIsDocumented(t *testing.T) {
	r := lintArgs(t, "rules", "--policy", examplePolicies, "--format", "json")
	var rules []struct{ ID, Title, Severity, Category, Tier, Fix string }
	if err := json.Unmarshal([]byte(r.stdout), &rules); err != nil {
		t.Fatalf("rules json: %v\n%s", err, r.stderr)
	}
	found := false
	for _, rule := range rules {
		if rule.ID == "plaintext-scrape-in-mesh" {
			found = true
			if rule.Title != "Plaintext scrape inside the mesh" || rule.Severity != "warning" || rule.Category != "org" ||
				rule.Tier != "custom" || !strings.Contains(rule.Fix, "scheme: https") {
				t.Errorf("custom rule metadata %+v", rule)
			}
		}
	}
	if !found {
		t.Errorf("meshlint rules --policy does not list the custom rule")
	}
	r = lintArgs(t, "explain", "--policy", examplePolicies, "plaintext-scrape-in-mesh")
	if r.code != ExitOK || !strings.Contains(r.stdout, "Plaintext scrape inside the mesh") ||
		!strings.Contains(r.stdout, "plaintext-scrape-in-mesh.rego (--policy)") {
		t.Errorf("explain of a custom rule: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

const policyHeader = `# METADATA
# title: T
# description: D
# custom:
#   id: my-rule
#   severity: warning
#   category: org
#   fix: F
package meshlint.rules.org.my_rule

`

// TestBadPoliciesExit2 checks that a policy that does not compile, or that
// reaches outside the manifests, stops meshlint with the file and line.
func TestBadPoliciesExit2(t *testing.T) {
	app := writeFile(t, t.TempDir(), "app.yaml", appWith("labels: {}"))
	cases := []struct{ name, body, want string }{
		{"syntax error", "report contains x if {\n\tx := \n}\n", "my_rule.rego:13: rego_parse_error: unexpected } token"},
		{"undefined reference", "report contains x if {\n\tx := undefined_function(1)\n}\n", "my_rule.rego:12: rego_type_error: undefined function undefined_function"},
		{"http.send", "report contains x if {\n\tx := http.send({\"method\": \"get\", \"url\": \"https://example.com\"})\n}\n", "my_rule.rego:12: rego_type_error: undefined function http.send"},
		{"net.lookup_ip_addr", "report contains x if {\n\tx := net.lookup_ip_addr(\"example.com\")\n}\n", "my_rule.rego:12: rego_type_error: undefined function net.lookup_ip_addr"},
		{"opa.runtime", "report contains x if {\n\tx := opa.runtime().env\n}\n", "my_rule.rego:12: rego_type_error: undefined function opa.runtime"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "my_rule.rego", policyHeader+c.body)
			r := lintArgs(t, "--policy", dir, app)
			if r.code != ExitError || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", r.code, r.stderr, c.want)
			}
			if !strings.Contains(r.stderr, filepath.ToSlash(dir)) {
				t.Errorf("stderr does not name the policy directory %s:\n%s", dir, r.stderr)
			}
		})
	}
	dir := t.TempDir()
	writeFile(t, dir, "undocumented.rego", "package meshlint.rules.org.undocumented\n\nreport := set()\n")
	if r := lintArgs(t, "--policy", dir, app); r.code != ExitError || !strings.Contains(r.stderr, "undocumented.rego:1: rule package meshlint.rules.org.undocumented has no METADATA block") {
		t.Errorf("policy without METADATA: exit %d, stderr %s", r.code, r.stderr)
	}
}

// TestCustomRulesDocIsAccurate keeps docs/custom-policies.md honest: every
// complete rule in it compiles under meshlint's capabilities, and the output
// it quotes is what meshlint prints.
func TestCustomRulesDocIsAccurate(t *testing.T) {
	b, err := os.ReadFile("../../docs/custom-policies.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	blocks := regexp.MustCompile("(?s)```rego\n(.*?)```").FindAllStringSubmatch(doc, -1)
	compiled := 0
	for i, m := range blocks {
		if !strings.Contains(m[1], "package meshlint.rules.") {
			continue // a fragment
		}
		dir := t.TempDir()
		writeFile(t, dir, "snippet.rego", m[1])
		if r := lintArgs(t, "rules", "--policy", dir); r.code != ExitOK {
			t.Errorf("rego block %d of docs/custom-policies.md does not compile:\n%s\n%s", i, r.stderr, m[1])
		}
		compiled++
	}
	if compiled < 2 {
		t.Errorf("%d complete rules compiled from docs/custom-policies.md, want the worked example and the facts dump", compiled)
	}
	t.Chdir("../..")
	r := lintArgs(t, "--policy", "examples/policies", "testdata/custom-policy/bad/permissive-port")
	first, _, _ := strings.Cut(r.stdout, "\n")
	if r.code != ExitOK || first == "" || !strings.Contains(doc, "\n"+first+"\n") {
		t.Errorf("docs/custom-policies.md should quote the output line\n%s\n(exit %d)", first, r.code)
	}
}

// TestCustomRuleTextIsEscaped: `rules` and `explain` print a custom
// policy's METADATA, which comes from the linted tree; its escape
// sequences, bidi overrides and workflow commands are shown, not obeyed.
func TestCustomRuleTextIsEscaped(t *testing.T) {
	dir := t.TempDir()
	policy := "# METADATA\n# title: \"Evil \\u001b[2J\\u202etitle\"\n# description: \"line\\n::add-mask::secret\\n##[error]forged\"\n" +
		"# custom:\n#   id: evil-rule\n#   severity: warning\n#   category: org\n#   fix: F\npackage meshlint.rules.org.evil_rule\n\nreport contains x if {\n\tx := 1\n\tfalse\n}\n"
	writeFile(t, dir, "evil.rego", policy)
	for _, args := range [][]string{
		{"rules", "--policy", dir},
		{"rules", "--policy", dir, "--format", "markdown"},
		{"explain", "--policy", dir, "evil-rule"},
	} {
		r := lintArgs(t, args...)
		if r.code != ExitOK {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "Evil") {
			t.Fatalf("%v: the custom rule is not listed:\n%s", args, r.stdout)
		}
		if strings.ContainsAny(r.stdout, "\x1b\u202e") {
			t.Errorf("%v: a raw escape or bidi override reached stdout:\n%q", args, r.stdout)
		}
		for _, line := range strings.Split(r.stdout, "\n") {
			if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "::") || strings.Contains(line, "##[") {
				t.Errorf("%v: a line could run a workflow command: %q", args, line)
			}
		}
	}
}
