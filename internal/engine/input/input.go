// Package input is the rules' input as named sections: each section is one
// top-level key of the input the rules read (input.scrapes,
// input.peerAuthReview) and a function that builds its OPA value. The
// engine converts a section when the first stage that reads it runs and
// drops it after the last one (internal/engine/stages.go), so only the
// parts of the facts the running rules read are alive as OPA values.
//
// The producer of the facts writes, for each fact type, the function that
// builds its term with an Encoder (internal/graph/facts_input.go, generated
// from the fact types by ./inputgen); no reflection runs while the rules
// are evaluated.
package input

import "github.com/open-policy-agent/opa/v1/ast"

// Input is the named sections of the rules' input, in the order given.
type Input struct {
	sections []Section
}

// Section is one top-level key of the input and how to build its value.
type Section struct {
	Key string
	// term builds the value; nil once the section is released. A term of
	// nil leaves the key out of the input.
	term func(*Encoder) *ast.Term
}

// Of is a section whose value term builds.
func Of(key string, term func(*Encoder) *ast.Term) Section {
	return Section{Key: key, term: term}
}

// Value is a section holding an OPA value already built.
func Value(key string, v ast.Value) Section {
	t := ast.NewTerm(v)
	return Of(key, func(*Encoder) *ast.Term { return t })
}

// New is an input of these sections; a later section under a key already
// given replaces the earlier one.
func New(sections ...Section) *Input {
	in := &Input{}
	for _, s := range sections {
		if i := in.index(s.Key); i >= 0 {
			in.sections[i] = s
			continue
		}
		in.sections = append(in.sections, s)
	}
	return in
}

func (in *Input) index(key string) int {
	for i := range in.sections {
		if in.sections[i].Key == key {
			return i
		}
	}
	return -1
}

// Keys lists the keys of the sections not yet released, in order.
func (in *Input) Keys() []string {
	var out []string
	for _, s := range in.sections {
		if s.term != nil {
			out = append(out, s.Key)
		}
	}
	return out
}

// Term builds the value of the section under key with e; nil when there is
// no such section, it was released, or it leaves its key out.
func (in *Input) Term(e *Encoder, key string) *ast.Term {
	if i := in.index(key); i >= 0 && in.sections[i].term != nil {
		return in.sections[i].term(e)
	}
	return nil
}

// Release drops the section under key, so that what its value is built
// from can be collected once the caller holds no other reference to it.
func (in *Input) Release(key string) {
	if i := in.index(key); i >= 0 {
		in.sections[i].term = nil
	}
}

// Object is the input object of every section not yet released.
func (in *Input) Object(e *Encoder) ast.Object {
	pairs := make([][2]*ast.Term, 0, len(in.sections))
	for _, s := range in.sections {
		if s.term == nil {
			continue
		}
		if t := s.term(e); t != nil {
			pairs = append(pairs, [2]*ast.Term{ast.StringTerm(s.Key), t})
		}
	}
	return ast.NewObject(pairs...)
}
