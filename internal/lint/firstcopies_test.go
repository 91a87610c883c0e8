package lint

import (
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

// TestFirstCopiesAcrossAHashCollision: two identities of one hash are
// still two objects, each with its own first copy.
func TestFirstCopiesAcrossAHashCollision(t *testing.T) {
	doc := func(ns, name string) *loader.Document {
		return &loader.Document{APIVersion: "v1", Kind: "Service", Namespace: ns, Name: name}
	}
	a1, a2, b1, b2 := doc("shop", "cart"), doc("shop", "cart"), doc("shop", "checkout"), doc("shop", "checkout")
	idA, _ := identityOf(a1)
	idB, _ := identityOf(b1)
	x := newFirstCopies(0)
	// b1 arrives first under a's hash, as if the two hashes collided.
	x.byHash[x.hash(idA)] = b1
	if got, seen := x.first(idA, a1); seen || got != a1 {
		t.Fatalf("first copy of cart = %v, %v; want itself, unseen", got.Name, seen)
	}
	if got, seen := x.first(idA, a2); !seen || got != a1 {
		t.Errorf("second copy of cart: %v, %v; want the first", got.Name, seen)
	}
	if got, seen := x.first(idB, b2); seen || got != b2 {
		t.Errorf("checkout under its own hash: %v, %v; want itself, unseen", got.Name, seen)
	}
	if got, seen := x.first(idB, doc("shop", "checkout")); !seen || got != b2 {
		t.Errorf("second copy of checkout: %v, %v; want b2", got.Name, seen)
	}
}
