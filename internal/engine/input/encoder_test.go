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

func (x *item) term(e *Encoder) *ast.Term {
	return Object(
		[2]*ast.Term{Key("name"), e.String(x.Name)},
		[2]*ast.Term{Key("n"), e.Int(x.N)},
		[2]*ast.Term{Key("on"), Bool(x.On)},
		[2]*ast.Term{Key("tags"), e.Strings(x.Tags)},
		[2]*ast.Term{Key("empty"), e.Strings(x.Empty)},
		[2]*ast.Term{Key("next"), Ptr(e, x.Next, (*item).term)},
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
	for _, e := range []*Encoder{NewEncoder(), {strings: map[string]*ast.Term{}, ints: map[int64]*ast.Term{}, parallel: 3}, newEncoder()} {
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
