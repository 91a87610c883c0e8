package engine

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// valueOf builds the OPA value of a Go value the way encoding/json would
// encode it (struct tags, omitempty, nil slices and maps as null), without
// writing and re-parsing JSON: on a platform repository the facts are tens
// of MB of JSON, and a round trip through it costs more than evaluating the
// rules (docs/performance.md#history).
//
// Terms that repeat are shared, as OPA shares its own interned terms: the
// key of each struct field, booleans, small numbers, and short strings
// (modes, schemes, pointers, names): most of the input repeats, so sharing
// keeps the memory the input takes while the rules run small.
func valueOf(v any) (ast.Value, error) {
	c := converter{strings: map[string]*ast.Term{}, ints: map[int64]*ast.Term{}, parallel: runtime.GOMAXPROCS(0)}
	t, err := c.term(reflect.ValueOf(v))
	if err != nil {
		return nil, err
	}
	return t.Value, nil
}

// valueOfKeys is valueOf with only the given top-level keys of the object
// v encodes to (a struct or a map with string keys); all of them when keys
// is nil. Keys v does not have are left out.
func valueOfKeys(v any, keys []string) (ast.Value, error) {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && !rv.IsNil() {
		rv = rv.Elem()
	}
	if keys == nil || !rv.IsValid() || customEncoding(rv.Type()) {
		return valueOf(v)
	}
	keep := map[string]bool{}
	for _, k := range keys {
		keep[k] = true
	}
	c := converter{strings: map[string]*ast.Term{}, ints: map[int64]*ast.Term{}, parallel: runtime.GOMAXPROCS(0)}
	switch {
	case rv.Kind() == reflect.Struct:
		return c.structObject(rv, keep)
	case rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String:
		items := [][2]*ast.Term{}
		for _, k := range keys {
			x := rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()))
			if !x.IsValid() {
				continue
			}
			t, err := c.term(x)
			if err != nil {
				return nil, err
			}
			items = append(items, [2]*ast.Term{ast.StringTerm(k), t})
		}
		return ast.NewObject(items...), nil
	}
	return valueOf(v)
}

type converter struct {
	strings map[string]*ast.Term // short strings seen so far
	ints    map[int64]*ast.Term  // numbers beyond OPA's own interned ones: resource ids
	pairs   [][2]*ast.Term       // scratch for structTerm
	// parallel is how many goroutines convert a long list; the rules wait
	// for this conversion, and the other cores have nothing else to do.
	parallel int
}

// parallelList is the length from which a list is split over goroutines.
const parallelList = 2048

// maxSharedString bounds the strings worth sharing: longer ones, such as
// messages, rarely repeat.
const maxSharedString = 64

func (c *converter) intTerm(i int64) *ast.Term {
	if ast.HasInternedValue(i) {
		return ast.InternedTerm(i)
	}
	t, ok := c.ints[i]
	if !ok {
		t = ast.InternedTerm(i) // a new term: OPA interns only small numbers
		c.ints[i] = t
	}
	return t
}

