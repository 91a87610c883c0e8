package engine

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// viaJSONRoundTrip is what Evaluate did before valueOf: the reference.
func viaJSONRoundTrip(t *testing.T, v any) ast.Value {
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

type inner struct {
	A string `json:"a"`
}

type Embedded struct {
	E int `json:"e"`
}

type sample struct {
	Embedded
	Name     string            `json:"name"`
	Omit     string            `json:"omit,omitempty"`
	Zero     int               `json:"zero,omitempty"`
	Skip     string            `json:"-"`
	NoTag    bool              // encoded under its Go name
	Ptr      *inner            `json:"ptr"`
	NilPtr   *inner            `json:"nilPtr"`
	List     []inner           `json:"list"`
	NilList  []string          `json:"nilList"`
	Empty    []string          `json:"empty"`
	Map      map[string]any    `json:"map"`
	NilMap   map[string]string `json:"nilMap"`
	Any      any               `json:"any"`
	Float    float64           `json:"float"`
	Bytes    []byte            `json:"bytes"`
	Unsigned uint16            `json:"unsigned"`
	BadUTF8  string            `json:"badUTF8"`
	unexp    int
}

func TestValueOfMatchesJSON(t *testing.T) {
	values := []any{
		nil, "s", 3, true, []int{1, 2}, map[string]int{"a": 1},
		sample{Embedded: Embedded{E: 7}, Name: "n", Skip: "x", NoTag: true, Ptr: &inner{"p"}, List: []inner{{"a"}, {"b"}},
			Empty: []string{}, Map: map[string]any{"k": []any{1.5, "v", nil}}, Any: map[string]any{"x": 1}, Float: 0.1,
			Bytes: []byte("hi"), Unsigned: 9, BadUTF8: "a\xffb", unexp: 1},
		&sample{},
	}
	for _, v := range values {
		got, err := valueOf(v)
		if err != nil {
			t.Fatalf("valueOf(%#v): %v", v, err)
		}
		if want := viaJSONRoundTrip(t, v); got.Compare(want) != 0 {
			t.Errorf("valueOf(%#v)\n got %v\nwant %v", v, got, want)
		}
	}
	if _, err := valueOf(math.NaN()); err == nil {
		t.Error("valueOf(NaN) did not fail, as JSON does")
	}
}

// TestValueOfFacts compares the real facts of a generated corpus.
func TestValueOfFacts(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: 60}); err != nil {
		t.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	facts := graph.Build(res.Documents, graph.DefaultSettings()).Facts()
	got, err := valueOf(facts)
	if err != nil {
		t.Fatal(err)
	}
	if want := viaJSONRoundTrip(t, facts); got.Compare(want) != 0 {
		t.Fatal("valueOf(facts) differs from the facts' JSON")
	}
}

// TestValueOfLongList covers lists converted by several goroutines.
func TestValueOfLongList(t *testing.T) {
	list := make([]sample, 3*parallelList+7)
	for i := range list {
		list[i] = sample{Name: strings.Repeat("n", i%70), Zero: i, List: []inner{{A: "x"}}}
	}
	got, err := valueOf(map[string]any{"list": list})
	if err != nil {
		t.Fatal(err)
	}
	if want := viaJSONRoundTrip(t, map[string]any{"list": list}); got.Compare(want) != 0 {
		t.Fatal("valueOf of a long list differs from its JSON")
	}
}
