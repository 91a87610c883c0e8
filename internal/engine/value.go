package engine

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// valueOf builds the OPA value of a Go value the way encoding/json would
// encode it (struct tags, omitempty, nil slices and maps as null), without
// writing and re-parsing JSON: on a platform repository the facts are tens
// of MB of JSON, and the round trip cost more than evaluating the rules.
func valueOf(v any) (ast.Value, error) {
	return reflectValue(reflect.ValueOf(v))
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

func reflectValue(v reflect.Value) (ast.Value, error) {
	if !v.IsValid() {
		return ast.Null{}, nil
	}
	t := v.Type()
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		(t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonMarshaler)) {
		// Types with their own encoding: use it, as encoding/json would.
		return viaJSON(v)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		return reflectValue(v.Elem())
	case reflect.Struct:
		return structValue(v)
	case reflect.Slice:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return viaJSON(v) // []byte is base64 text in JSON
		}
		fallthrough
	case reflect.Array:
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			x, err := reflectValue(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = ast.NewTerm(x)
		}
		return ast.NewArray(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if t.Key().Kind() != reflect.String {
			return viaJSON(v)
		}
		obj := ast.NewObject()
		iter := v.MapRange()
		for iter.Next() {
			x, err := reflectValue(iter.Value())
			if err != nil {
				return nil, err
			}
			obj.Insert(ast.StringTerm(validString(iter.Key().String())), ast.NewTerm(x))
		}
		return obj, nil
	case reflect.String:
		return ast.String(validString(v.String())), nil
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return viaJSON(v) // JSON's float text, and its error for NaN and Inf
	}
	return nil, fmt.Errorf("encode facts: unsupported type %s", t)
}

// validString replaces invalid UTF-8 as encoding/json does.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func viaJSON(v reflect.Value) (ast.Value, error) {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, fmt.Errorf("encode facts: %w", err)
	}
	return ast.ValueFromReader(strings.NewReader(string(b)))
}

// field is an encoded struct field: its index path and JSON name.
type field struct {
	index     []int
	name      string
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
			out = append(out, field{index: idx, name: name, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

func structValue(v reflect.Value) (ast.Value, error) {
	fields := fieldsOf(v.Type())
	terms := make([][2]*ast.Term, 0, len(fields))
	for _, f := range fields {
		fv, ok := fieldByIndex(v, f.index)
		if !ok || (f.omitEmpty && isEmpty(fv)) {
			continue
		}
		x, err := reflectValue(fv)
		if err != nil {
			return nil, err
		}
		terms = append(terms, [2]*ast.Term{ast.StringTerm(f.name), ast.NewTerm(x)})
	}
	return ast.NewObject(terms...), nil
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
