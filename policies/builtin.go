package policies

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/finding"
)

// GoRule is a rule whose findings meshlint computes in Go, not in Rego:
// what the loader, rendering, a values file or the graph could not read
// (its Kinds), or what the lint works out across findings.
type GoRule struct {
	ID string
	// Kinds are the problems producers report that become this rule's
	// findings; none for a rule the lint computes itself.
	Kinds []finding.Kind
}

// GoRules are the Go-implemented rules, by id.
var GoRules = []GoRule{
	{ID: "duplicate-resource"},
	{ID: "invalid-manifest", Kinds: []finding.Kind{finding.Unreadable, finding.Uninterpreted}},
	{ID: "invalid-peer-authentication", Kinds: []finding.Kind{finding.InvalidPeerAuthentication}},
	{ID: "render-error", Kinds: []finding.Kind{finding.RenderFailed}},
	{ID: "render-skipped", Kinds: []finding.Kind{finding.RenderSkipped}},
	{ID: "unused-suppression"},
}

// ProblemRule is the id of the rule that reports a problem of kind k. Every
// kind has one (a test holds the table to it), so a kind without one is a
// bug in meshlint.
func ProblemRule(k finding.Kind) string {
	for _, r := range GoRules {
		for _, rk := range r.Kinds {
			if rk == k {
				return r.ID
			}
		}
	}
	panic(fmt.Sprintf("finding kind %d has no rule in policies.GoRules", k))
}
