package loader

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/fix"
	yaml "go.yaml.in/yaml/v3"
)

// Suggested fixes in the per-file pass find the object they edit in nodes
// BlockNodes built (fix.ParseScanned); these tests hold them to the fixes
// from yaml.v3's nodes (fix.Parse), byte for byte.

// fixScanTexts are files with what the scan must read as yaml.v3 does, or
// leave to it: several documents, markers, comments, CRLF, flow
// collections, anchors, block scalars, broken documents.
var fixScanTexts = []string{
	"kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n",
	"kind: ServiceMonitor\r\nspec:\r\n  endpoints:\r\n    - port: m # c\r\n---\r\nkind: PodMonitor\r\nspec:\r\n  podMetricsEndpoints:\r\n    - port: m\r\n",
	"# only a comment\n---\nkind: PeerAuthentication\nspec:\n  portLevelMtls:\n    '9090': {mode: PERMISSIVE}\n---\n---\nkind: ServiceMonitor\nspec:\n  endpoints:\n  - port: m\n    scheme: http\n",
	"kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n---\nkind: [broken\n---\nkind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n",
	"kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n---\nkind: ServiceMonitor\nspec: [\n---\nkind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n",
	"kind: Prometheus\nspec:\n  volumes:\n  - name: istio-certs\n    emptyDir: {}\n  podMetadata:\n    annotations: {}\n---\nkind: Deployment\nmetadata:\n  annotations:\n    sidecar.istio.io/inject: 'true'\nspec:\n  template:\n    metadata: {}\n",
	"%YAML 1.2\n---\nkind: ServiceMonitor\nspec: {endpoints: [{port: m}]}\n...\n---\nkind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n",
	"# header\n# more\n---\n# about it\nkind: ServiceMonitor # trailing\nspec:\n  # before\n  endpoints:\n  - port: m   # c\n    scheme: \"http\"\n    tlsConfig:\n      caFile: '/etc/prom-certs/root-cert.pem'\n  - port: n\n    scheme: http\n\n\n---\nkind: ServiceMonitor\nspec:\n  endpoints:\n      -   port: x\n          scheme: 'http'\n---\n",
	"kind: Prometheus\nmetadata:\n  name: p\nspec:\n  podMetadata:\n    annotations:\n      traffic.sidecar.istio.io/includeOutboundIPRanges: ''\n      proxy.istio.io/config: |\n        proxyMetadata:\n          OUTPUT_CERTS: /etc/istio-output-certs\n  volumes:\n  - name: istio-certs\n    emptyDir: {}\n  volumeMounts:\n  - name: istio-certs\n    mountPath: /etc/prom-certs/\n",
	"kind: Prometheus\nmetadata:\n  name: p\n  annotations:\n    a: &x 1\n    b: *x\nspec:\n  volumes:\n  - name: istio-certs\n    emptyDir: {}\n",
	"kind: Deployment\nmetadata:\n  name: d\n  annotations:\n    sidecar.istio.io/inject: \"true\"\n    proxy.istio.io/config: '{\"holdApplicationUntilProxyStarts\": true}'\nspec:\n  template:\n    metadata:\n      labels:\n        app: d\n    spec:\n      containers:\n      - name: c\n        ports: [http, 'm']\n",
	"kind: PeerAuthentication\nspec:\n  selector:\n    matchLabels: {}\n  portLevelMtls:\n    8080:\n      mode: PERMISSIVE\n    9090:\n      mode: STRICT\n",
	"kind: ServiceMonitor\nspec:\n  endpoints:\n  - port: m\n    scheme: ~\n    tlsConfig: null\n",
	"kind: ServiceMonitor\nspec:\n  endpoints:\n  - port: m\n---",
	"--- \nkind: ServiceMonitor\nspec:\n  endpoints:\n  - port: m\n",
	"\ufeffkind: ServiceMonitor\nspec:\n  endpoints:\n  - port: m\n",
	"kind: ServiceMonitor\nspec:\n\tendpoints: []\n",
	"",
	"# nothing\n",
}

// fixRules are the rules with fixes, in order.
func fixRules() []string {
	var rules []string
	for _, r := range []string{"plaintext-scrape-of-strict-port", "istio-tls-without-https", "istio-tls-without-skip-verify",
		"port-level-mtls-on-service-port", "istio-certs-volume-not-memory", "istio-annotations-misplaced",
		"istio-certs-not-exported", "istio-certs-not-mounted", "prometheus-outbound-captured", "prometheus-not-injected"} {
		if fix.Fixable(r) {
			rules = append(rules, r)
		}
	}
	return rules
}