func (c *converter) stringTerm(s string) *ast.Term {
	if len(s) > maxSharedString {
		return ast.StringTerm(validString(s))
	}
	t, ok := c.strings[s]
	if !ok {
		t = ast.StringTerm(validString(s))
		c.strings[s] = t
	}
	return t
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

func (c *converter) term(v reflect.Value) (*ast.Term, error) {
	if !v.IsValid() {
		return ast.InternedNullTerm, nil
	}
	t := v.Type()
	if customEncoding(t) {
		// Types with their own encoding: use it, as encoding/json would.
		return viaJSON(v)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.InternedNullTerm, nil
		}
		return c.term(v.Elem())
	case reflect.Struct:
		return c.structTerm(v)
	case reflect.Slice:
		if v.IsNil() {
			return ast.InternedNullTerm, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return viaJSON(v) // []byte is base64 text in JSON
		}
		fallthrough
	case reflect.Array:
		return c.list(v)
	case reflect.Map:
		if v.IsNil() {
			return ast.InternedNullTerm, nil
		}
		if t.Key().Kind() != reflect.String {
			return viaJSON(v)
		}
		items := make([][2]*ast.Term, 0, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			x, err := c.term(iter.Value())
			if err != nil {
				return nil, err
			}
			items = append(items, [2]*ast.Term{c.stringTerm(iter.Key().String()), x})
		}
		return ast.NewTerm(ast.NewObject(items...)), nil
	case reflect.String:
		return c.stringTerm(v.String()), nil
	case reflect.Bool:
		return ast.InternedTerm(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return c.intTerm(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return ast.NumberTerm(json.Number(strconv.FormatUint(v.Uint(), 10))), nil
	case reflect.Float32, reflect.Float64:
		return viaJSON(v) // JSON's float text, and its error for NaN and Inf
	}
	return nil, fmt.Errorf("encode facts: unsupported type %s", t)
}

func (c *converter) list(v reflect.Value) (*ast.Term, error) {
	terms := make([]*ast.Term, v.Len())
	convert := func(c *converter, lo, hi int) error {
		for i := lo; i < hi; i++ {
			x, err := c.term(v.Index(i))
			if err != nil {
				return err
			}
			terms[i] = x
		}
		return nil
	}
	if n := len(terms); n >= parallelList && c.parallel > 1 {
		// Each goroutine has its own shared strings, and converts its part
		// serially; the parts keep the list's order.
		errs := make([]error, c.parallel)
		var wg sync.WaitGroup
		for w := range c.parallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[w] = convert(&converter{strings: map[string]*ast.Term{}, ints: map[int64]*ast.Term{}}, w*n/c.parallel, (w+1)*n/c.parallel)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	} else if err := convert(c, 0, len(terms)); err != nil {
		return nil, err
	}
	return ast.NewTerm(ast.NewArray(terms...)), nil
}

var customEncodings sync.Map // reflect.Type -> bool

// customEncoding reports whether a type marshals itself, remembered per
// type: the answer depends on the type only, and asking reflect for it on
// every value is a measurable part of the conversion.
func customEncoding(t reflect.Type) bool {
	if c, ok := customEncodings.Load(t); ok {
		return c.(bool)
	}
	c := t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		(t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonMarshaler))
	customEncodings.Store(t, c)
	return c
}

// validString replaces invalid UTF-8 as encoding/json does.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func viaJSON(v reflect.Value) (*ast.Term, error) {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, fmt.Errorf("encode facts: %w", err)
	}
	x, err := ast.ValueFromReader(strings.NewReader(string(b)))
	if err != nil {
		return nil, fmt.Errorf("encode facts: %w", err)
	}
	return ast.NewTerm(x), nil
}

// field is an encoded struct field: its index path and JSON name.
type field struct {
	index     []int
	name      string
	key       *ast.Term // the name as a term, shared by every object
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type -> []field

// fieldsOf lists what encoding/json encodes of a struct type: exported
// fields under their tag names, with untagged embedded structs inlined.
func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var out []field
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			if sf.Anonymous && name == "" {
				et := sf.Type
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					walk(et, idx)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if seen[name] {
				continue // the shallower field wins, as in encoding/json
			}
			seen[name] = true
			out = append(out, field{index: idx, name: name, key: ast.StringTerm(name),
				omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

func (c *converter) structTerm(v reflect.Value) (*ast.Term, error) {
	obj, err := c.structObject(v, nil)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(obj), nil
}

// structObject is the object of a struct, with only the fields named in
// keep, or all of them when keep is nil.
func (c *converter) structObject(v reflect.Value, keep map[string]bool) (ast.Object, error) {
	// The pairs go on a scratch stack that nested structs share, since
	// NewObject copies them: one allocation less for every object.
	start := len(c.pairs)
	defer func() { c.pairs = c.pairs[:start] }()
	for _, f := range fieldsOf(v.Type()) {
		if keep != nil && !keep[f.name] {
			continue
		}
		fv, ok := fieldByIndex(v, f.index)
		if !ok || (f.omitEmpty && isEmpty(fv)) {
			continue
		}
		x, err := c.term(fv)
		if err != nil {
			return nil, err
		}
		c.pairs = append(c.pairs, [2]*ast.Term{f.key, x})
	}
	return ast.NewObject(c.pairs[start:]...), nil
}

// fieldByIndex follows an index path; ok is false through a nil embedded
// pointer, whose fields encoding/json leaves out.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// isEmpty is encoding/json's test for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
