package graph

import (
	"strings"
	"testing"
)

// TestSafeAddRecovers feeds add a resource it cannot handle (no document: a
// nil dereference, standing in for any bug) and checks that the panic comes
// back as an internal problem instead of ending the run.
func TestSafeAddRecovers(t *testing.T) {
	g := &Graph{Namespaces: map[string]*Namespace{}}
	ferr, internal := g.safeAdd(&Resource{Kind: "Service", Name: "x"})
	if ferr == nil || !internal {
		t.Fatalf("got %+v, internal %v; want an internal problem", ferr, internal)
	}
	if !strings.Contains(ferr.Message, "internal error while reading this resource (please report it)") {
		t.Errorf("message %q", ferr.Message)
	}
}
