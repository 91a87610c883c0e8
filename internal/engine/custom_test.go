package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/meshlint/meshlint/internal/confine"
)

// TestExamplePolicyUnitTests runs the Rego unit tests of the worked custom
// rule in examples/policies (docs/custom-policies.md) against meshlint's
// library, the way a user's `opa test` would.
func TestExamplePolicyUnitTests(t *testing.T) {
	builtin, err := builtinSources(false)
	if err != nil {
		t.Fatal(err)
	}
	var sources []source
	for _, s := range builtin {
		if strings.HasPrefix(s.name, "policies/lib/") {
			sources = append(sources, s)
		}
	}
	user, err := userSources(confine.Unconfined(), "../../examples/policies", true, &readBudget{left: MaxPolicyTotalBytes})
	if err != nil {
		t.Fatal(err)
	}
	modules, err := parseModules(append(sources, user...), Capabilities())
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
		if r.Error != nil || r.Fail {
			t.Errorf("%s.%s failed: %v\n%s", r.Package, r.Name, r.Error, r.Output)
		}
	}
	if ran < 4 {
		t.Errorf("%d example tests ran, want at least 4", ran)
	}
}

// TestCapabilitiesDenyTheOutsideWorld pins the built-ins no rule may call,
// and the pure ones that stay.
func TestCapabilitiesDenyTheOutsideWorld(t *testing.T) {
	caps := Capabilities()
	for _, b := range caps.Builtins {
		if deniedBuiltin(b.Name) {
			t.Errorf("built-in %s is allowed", b.Name)
		}
	}
	kept := map[string]bool{}
	for _, b := range caps.Builtins {
		kept[b.Name] = true
	}
	for _, name := range []string{"http.send", "net.lookup_ip_addr", "opa.runtime", "time.now_ns", "rand.intn",
		"uuid.rfc4122", "io.jwt.decode_verify", "crypto.x509.parse_and_verify_certificates", "json.verify_schema", "json.match_schema"} {
		if kept[name] {
			t.Errorf("%s is allowed", name)
		}
	}
	for _, name := range []string{"sprintf", "startswith", "net.cidr_contains", "net.cidr_merge", "time.parse_rfc3339_ns",
		"time.date", "time.add_date", "io.jwt.verify_hs256", "crypto.x509.parse_certificates", "print", "trace"} {
		if !kept[name] {
			t.Errorf("pure built-in %s was removed too", name)
		}
	}
	if len(caps.AllowNet) != 0 {
		t.Errorf("AllowNet = %v, want none", caps.AllowNet)
	}
}
