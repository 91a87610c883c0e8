package fix

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The per-file pass computes fixes from a Source that decodes a file's
// documents only as far as a fix asks (Source.doc), and not at all for a
// choice: these tests hold both to the fixes of the whole file decoded.

var lazyTexts = []string{
	"kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n",
	"kind: ServiceMonitor\r\nspec:\r\n  endpoints:\r\n    - port: m # c\r\n---\r\nkind: PodMonitor\r\nspec:\r\n  podMetricsEndpoints:\r\n    - port: m\r\n",
	"# only a comment\n---\nkind: PeerAuthentication\nspec:\n  portLevelMtls:\n    '9090': {mode: PERMISSIVE}\n---\n---\nkind: ServiceMonitor\nspec:\n  endpoints:\n  - port: m\n    scheme: http\n",
	"kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n---\nkind: [broken\n---\nkind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n",
	"kind: Prometheus\nspec:\n  volumes:\n  - name: istio-certs\n    emptyDir: {}\n  podMetadata:\n    annotations: {}\n---\nkind: Deployment\nmetadata:\n  annotations:\n    sidecar.istio.io/inject: 'true'\nspec:\n  template:\n    metadata: {}\n",
	"%YAML 1.2\n---\nkind: ServiceMonitor\nspec: {endpoints: [{port: m}]}\n...\n---\nkind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n",
}

func lazyTargets(text string) []Target {
	rules := make([]string, 0, len(fixers))
	for r := range fixers {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	pointers := []string{"/spec/endpoints/0", "/spec/podMetricsEndpoints/0", "/spec/endpoints/0/scheme", "/spec/portLevelMtls/9090",
		"/spec/volumes/0/emptyDir", "/metadata/annotations/sidecar.istio.io~1inject", "/spec/podMetadata/annotations", ""}
	var out []Target
	for line := 1; line <= strings.Count(text, "\n")+1; line++ {
		for _, r := range rules {
			for _, p := range pointers {
				out = append(out, Target{Rule: r, Pointer: p, DocStart: line,
					Hint: Hint{Prometheuses: []Prom{{Name: "m/p", CertDir: "/etc/prom-certs/"}}, ContainerPorts: []int{9090},
						PodMetadataPointer: "/spec/template/metadata", CertDirs: []string{"/etc/istio-certs"}}})
			}
		}
	}
	return out
}

// TestFixesDoNotDependOnHowFarTheFileIsDecoded: each target's fixes from a
// fresh Source (which decodes up to the target's document) are those from a
// Source with every document decoded first, and from one Source shared by
// all targets in turn, as the pass shares it.
func TestFixesDoNotDependOnHowFarTheFileIsDecoded(t *testing.T) {
	for _, text := range lazyTexts {
		whole := Parse("f.yaml", []byte(text))
		whole.allDocs()
		shared := Parse("f.yaml", []byte(text))
		for _, tg := range lazyTargets(text) {
			want := ForFile(whole, []Target{tg})[0]
			if got := ForFile(Parse("f.yaml", []byte(text)), []Target{tg})[0]; !reflect.DeepEqual(got, want) {
				t.Errorf("%q %s %s line %d:\n got %+v\nwant %+v", text, tg.Rule, tg.Pointer, tg.DocStart, got, want)
			}
			if got := ForFile(shared, []Target{tg})[0]; !reflect.DeepEqual(got, want) {
				t.Errorf("shared source, %q %s %s line %d:\n got %+v\nwant %+v", text, tg.Rule, tg.Pointer, tg.DocStart, got, want)
			}
		}
	}
}

// TestFixesDecodeOnlyUpToTheirDocument counts the documents decoded.
func TestFixesDecodeOnlyUpToTheirDocument(t *testing.T) {
	text := "kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n---\nkind: Service\n---\nkind: ConfigMap\n"
	tg := Target{Rule: "istio-tls-without-https", Pointer: "/spec/endpoints/0", DocStart: 1}
	src := Parse("f.yaml", []byte(text))
	if fs := ForFile(src, []Target{tg})[0]; len(fs) != 1 || !fs[0].Default {
		t.Fatalf("fixes %+v, want one default", fs)
	}
	if len(src.docs) != 1 {
		t.Errorf("%d documents decoded for a fix in the first, want 1", len(src.docs))
	}
	tg.DocStart = 8
	ForFile(src, []Target{tg})
	if len(src.docs) != 3 {
		t.Errorf("%d documents decoded for a fix in the last, want all 3", len(src.docs))
	}
}

// TestChoicesReadNothingOfTheFile: a choice's fixes are the same with the
// file and its object as without them, none default and none with edits,
// and the file is not decoded for them.
func TestChoicesReadNothingOfTheFile(t *testing.T) {
	for rule := range choices {
		if fixers[rule] == nil {
			t.Errorf("%s: a choice without fixes", rule)
		}
		for _, text := range lazyTexts {
			for _, tg := range lazyTargets(text) {
				if tg.Rule != rule {
					continue
				}
				src := Parse("f.yaml", []byte(text))
				got := ForFile(src, []Target{tg})[0]
				if len(src.docs) != 0 || src.decoded {
					t.Fatalf("%s: the file was decoded for a choice", rule)
				}
				want := fixers[rule](nil, nil, tg)
				if obj, err := src.object(tg); err == nil {
					want = fixers[rule](src, obj, tg)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %+v with the object, %+v without", rule, want, got)
				}
				for _, f := range got {
					if f.Default || len(f.Edits) > 0 {
						t.Errorf("%s: a choice applied or edited: %+v", rule, f)
					}
				}
			}
		}
	}
}
