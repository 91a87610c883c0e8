package loader

import (
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
			pf := parseFile("f.yaml", []byte(text), DefaultLimits, widgets, false)
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
		if pf := parseFile("f.yaml", []byte(text), DefaultLimits, nil, false); len(pf.docs) != 1 || pf.docs[0].Object == nil {
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
	pf := parseFile("f.yaml", []byte("apiVersion: tools.example.com/v1\nkind: Profile\nspec: {}\n"), DefaultLimits, testKinds, false)
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
	pf := parseFile("f.yaml", []byte(text), DefaultLimits, widgets, false)
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
