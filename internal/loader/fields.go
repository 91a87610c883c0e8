package loader

// Fields says which parts of a decoded value a caller reads, so that the
// fast decoder can leave the rest out of the object it builds
// (Options.Fields): most of a Deployment's text is what no rule reads
// (its containers' env, probes, resources, security contexts, volumes), and
// building it was most of what decoding allocated. What is left out is
// still read as YAML, with every check the fast decoder makes, so broken
// YAML is reported exactly as before; only the values are not built.
//
// A rule applies to a value of its shape: Only and Within to a mapping,
// Each to a sequence. A value of another shape is kept whole, as is every
// field whose rule is nil.
type Fields struct {
	only  bool               // fields not named in sub are left out
	sub   map[string]*Fields // the rules of the named fields; nil keeps a field whole
	items *Fields            // the rule of a sequence's items
}

// Only keeps just the named fields of a mapping, each by its rule (nil:
// whole).
func Only(fields map[string]*Fields) *Fields { return &Fields{only: true, sub: fields} }

// Within keeps every field of a mapping, the named ones by their rules.
func Within(fields map[string]*Fields) *Fields { return &Fields{sub: fields} }

// Each applies a rule to every item of a sequence.
func Each(item *Fields) *Fields { return &Fields{items: item} }

// FieldsOf gives the rule for the objects of a kind; nil keeps them whole.
type FieldsOf func(apiVersion, kind string) *Fields

// leaves reports whether the rule leaves out a mapping's field.
func (f *Fields) leaves(key string) bool {
	if f == nil || !f.only {
		return false
	}
	_, named := f.sub[key]
	return !named
}

// of is the rule of a mapping's field.
func (f *Fields) of(key string) *Fields {
	if f == nil {
		return nil
	}
	return f.sub[key]
}

// item is the rule of a sequence's items.
func (f *Fields) item() *Fields {
	if f == nil {
		return nil
	}
	return f.items
}

// Apply is what the rule keeps of a decoded value (map[string]any, []any
// and scalars, as the loader decodes them), as new maps and slices: the
// reference for the decoder, and for the tests of a caller's rules. It
// reports whether anything was left out.
func (f *Fields) Apply(v any) (any, bool) {
	if f == nil {
		return v, false
	}
	switch x := v.(type) {
	case map[string]any:
		if f.sub == nil && !f.only {
			return v, false
		}
		out, partial := make(map[string]any, len(x)), false
		for k, val := range x {
			if f.leaves(k) {
				partial = true
				continue
			}
			kept, p := f.of(k).Apply(val)
			out[k], partial = kept, partial || p
		}
		return out, partial
	case []any:
		if f.items == nil {
			return v, false
		}
		out, partial := make([]any, len(x)), false
		for i, val := range x {
			kept, p := f.items.Apply(val)
			out[i], partial = kept, partial || p
		}
		return out, partial
	}
	return v, false
}
