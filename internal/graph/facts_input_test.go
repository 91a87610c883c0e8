package graph

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/internal/engine/input"
	"github.com/meshlint/meshlint/internal/loader"
)

// viaJSON is the reference the input sections must equal: OPA's own
// conversion of the facts' JSON.
func viaJSON(t *testing.T, f *Facts) ast.Object {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		t.Fatal(err)
	}
	v, err := ast.InterfaceToValue(x)
	if err != nil {
		t.Fatal(err)
	}
	return v.(ast.Object)
}

// sameAsJSON checks each section of f's input, and the input as a whole,
// against the JSON of f.
func sameAsJSON(t *testing.T, name string, f *Facts) {
	t.Helper()
	want := viaJSON(t, f)
	in := f.Input()
	if got := in.Object(input.NewEncoder()); got.Compare(want) != 0 {
		t.Errorf("%s: the input differs from the facts' JSON", name)
	}
	for _, k := range want.Keys() {
		key := string(k.Value.(ast.String))
		got := in.Term(input.NewEncoder(), key)
		if got == nil {
			t.Errorf("%s: no section %s", name, key)
			continue
		}
		if w := want.Get(k); got.Value.Compare(w.Value) != 0 {
			t.Errorf("%s: section %s\n got %v\nwant %v", name, key, got, w)
		}
	}
	if len(in.Keys()) != want.Len() {
		t.Errorf("%s: sections %v, JSON keys %v", name, in.Keys(), want.Keys())
	}
}

// TestInputMatchesJSONOfFixtures: on the facts of every rule's fixtures and
// of the examples, the generated conversion (facts_input_gen.go) builds
// exactly the value OPA builds from the facts' JSON.
func TestInputMatchesJSONOfFixtures(t *testing.T) {
	dirs, err := filepath.Glob("../../testdata/rules/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no rule fixtures: %v", err)
	}
	dirs = append(dirs, "../../examples")
	for _, dir := range dirs {
		res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		sameAsJSON(t, dir, Build(res.Documents, DefaultSettings()).Facts())
	}
}

// TestInputMatchesJSONOfEveryField: facts with every field set (and facts
// with none) convert as their JSON does, so a field the fixtures leave at
// its zero value cannot drift either.
func TestInputMatchesJSONOfEveryField(t *testing.T) {
	sameAsJSON(t, "zero facts", &Facts{})
	var full Facts
	fill(reflect.ValueOf(&full).Elem(), 0)
	sameAsJSON(t, "full facts", &full)
	if full.Scrapes[0].Prometheus == nil && full.Scrapes[1].Prometheus == nil || full.Scrapes[1].TLS.CertFiles[1].Message == "" {
		t.Fatal("fill left fields empty")
	}
}

// fill sets every field reachable from v to a value that differs from
// field to field: two items in each list, invalid UTF-8 in some
// strings, and a nil pointer in every second list item.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		s := v.Type().String() + string(rune('a'+depth))
		if depth%3 == 2 {
			s += "\xff"
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(depth%2 == 0)
	case reflect.Int:
		v.SetInt(int64(100000 + depth))
	case reflect.Pointer:
		if depth%2 == 1 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+i)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), depth+i)
		}
	}
}
