package loader

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// testKinds are the kinds the tests of this package decode: the mesh graph's
// at the time they were written (the graph owns the real list).
var testKinds Kinds = func(_, kind string) bool { return meshKinds[kind] }

var meshKinds = map[string]bool{
	"Namespace": true, "Service": true,
	"Pod": true, "Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true,
	"ReplicationController": true, "Job": true, "CronJob": true, "Rollout": true,
	"PeerAuthentication": true, "ServiceMonitor": true, "PodMonitor": true, "Prometheus": true, "PrometheusAgent": true,
	"ScrapeConfig": true, "Probe": true, "Policy": true, "MeshPolicy": true,
	"Endpoints": true, "EndpointSlice": true,
	"VMServiceScrape": true, "VMPodScrape": true, "VMStaticScrape": true, "VMAgent": true, "VMSingle": true,
}

// TestCallerChoosesDecodedKinds: the caller's Kinds, and nothing the loader
// knows, decide which objects are decoded, by group as well as by name,
// whether apiVersion comes before kind or after it, on every path
// (prescan, fastDecode, the full parse).
func TestCallerChoosesDecodedKinds(t *testing.T) {
	widgets := func(apiVersion, kind string) bool {
		return kind == "Widget" && strings.HasPrefix(apiVersion, "example.com/")
	}
	docs := map[string]string{
		"ours, apiVersion first":  "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: a\nspec:\n  size: 3\n",
		"ours, kind first":        "kind: Widget\napiVersion: example.com/v1\nmetadata:\n  name: a\nspec:\n  size: 3\n",
		"ours, flow style":        "{apiVersion: example.com/v1, kind: Widget, metadata: {name: a}, spec: {size: 3}}\n",
		"other group, kind first": "kind: Widget\napiVersion: other.io/v1\nmetadata:\n  name: a\nspec:\n  size: 3\n",
		"other group":             "apiVersion: other.io/v1\nkind: Widget\nmetadata:\n  name: a\n",
		"other kind":              "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 80}]\n",
	}
	for name, text := range docs {
		for _, fast := range []bool{true, false} {
			fastPaths = fast
			pf := parseFile("f.yaml", []byte(text), DefaultLimits, widgets, nil, false)
			fastPaths = true
			if len(pf.docs) != 1 || len(pf.problems) != 0 {
				t.Fatalf("%s (fast paths %v): %d documents, problems %v", name, fast, len(pf.docs), pf.problems)
			}
			want := strings.HasPrefix(name, "ours")
			if got := pf.docs[0].Object != nil; got != want {
				t.Errorf("%s (fast paths %v): decoded %v, want %v", name, fast, got, want)
			}
			if want && pf.decodedSize() != 3 {
				t.Errorf("%s: spec.size not decoded: %v", name, pf.docs[0].Object)
			}
		}
		// Without Kinds, every object is decoded.
		if pf := parseFile("f.yaml", []byte(text), DefaultLimits, nil, nil, false); len(pf.docs) != 1 || pf.docs[0].Object == nil {
			t.Errorf("%s: not decoded without Kinds", name)
		}
	}
}

func (pf parsedFile) decodedSize() int64 {
	spec, _ := pf.docs[0].Object["spec"].(map[string]any)
	n, _ := spec["size"].(int64)
	return n
}

// TestSkippedDocumentsNameTheirKind: a document skipped as not an object
// carries its apiVersion and kind, for callers that know more about it.
func TestSkippedDocumentsNameTheirKind(t *testing.T) {
	pf := parseFile("f.yaml", []byte("apiVersion: tools.example.com/v1\nkind: Profile\nspec: {}\n"), DefaultLimits, testKinds, nil, false)
	if len(pf.notObjects) != 1 {
		t.Fatalf("skips: %+v", pf.notObjects)
	}
	if s := pf.notObjects[0]; s.APIVersion != "tools.example.com/v1" || s.Kind != "Profile" {
		t.Errorf("skip: %+v", s)
	}
}

