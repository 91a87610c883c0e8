package input

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

type item struct {
	Name  string   `json:"name"`
	N     int      `json:"n"`
	On    bool     `json:"on"`
	Tags  []string `json:"tags"`
	Empty []string `json:"empty"`
	Next  *item    `json:"next"`
}

// The keys of item, one term each, as the generated encoders share them.
var keyName, keyN, keyOn, keyTags, keyEmpty, keyNext = Key("name"), Key("n"), Key("on"), Key("tags"), Key("empty"), Key("next")

func (x *item) term(e *Encoder) *ast.Term {
	return e.Object(
		[2]*ast.Term{keyName, e.String(x.Name)},
		[2]*ast.Term{keyN, e.Int(x.N)},
		[2]*ast.Term{keyOn, Bool(x.On)},
		[2]*ast.Term{keyTags, e.Strings(x.Tags)},
		[2]*ast.Term{keyEmpty, e.Strings(x.Empty)},
		[2]*ast.Term{keyNext, Ptr(e, x.Next, (*item).term)},
	)
}

func viaJSON(t *testing.T, v any) ast.Value {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	x, err := ast.ValueFromReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestListMatchesJSON: a list long enough to be converted on several
// goroutines, with strings shared and not (long ones, invalid UTF-8),
// numbers OPA interns and ones it does not, nil and empty lists, and nil
// and set pointers, is the value of its JSON, in order.
func TestListMatchesJSON(t *testing.T) {
	list := make([]item, 3*parallelList+7)
	for i := range list {
		list[i] = item{Name: strings.Repeat("n", i%(2*maxSharedString)) + string(rune('a'+i%3)), N: i * 1000, On: i%2 == 0, Empty: []string{}}
		if i%5 == 0 {
			list[i].Tags = []string{"a\xffb", "x"}
			list[i].Next = &item{Name: "next", N: -i}
		}
	}
	three := newEncoder()
	three.parallel = 3
	for _, e := range []*Encoder{NewEncoder(), three, newEncoder()} {
		got := List(e, list, (*item).term)
		if want := viaJSON(t, list); got.Value.Compare(want) != 0 {
			t.Fatalf("list converted with %d goroutines differs from its JSON", e.parallel)
		}
	}
	if got := List(NewEncoder(), []item(nil), (*item).term); got.Value.Compare(ast.Null{}) != 0 {
		t.Errorf("nil list is %v, want null", got)
	}
}

// TestInputSections: a section is built when asked, left out when its
// term is nil, and gone once released.
func TestInputSections(t *testing.T) {
	built := 0
	in := New(
		Of("a", func(e *Encoder) *ast.Term { built++; return e.Int(1) }),
		Of("gone", func(*Encoder) *ast.Term { return nil }),
		Value("b", ast.String("x")),
		Value("a", ast.String("replaced")),
	)
	if got := in.Term(NewEncoder(), "a"); built != 0 || got.Value.Compare(ast.String("replaced")) != 0 {
		t.Errorf("a later section under a key did not replace the earlier: %v, built %d", got, built)
	}
	if got := in.Object(NewEncoder()); got.Compare(ast.MustParseTerm(`{"a": "replaced", "b": "x"}`).Value) != 0 {
		t.Errorf("input %v", got)
	}
	in.Release("b")
	if in.Term(NewEncoder(), "b") != nil || strings.Join(in.Keys(), ",") != "a,gone" {
		t.Errorf("after release: keys %v", in.Keys())
	}
}

// TestEqualValuesShared: equal objects and lists are built once and
// shared, the objects that hold them too; a difference anywhere in an
// object, a key, a value or one more pair, gives it a term of its own.
func TestEqualValuesShared(t *testing.T) {
	e := newEncoder()
	a := item{Name: "a", N: 123456, Tags: []string{"x", "y"}, Next: &item{Name: "next", Empty: []string{}}}
	b := a
	b.Tags = []string{"x", "y"}
	b.Next = &item{Name: "next", Empty: []string{}}
	ta, tb := a.term(e), b.term(e)
	if ta != tb {
		t.Errorf("equal objects built twice: %v", ta)
	}
	if ta.Value.(ast.Object).Get(keyTags) != e.Strings([]string{"x", "y"}) {
		t.Error("equal lists built twice")
	}
	c := a
	c.Next = &item{Name: "other"}
	if tc := c.term(e); tc == ta || tc.Value.Compare(ta.Value) == 0 {
		t.Errorf("objects that differ in a nested value share a term: %v", tc)
	}
	pairs := [][2]*ast.Term{{keyN, e.Int(1)}}
	one := e.Object(pairs...)
	if two := e.Object(append(pairs, [2]*ast.Term{keyOn, e.Int(1)})...); two == one || two.Value.(ast.Object).Len() != 2 {
		t.Errorf("an object with one more pair is %v", two)
	}
	if other := e.Object([2]*ast.Term{keyOn, e.Int(1)}); other == one {
		t.Errorf("an object with another key is %v", other)
	}
	if got := e.Object(pairs...); got != one {
		t.Error("an object built again from the same terms is not shared")
	}
}
