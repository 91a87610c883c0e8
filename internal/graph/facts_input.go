package graph

// The rules read the facts as the engine's named sections, one per field of
// Facts (input.scrapes, input.peerAuthReview, ...). The functions that build
// each fact type's OPA term are generated from the fact types, so a new or
// renamed field reaches the rules as encoding/json would encode it; the
// test in facts_input_test.go compares them with the JSON of the facts.
//go:generate go run ../_dev/inputgen -type Facts -out facts_input_gen.go