// TestIdentitiesAreShared: documents of the same apiVersion and kind, of
// any kind and on every path, share one copy of each string (none of the
// file's text), so that a repository's identities cost their count, not
// their documents'.
func TestIdentitiesAreShared(t *testing.T) {
	text := "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: a}\n---\n" + // full parse
		"apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: b\n---\n" + // prescan
		"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: c\n---\n" + // fastDecode
		"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: d\n"
	widgets := func(_, kind string) bool { return kind == "Widget" }
	pf := parseFile("f.yaml", []byte(text), DefaultLimits, widgets, nil, false)
	if len(pf.docs) != 4 {
		t.Fatalf("%d documents", len(pf.docs))
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	d := pf.docs
	if !same(d[0].APIVersion, d[1].APIVersion) || !same(d[1].APIVersion, d[2].APIVersion) || !same(d[2].APIVersion, d[3].APIVersion) {
		t.Error("apiVersion copied per document")
	}
	if !same(d[0].Kind, d[1].Kind) || !same(d[2].Kind, d[3].Kind) {
		t.Error("kind copied per document")
	}
	if strings.Contains(pf.text, d[2].Kind) && unsafe.StringData(d[2].Kind) == unsafe.StringData(pf.text[strings.Index(pf.text, "Widget"):]) {
		t.Error("kind is a slice of the file's text")
	}
}

// TestDecoderSharesKeys: a decoder copies each mapping key out of the text
// once and shares it after, up to its bound, so that the label and
// annotation keys every document repeats cost one string each.
func TestDecoderSharesKeys(t *testing.T) {
	d := &fastDecoder{}
	text1, text2 := "example.io/scrape: x", "example.io/scrape: y"
	a, b := d.key(text1[:17]), d.key(text2[:17])
	if a != "example.io/scrape" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("key copied twice")
	}
	if unsafe.StringData(a) == unsafe.StringData(text1) {
		t.Errorf("key is a slice of the text")
	}
	for i := 0; i < 2*maxSharedKeys; i++ {
		d.key(strings.Repeat("k", i%70) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)))
	}
	if len(d.keys) > maxSharedKeys {
		t.Errorf("%d keys shared, bound %d", len(d.keys), maxSharedKeys)
	}
}

// TestDecoderSharesValues: a decoder boxes and copies a recurring scalar
// once, keeping plain and quoted scalars apart (8080 is a number, "8080" a
// string), never sharing a slice of a text, and within its bound.
func TestDecoderSharesValues(t *testing.T) {
	decode := func(d *fastDecoder, text string) map[string]any {
		t.Helper()
		d.reset(text, DefaultLimits)
		m, ok := d.mapping(0, 0, nil)
		if !ok {
			t.Fatalf("not decoded:\n%s", text)
		}
		return m
	}
	d := &fastDecoder{}
	text1 := "a: app-shop-xyz\nb: 8080\nc: \"8080\"\nd: 'app-shop-xyz'\ne: [8080, \"8080\", app-shop-xyz]\n"
	text2 := "b: \"8080\"\nc: 8080\na: app-shop-xyz\n"
	m1, m2 := decode(d, text1), decode(d, text2)
	want1 := map[string]any{"a": "app-shop-xyz", "b": int64(8080), "c": "8080", "d": "app-shop-xyz", "e": []any{int64(8080), "8080", "app-shop-xyz"}}
	want2 := map[string]any{"a": "app-shop-xyz", "b": "8080", "c": int64(8080)}
	if !reflect.DeepEqual(m1, want1) || !reflect.DeepEqual(m2, want2) {
		t.Fatalf("decoded %#v and %#v", m1, m2)
	}
	same := func(a, b any) bool { return unsafe.StringData(a.(string)) == unsafe.StringData(b.(string)) }
	if !same(m1["a"], m2["a"]) || !same(m1["c"], m2["b"]) || !same(m1["a"], m1["e"].([]any)[2]) {
		t.Error("a recurring scalar copied again")
	}
	for _, s := range []string{m1["a"].(string), m1["c"].(string), m1["d"].(string)} {
		for _, text := range []string{text1, text2} {
			if p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(text))); p >= start && p < start+uintptr(len(text)) {
				t.Errorf("%q is a slice of a text", s)
			}
		}
	}
	for k := range d.plains {
		if strings.Contains(text1, k) && unsafe.StringData(k) == unsafe.StringData(text1[strings.Index(text1, k):]) {
			t.Errorf("cache key %q is a slice of a text", k)
		}
	}
	for i := 0; i < 3*maxSharedValues; i++ {
		d.plain(fmt.Sprintf("value-%d", i))
		d.quoted(fmt.Sprintf("value-%d", i))
	}
	if len(d.plains) > maxSharedValues || len(d.quoteds) > maxSharedValues {
		t.Errorf("%d and %d values shared, bound %d", len(d.plains), len(d.quoteds), maxSharedValues)
	}

	// Counted: twenty recurring values cost far fewer allocations than
	// twenty different ones, the mappings being the same.
	var distinct, recurring strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&distinct, "k%02d: name-%02d\n", i, i)
		fmt.Fprintf(&recurring, "k%02d: name-00\n", i)
	}
	allocs := func(text string) float64 {
		return testing.AllocsPerRun(20, func() { decode(&fastDecoder{}, text) })
	}
	if a, b := allocs(distinct.String()), allocs(recurring.String()); b+30 > a {
		t.Errorf("%v allocations for recurring values, %v for distinct ones", b, a)
	}
}
