package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Rules run in a pure Rego sandbox. A custom policy comes from the linted
// tree, which in CI is a pull request's: it must not reach the network, the
// environment or the files of the machine, and the same tree must give the
// same findings on every run. So the built-ins that do any of that are left
// out of the capabilities the rules are compiled with, and a policy that
// calls one does not compile. The built-in rules are compiled with the same
// capabilities (they need none of these).
//
// What stays was checked one by one against OPA's v1 built-ins: the
// net.cidr_* built-ins compute on strings (no lookup); time.parse_*,
// time.date, time.clock, time.add_date, time.diff and time.format compute on
// the time they are given; io.jwt.verify_* check a signature and no clock;
// print is erased at compile time (print statements are disabled) and trace
// writes only to a tracer, which meshlint never installs, so neither can
// write to stderr.

// forbiddenBuiltins are the built-ins rules may not call, with why.
var forbiddenBuiltins = map[string]string{
	"http.send":              "it reaches the network",
	"net.lookup_ip_addr":     "it reaches the network (a DNS lookup)",
	"providers.aws.sign_req": "it only signs requests for http.send, which reaches the network",
	"opa.runtime":            "it reads the environment and configuration of the meshlint process",
	"time.now_ns":            "it reads the clock, so findings would differ from run to run",
	"rand.intn":              "it is random, so findings would differ from run to run",
	"uuid.rfc4122":           "it is random, so findings would differ from run to run",
	"io.jwt.decode_verify":   "it checks the token's expiry against the current time, so findings would differ from run to run",
	"io.jwt.encode_sign":     "its signatures may be randomized, so findings would differ from run to run",
	"io.jwt.encode_sign_raw": "its signatures may be randomized, so findings would differ from run to run",
	"crypto.x509.parse_and_verify_certificates":              "it checks validity against the current time, so findings would differ from run to run",
	"crypto.x509.parse_and_verify_certificates_with_options": "it checks validity against the current time unless told otherwise, so findings would differ from run to run",
	"json.verify_schema":                                     "it resolves the schema's $ref, which may name a file:// or http:// URL",
	"json.match_schema":                                      "it resolves the schema's $ref, which may name a file:// or http:// URL",
}

// deniedBuiltin reports whether rules may not call the built-in name.
func deniedBuiltin(name string) bool {
	_, denied := forbiddenBuiltins[name]
	return denied
}

// Capabilities are OPA's capabilities with the forbidden built-ins removed
// and no network host allowed.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if !deniedBuiltin(b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// explainForbidden adds, to each compile error that is a call of a
// forbidden built-in, why meshlint forbids it; OPA alone says only
// "undefined function".
func explainForbidden(err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return err
	}
	out := make(ast.Errors, 0, len(errs))
	for _, e := range errs {
		if name, ok := strings.CutPrefix(e.Message, "undefined function "); ok {
			if why, forbidden := forbiddenBuiltins[name]; forbidden {
				c := *e
				c.Message = fmt.Sprintf("%s: meshlint forbids %s in policies because %s; rules must be pure functions of the manifests",
					e.Message, name, why)
				e = &c
			}
		}
		out = append(out, e)
	}
	return out
}

// ForbiddenBuiltins lists the built-ins rules may not call, sorted.
func ForbiddenBuiltins() []string {
	out := make([]string, 0, len(forbiddenBuiltins))
	for name := range forbiddenBuiltins {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
