package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/engine"
)

// forbiddenCalls call each built-in the sandbox forbids.
var forbiddenCalls = map[string]string{
	"http.send":              `http.send({"method": "get", "url": "https://example.com"})`,
	"net.lookup_ip_addr":     `net.lookup_ip_addr("example.com")`,
	"providers.aws.sign_req": `providers.aws.sign_req({}, {}, 0)`,
	"opa.runtime":            `opa.runtime()`,
	"time.now_ns":            `time.now_ns()`,
	"rand.intn":              `rand.intn("x", 10)`,
	"uuid.rfc4122":           `uuid.rfc4122("x")`,
	"io.jwt.decode_verify":   `io.jwt.decode_verify("a.b.c", {"secret": "s"})`,
	"io.jwt.encode_sign":     `io.jwt.encode_sign({"alg": "HS256"}, {}, {"kty": "oct", "k": "a"})`,
	"io.jwt.encode_sign_raw": `io.jwt.encode_sign_raw("{}", "{}", "{}")`,
	"crypto.x509.parse_and_verify_certificates":              `crypto.x509.parse_and_verify_certificates("x")`,
	"crypto.x509.parse_and_verify_certificates_with_options": `crypto.x509.parse_and_verify_certificates_with_options("x", {})`,
	"json.verify_schema":                                     `json.verify_schema({"$ref": "file:///etc/passwd"})`,
	"json.match_schema":                                      `json.match_schema({}, {"$ref": "file:///etc/passwd"})`,
}

// TestForbiddenBuiltinsExit2 compiles a custom policy calling each
// forbidden built-in: exit 2 with its file and line, the built-in and why,
// and nothing evaluated (no report written).
func TestForbiddenBuiltinsExit2(t *testing.T) {
	app := writeFile(t, t.TempDir(), "app.yaml", appWith("labels: {}"))
	for _, name := range engine.ForbiddenBuiltins() {
		call, ok := forbiddenCalls[name]
		if !ok {
			t.Errorf("no test calls the forbidden built-in %s", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "my_rule.rego", policyHeader+"report contains x if {\n\tx := "+call+"\n}\n")
			r := lintArgs(t, "-f", "json", "--policy", dir, app)
			want := filepath.ToSlash(filepath.Join(dir, "my_rule.rego")) + ":12: rego_type_error: undefined function " + name +
				": meshlint forbids " + name + " in policies because "
			if r.code != ExitError || !strings.Contains(r.stderr, want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", r.code, r.stderr, want)
			}
			if r.stdout != "" {
				t.Errorf("a policy that does not compile was evaluated: %s", r.stdout)
			}
		})
	}
}

// TestPolicyTimeoutStopsAHangingPolicy runs a comprehension over 20k x 20k
// under --policy-timeout 1s: exit 2 naming the policy and the flag, and no
// finding.
func TestPolicyTimeoutStopsAHangingPolicy(t *testing.T) {
	app := writeFile(t, t.TempDir(), "app.yaml", appWith("labels: {}"))
	dir := t.TempDir()
	writeFile(t, dir, "my_rule.rego", policyHeader+`report contains x if {
	n := count([1 | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000); i != j])
	x := {"resource": 0, "pointer": "", "message": sprintf("%d", [n])}
}
`)
	r := lintArgs(t, "-f", "json", "--policy-timeout", "1s", "--policy", dir, app)
	if r.code != ExitError {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"my-rule", "meshlint.rules.org.my_rule", filepath.ToSlash(filepath.Join(dir, "my_rule.rego")),
		"did not finish within 1s", "raise --policy-timeout"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("a timed-out run wrote a report: %s", r.stdout)
	}
	if r := lintArgs(t, "--policy-timeout", "0s", app); r.code != ExitError || !strings.Contains(r.stderr, "--policy-timeout must be positive") {
		t.Errorf("--policy-timeout 0s: exit %d %s", r.code, r.stderr)
	}
}

// TestMaxFileSizeBelowTheLargestInt: readers ask for one byte more than
// --max-file-size, so the largest int64 is refused as a usage error (exit
// 2) rather than overflowing into a panic or an empty read of every file.
func TestMaxFileSizeBelowTheLargestInt(t *testing.T) {
	app := writeFile(t, t.TempDir(), "app.yaml", appWith("labels: {}"))
	if r := lintArgs(t, "--max-file-size", "9223372036854775807", app); r.code != ExitError || !strings.Contains(r.stderr, "--max-file-size must be less than") {
		t.Errorf("--max-file-size of the largest int64: exit %d %s", r.code, r.stderr)
	}
	if r := lintArgs(t, "--max-file-size", "9223372036854775806", app); r.code == ExitError {
		t.Errorf("--max-file-size one below the largest int64: exit %d %s", r.code, r.stderr)
	}
}

// TestPolicyMemoryBudgetStopsABomb: numbers.range over 10^11 numbers
// would take the heap to terabytes long before --policy-timeout; the
// watchdog stops it at --max-policy-memory with exit 2, naming the policy
// and the flag, and nothing is written.
func TestPolicyMemoryBudgetStopsABomb(t *testing.T) {
	app := writeFile(t, t.TempDir(), "app.yaml", appWith("labels: {}"))
	dir := t.TempDir()
	writeFile(t, dir, "my_rule.rego", policyHeader+`report contains x if {
	n := count(numbers.range(1, 100000000000))
	x := {"resource": 0, "pointer": "", "message": sprintf("%d", [n])}
}
`)
	r := lintArgs(t, "-f", "json", "--max-policy-memory", "256", "--policy", dir, app)
	if r.code != ExitError {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"my-rule", "meshlint.rules.org.my_rule", "past 256 MiB", "raise --max-policy-memory"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("a stopped run wrote a report: %s", r.stdout)
	}
	// The built-in rules run far below the default budget.
	if r := lintArgs(t, "-f", "json", app); r.code == ExitError {
		t.Errorf("built-in rules under the default budget: exit 2\n%s", r.stderr)
	}
}

// TestPrintAndTraceStayQuiet: a policy's print and trace never reach
// meshlint's stderr, escaped or not.
func TestPrintAndTraceStayQuiet(t *testing.T) {
	const marker = "PRINTMARKERz4"
	app := writeFile(t, t.TempDir(), "app.yaml", appWith("labels: {}"))
	dir := t.TempDir()
	writeFile(t, dir, "my_rule.rego", policyHeader+"report contains x if {\n\tprint(\""+marker+"\\u001b]0;title\\u0007\")\n\ttrace(\""+marker+"\")\n\tx := {\"resource\": 0, \"pointer\": \"\", \"message\": \"m\"}\n}\n")
	r := lintArgs(t, "--policy", dir, app)
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want 1 from the policy's finding\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, marker) {
		t.Errorf("print or trace reached the output:\n%s%s", r.stdout, r.stderr)
	}
}

// TestPolicyTimeoutNeverAFinding is the other half: a policy within its
// deadline reports as usual, so --policy-timeout changes nothing but hangs.
func TestPolicyTimeoutNeverAFinding(t *testing.T) {
	app := writeFile(t, t.TempDir(), "app.yaml", appWith("labels: {}"))
	a := lintArgs(t, "-f", "json", "--policy-timeout", "10m", app)
	b := lintArgs(t, "-f", "json", app)
	if a.code != b.code || a.stdout != b.stdout {
		t.Errorf("--policy-timeout changed the result: exit %d vs %d", a.code, b.code)
	}
}
