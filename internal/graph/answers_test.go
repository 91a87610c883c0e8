package graph

import (
	"testing"
)

// The tests of this file pin the questions the graph answers in one place
// (issue 13): each builds an input on which two readers of the answer would
// disagree if one of them decided for itself.

// TestOnePrecedenceForModeAndConflict: the mode a workload gets and the
// conflict fact name the same winner, counting an object rendered twice
// once, whatever the input order.
func TestOnePrecedenceForModeAndConflict(t *testing.T) {
	for _, order := range [][]string{{"b", "a"}, {"a", "b"}} {
		text := deploy("shop", "cart", "{app: cart}", "", "")
		modes := map[string]string{"a": "PERMISSIVE", "b": "STRICT"}
		for _, name := range order {
			text += pa("shop", name, "mtls: {mode: "+modes[name]+"}")
		}
		text += pa("shop", "b", "mtls: {mode: STRICT}") // b again: one object
		g := build(t, text)
		d := g.EffectiveMode(workload(t, g, "cart"), 8080)
		if d.Policy == nil || d.Policy.Name != "a" || d.Mode != ModePermissive || len(d.Ambiguous) != 1 {
			t.Fatalf("order %v: mode decided by %+v", order, d)
		}
		conflicts := g.peerAuthConflicts()
		if len(conflicts) != 1 || conflicts[0].Winner.Name != "shop/"+d.Policy.Name || len(conflicts[0].Others) != len(d.Ambiguous) {
			t.Errorf("order %v: conflict %+v, mode winner %s with %d others", order, conflicts, d.Policy.Name, len(d.Ambiguous))
		}
	}
	pas := []*PeerAuthentication{{Name: "b", Namespace: "x"}, {Name: "a", Namespace: "y"}, {Name: "a", Namespace: "x"}}
	ordered, known := precedence(pas)
	if known || len(ordered) != 3 || ordered[0] != pas[2] || ordered[1] != pas[1] || ordered[2] != pas[0] {
		t.Errorf("precedence = %v, known %v: want name, then namespace", ordered, known)
	}
	if pas[0].Name != "b" {
		t.Error("precedence reordered its argument")
	}
}
