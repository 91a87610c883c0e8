package loader

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// billionLaughs is a document whose aliases expand to 9^levels scalars.
func billionLaughs(kind string, levels int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: monitoring.coreos.com/v1\nkind: %s\nmetadata: {name: lol, namespace: mal}\nspec:\n", kind)
	b.WriteString("  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < levels; i++ {
		p := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "  l%d: &l%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	return b.String()
}

// allocatedBy reports the bytes f allocates.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestYAMLParserDoesNotExpandAliases pins what yaml.v3 does on its own, which
// the limits rely on: parsing into yaml.Node keeps aliases as references
// (the bomb costs the size of its text), while decoding into Go values
// expands them and stops with yaml.v3's own "excessive aliasing" error.
func TestYAMLParserDoesNotExpandAliases(t *testing.T) {
	text := billionLaughs("ServiceMonitor", 9) // 9^9 = 387,420,489 scalars
	var root yaml.Node
	var err error
	bytes := allocatedBy(func() { err = yaml.Unmarshal([]byte(text), &root) })
	if err != nil {
		t.Fatalf("parse into yaml.Node: %v", err)
	}
	if bytes > 1<<20 {
		t.Errorf("parsing a %d-byte bomb into yaml.Node allocated %d bytes: yaml.v3 expands aliases", len(text), bytes)
	}
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Errorf("decoding into Go values: got %v, want yaml.v3's excessive aliasing error", err)
	}
}

// TestAliasBombIsBoundedBeforeConversion lints billion-laughs documents of a
// kind rules read (converted) and of one they do not: both are reported with
// the --max-nodes message, and neither is expanded (the memory used is a
// small multiple of the text, not of the 387 million nodes).
func TestAliasBombIsBoundedBeforeConversion(t *testing.T) {
	for _, kind := range []string{"ServiceMonitor", "Widget"} {
		text := billionLaughs(kind, 9)
		var pf parsedFile
		bytes := allocatedBy(func() { pf = parseFile("bomb.yaml", []byte(text), DefaultLimits, testKinds, nil, false) })
		if len(pf.problems) != 1 || !strings.Contains(pf.problems[0].Message, "more than the limit of 1000000 YAML nodes") ||
			!strings.Contains(pf.problems[0].Message, "--max-nodes raises it") {
			t.Fatalf("%s: problems %+v", kind, pf.problems)
		}
		if pf.problems[0].Line != 11 {
			t.Errorf("%s: reported at line %d, want 11 (l6, the anchor that passes the limit)", kind, pf.problems[0].Line)
		}
		if bytes > 4<<20 {
			t.Errorf("%s: a %d-byte bomb allocated %d bytes", kind, len(text), bytes)
		}
	}
}

// TestLimitsAreEnforced checks each limit just below and just above its
// value, and that the message names the limit and its flag.
func TestLimitsAreEnforced(t *testing.T) {
	limits := Limits{MaxFileBytes: 1 << 20, MaxDocuments: 3, MaxDepth: 5, MaxNodes: 50}
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	deep := func(levels int) string { // the innermost [] is at depth levels (the document is 0)
		return "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: " + strings.Repeat("[", levels) + strings.Repeat("]", levels) + "\n"
	}
	// 11 nodes besides the n items: the mapping, its 4 keys, 2 scalar
	// values, metadata with its key and value, and the data sequence.
	nodes := func(n int) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [" + strings.Repeat("x, ", n-1) + "x]\n"
	}
	cases := []struct {
		name, text string
		want       string // "" for no problem
	}{
		{"documents at the limit", strings.Repeat(doc+"---\n", 2) + doc, ""},
		{"documents over the limit", strings.Repeat(doc+"---\n", 3) + doc, "file holds more than the limit of 3 YAML documents; --max-documents raises it"},
		{"depth at the limit", deep(5), ""},
		{"depth over the limit", deep(6), "document is nested deeper than the limit of 5 levels; --max-depth raises it"},
		{"nodes at the limit", nodes(50 - 11), ""},
		{"nodes over the limit", nodes(50 - 10), "document expands to more than the limit of 50 YAML nodes"},
	}
	for _, c := range cases {
		pf := parseFile("f.yaml", []byte(c.text), limits, testKinds, nil, false)
		var msgs []string
		for _, p := range pf.problems {
			msgs = append(msgs, p.Message)
		}
		got := strings.Join(msgs, "; ")
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: problems %q, want %q", c.name, got, c.want)
		}
	}
}

// TestDocumentLimitCountsContent: empty documents and comments do not count
// against --max-documents; over it, the documents before the limit are
// read and the limit is reported once, at the first document over it.
func TestDocumentLimitCountsContent(t *testing.T) {
	limits := Limits{MaxFileBytes: 1 << 20, MaxDocuments: 3, MaxDepth: 20, MaxNodes: 500}
	doc := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" }
	empties := strings.Repeat("---\n# nothing\n---\n", 50)
	text := empties + doc("a") + empties + "---\n" + doc("b") + "---\n" + doc("c") + empties + "---\n" + doc("d") + "---\n" + doc("e")
	pf := parseFile("f.yaml", []byte(text), limits, testKinds, nil, false)
	var names []string
	for _, d := range pf.docs {
		names = append(names, d.Name)
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Errorf("documents %v, want a,b,c", names)
	}
	wantLine := strings.Count(text[:strings.Index(text, doc("d"))], "\n")
	if len(pf.problems) != 1 || pf.problems[0].Line != wantLine ||
		!strings.Contains(pf.problems[0].Message, "limit of 3 YAML documents; --max-documents raises it") {
		t.Errorf("problems %+v, want one at line %d naming the limit and its flag", pf.problems, wantLine)
	}

	onlyEmpty := strings.Repeat("---\n", 10) + doc("a") + strings.Repeat("---\n...\n", 10)
	if pf := parseFile("f.yaml", []byte(onlyEmpty), limits, testKinds, nil, false); len(pf.docs) != 1 || len(pf.problems) != 0 {
		t.Errorf("empty documents counted: %d documents, problems %+v", len(pf.docs), pf.problems)
	}
}

// TestShapeLimitsDropOnlyTheirDocument: a document over --max-depth or
// --max-nodes is reported, and the documents around it are still read.
func TestShapeLimitsDropOnlyTheirDocument(t *testing.T) {
	limits := Limits{MaxFileBytes: 1 << 20, MaxDocuments: 10, MaxDepth: 5, MaxNodes: 60}
	sm := "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: %s}\nspec: {}\n"
	for name, bad := range map[string]string{
		"depth":        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: [[[[[[]]]]]]\n",
		"parser depth": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: " + strings.Repeat("[", 10001) + "\n",
		"nodes":        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: &a [x, x, x, x, x, x, x, x]\nmore: [*a, *a, *a, *a, *a, *a, *a, *a]\n",
	} {
		text := fmt.Sprintf(sm, "before") + "---\n" + bad + "---\n" + fmt.Sprintf(sm, "after")
		pf := parseFile("f.yaml", []byte(text), limits, testKinds, nil, false)
		var names []string
		for _, d := range pf.docs {
			names = append(names, d.Name)
		}
		if strings.Join(names, ",") != "before,after" || len(pf.problems) != 1 || pf.problems[0].Line < 6 || pf.problems[0].Line > 10 {
			t.Errorf("%s: documents %v, problems %+v; want before,after and one problem in the middle document", name, names, pf.problems)
		}
	}
}