// fixPointers are the pointers fixes are tried at in text: every field of
// every document yaml.v3 reads, and a few that are not there.
func fixPointers(text string) []string {
	set := map[string]bool{"": true, "/spec/endpoints/0": true, "/spec/podMetadata/annotations": true, "/spec/volumes/0/emptyDir": true, "/nope": true}
	var walk func(n *yaml.Node, p string)
	walk = func(n *yaml.Node, p string) {
		set[p] = true
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], p+"/"+EscapePointerToken(n.Content[i].Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, p+"/"+strconv.Itoa(i))
			}
		}
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var d yaml.Node
		if dec.Decode(&d) != nil {
			break
		}
		if len(d.Content) == 1 {
			walk(d.Content[0], "")
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// checkScannedFixes holds the fixes of every rule, at every pointer and
// document start of text, from nodes BlockNodes built to those from
// yaml.v3's; the two Sources are each shared by all targets, as the pass
// shares one. It returns how many targets found their object in scanned
// nodes.
func checkScannedFixes(t *testing.T, name, text string, starts []int, pointers []string) int {
	t.Helper()
	hint := fix.Hint{Prometheuses: []fix.Prom{{Name: "m/p", CertDir: "/etc/prom-certs/"}}, ContainerPorts: []int{9090},
		PodMetadataPointer: "/spec/template/metadata", CertDirs: []string{"/etc/istio-certs"}}
	scanned := 0
	byScan := func(text string, offset int) (*yaml.Node, int) {
		n, line := BlockNodes(text, offset)
		if n != nil {
			scanned++
		}
		return n, line
	}
	want, got := fix.Parse(name, []byte(text)), fix.ParseScanned(name, []byte(text), byScan)
	for _, start := range starts {
		for _, r := range fixRules() {
			for _, p := range pointers {
				tg := []fix.Target{{Rule: r, Pointer: p, DocStart: start, Hint: hint}}
				w, g := fix.ForFile(want, tg)[0], fix.ForFile(got, tg)[0]
				if !reflect.DeepEqual(g, w) {
					t.Fatalf("%s %q: %s at %s, document at line %d:\n scanned %+v\n yaml.v3 %+v", name, text, r, p, start, g, w)
				}
			}
		}
	}
	return scanned
}

func TestScannedFixesMatchYAML(t *testing.T) {
	for _, text := range fixScanTexts {
		var starts []int
		for l := 1; l <= strings.Count(text, "\n")+2; l++ {
			starts = append(starts, l)
		}
		checkScannedFixes(t, "f.yaml", text, starts, fixPointers(text))
	}
}

// TestScannedFixesOnTheCorpus: on the generated corpora, every document a
// fix can be asked about is read by the scan, and its fixes are yaml.v3's.
func TestScannedFixesOnTheCorpus(t *testing.T) {
	for _, profile := range []corpus.Profile{corpus.ProfileAdoption, corpus.ProfileApps} {
		scanned, docs := 0, 0
		eachCorpusFile(t, 12, profile, func(path, data string, chunks []chunk) {
			var starts []int
			for _, c := range chunks {
				starts = append(starts, c.startLine)
				if strings.TrimSpace(c.text) != "" && !blockScalarHeader.MatchString(c.text) {
					docs++
				}
			}
			scanned += checkScannedFixes(t, path, data, starts, fixPointers(data))
		})
		if docs == 0 || scanned != docs {
			t.Errorf("profile %v: the scan built %d of the %d documents without a block scalar", profile, scanned, docs)
		}
	}
}

// FuzzScannedFixes: for any text, the fixes from scanned nodes are those
// from yaml.v3's.
func FuzzScannedFixes(f *testing.F) {
	for _, s := range fixScanTexts {
		f.Add(s, 1, "/spec/endpoints/0")
	}
	f.Fuzz(func(t *testing.T, text string, start int, pointer string) {
		if len(text) > 1<<12 || !utf8.ValidString(text) {
			return
		}
		checkScannedFixes(t, "f.yaml", text, []int{start}, []string{pointer})
	})
}

// TestPassBlockNodes: the nodes a pass builds from the scan it made for
// positions are those BlockNodes builds from the text.
func TestPassBlockNodes(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: 8, Profile: corpus.ProfileAdoption}); err != nil {
		t.Fatal(err)
	}
	res, err := Load([]string{dir}, Options{WorkDir: dir, ReleaseTexts: true})
	if err != nil {
		t.Fatal(err)
	}
	var lookups []Lookup
	for _, d := range res.Documents {
		lookups = append(lookups, Lookup{Doc: d, Pointer: "/metadata/name"})
	}
	var built atomic.Int64 // passes over files run at once
	EachFile(lookups, func(p *FilePass) {
		for _, i := range p.Lookups {
			d := lookups[i].Doc
			p.Position(d, "/metadata/name")
			text := p.Text(d)
			got, gotLine := p.BlockNodes(text, d.StartLine-1)
			want, wantLine := BlockNodes(text, d.StartLine-1)
			if gotLine != wantLine || (got == nil) != (want == nil) {
				t.Errorf("%s:%d: the pass's nodes at line %d (%v), BlockNodes' at %d (%v)", d.File, d.StartLine, gotLine, got != nil, wantLine, want != nil)
				return
			}
			if got != nil {
				built.Add(1)
				if err := sameNodes(got, want, ""); err != nil {
					t.Errorf("%s:%d: %v", d.File, d.StartLine, err)
				}
			}
		}
	})
	if built.Load() == 0 {
		t.Error("no document's nodes built")
	}
}
