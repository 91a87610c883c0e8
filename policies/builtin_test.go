package policies

import (
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

// Every kind of problem a producer reports belongs to exactly one rule, so
// ProblemRule never meets a kind it cannot name.
func TestEveryProblemKindHasOneRule(t *testing.T) {
	owners := map[finding.Kind][]string{}
	for _, r := range GoRules {
		for _, k := range r.Kinds {
			owners[k] = append(owners[k], r.ID)
		}
	}
	for k := finding.Kind(0); k < finding.NumKinds; k++ {
		if len(owners[k]) != 1 {
			t.Errorf("problem kind %d is reported by %v, want exactly one rule", k, owners[k])
		}
	}
	if got := ProblemRule(finding.RenderSkipped); got != "render-skipped" {
		t.Errorf("ProblemRule(RenderSkipped) = %q", got)
	}
}
