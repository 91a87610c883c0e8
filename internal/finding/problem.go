package finding

// Kind is what a producer (the loader, rendering, a values file, the graph)
// found wrong with its input, before it is a rule's finding: producers know
// no rule ids, and the lint maps each kind to the Go-implemented rule that
// reports it.
type Kind uint8

const (
	// Unreadable is a file or document that cannot be linted: broken YAML,
	// not a Kubernetes object, a wrongly typed field a rule needs. The
	// zero Kind, so a producer that meets nothing else need not name it.
	Unreadable Kind = iota
	// Uninterpreted is a value meshlint cannot interpret without rendering
	// the chart it belongs to (a Helm template in a values file): reported
	// like Unreadable, but as a warning, and the object is left unchecked.
	Uninterpreted
	// InvalidPeerAuthentication is a PeerAuthentication value Istio's
	// validation rejects, so the policy is not applied.
	InvalidPeerAuthentication
	// RenderFailed is a chart, Kustomize root or Flux object that cannot be
	// rendered.
	RenderFailed
	// RenderSkipped is something meshlint does not render offline.
	RenderSkipped

	// NumKinds counts the kinds above; a new kind goes before it.
	NumKinds
)

// Problem is one thing a producer found wrong, at a place in a file: the
// range Line:Column to EndLine:EndColumn and, when it is about an object,
// the object and the JSON pointer of the field (Path).
type Problem struct {
	Kind                             Kind
	Message                          string
	File                             string
	Line, Column, EndLine, EndColumn int
	Path                             string
	Resource                         *Resource
	// Internal marks a bug in meshlint (a recovered panic), not a problem
	// of the input: the run still reports everything else, then exits 2.
	Internal bool
}
