package loader

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
)

// fastDecodeAgrees checks fastDecode against yaml.v3 and the converter:
// whenever it answers, they must parse the text and make the same value.
// It reports whether fastDecode answered.
func fastDecodeAgrees(t *testing.T, text string, limits Limits) bool {
	t.Helper()
	fieldsAgree(t, text, limits)
	got, ok := fastDecode(text, limits)
	if !ok {
		return false
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		t.Fatalf("fastDecode accepted text that yaml.v3 rejects (%v):\n%s", err, text)
	}
	want, err := newConverter(limits).convert(&root, 0)
	if err != nil {
		t.Fatalf("fastDecode accepted text that the converter rejects (%v):\n%s", err, text)
	}
	if !reflect.DeepEqual(any(got), want) {
		t.Fatalf("fastDecode and the converter differ for:\n%s\nfast: %#v\nfull: %#v", text, got, want)
	}
	return true
}

// testFields leaves out most of a document, at several depths, so that
// what the decoder reads without building (skipping) meets every shape.
var testFields = Only(map[string]*Fields{
	"apiVersion": nil, "kind": nil, "keep": nil,
	"a":    Only(map[string]*Fields{"b": nil, "c": Each(Only(map[string]*Fields{"d": nil}))}),
	"spec": Within(map[string]*Fields{"list": Each(Only(map[string]*Fields{"name": nil})), "m": Each(nil)}),
	"list": Each(Within(map[string]*Fields{"x": Only(nil)})),
})

// fieldsAgree checks fastDecodeFields against fastDecode: it answers
// exactly when fastDecode does (what it leaves out is checked all the
// same), and builds what testFields keeps of fastDecode's object. The rule
// applies once apiVersion and kind are read, so the text is tried as it is
// (where the rule may apply to only some fields, or to none) and after
// them.
func fieldsAgree(t *testing.T, text string, limits Limits) {
	t.Helper()
	rule := func(_, _ string) *Fields { return testFields }
	for i, x := range []string{text, "apiVersion: v1\nkind: K\n" + text} {
		whole, wholeOK := fastDecode(x, limits)
		got, partial, ok := fastDecodeFields(x, limits, rule)
		if ok != wholeOK {
			t.Fatalf("fastDecodeFields answers %v, fastDecode %v, for:\n%s", ok, wholeOK, x)
		}
		if !ok {
			continue
		}
		want, wantPartial := testFields.Apply(whole)
		if again, _ := testFields.Apply(got); !reflect.DeepEqual(again, want) {
			t.Fatalf("fastDecodeFields built what the rule leaves out, for:\n%s\ngot:  %#v\nwant: %#v", x, got, want)
		}
		if i == 1 && (!reflect.DeepEqual(any(got), want) || partial != wantPartial) {
			t.Fatalf("fastDecodeFields and the rule differ for:\n%s\ngot:  %#v (partial %v)\nwant: %#v (partial %v)", x, got, partial, want, wantPartial)
		}
	}
}

// parseFileAgrees runs parseFile with and without the fast paths: the
// results must be the same, but for the documented trade-off (broken YAML
// in a kind no rule reads, which prescan does not see).
func parseFileAgrees(t *testing.T, data []byte, limits Limits) {
	t.Helper()
	defer func() { fastPaths = true }()
	fastPaths = true
	fast := parseFile("f.yaml", data, limits, testKinds, nil, false)
	fastPaths = false
	full := parseFile("f.yaml", data, limits, testKinds, nil, false)
	for _, d := range fast.docs {
		if d.Object == nil && yaml.Unmarshal([]byte(d.text), new(yaml.Node)) != nil {
			return // the trade-off: see prescan.go
		}
	}
	if a, b := describeParsed(fast), describeParsed(full); a != b {
		t.Fatalf("fast paths and full parse differ for:\n%s\nfast:\n%s\nfull:\n%s", data, a, b)
	}
}

func describeParsed(pf parsedFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "skipped %q\n", pf.skipped)
	for _, d := range pf.docs {
		fmt.Fprintf(&b, "doc %s#%d.%d@%d %s %s %s/%s prefix=%q object=%#v text=%q\n", d.File, d.Index, d.Item, d.StartLine,
			d.APIVersion, d.Kind, d.Namespace, d.Name, d.Prefix, d.Object, d.text)
	}
	for _, p := range pf.problems {
		fmt.Fprintf(&b, "problem %+v\n", p)
	}
	return b.String()
}

func TestFastDecode(t *testing.T) {
	accepted := []string{
		// The shapes of real manifests.
		`apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
  labels: {app: cart, "x.io/y": 'it''s'}
  annotations:
    prometheus.io/scrape: "true"
    a: b#c
spec:
  replicas: 2
  selector:
    matchLabels:
      app: cart
  template:
    metadata:
      labels:
        app: cart
    spec:
      containers:
      - name: cart
        image: shop/cart:1.0   # a comment
        args: ["--port", "8080", -v]
        ports:
          - name: metrics
            containerPort: 9090
          - containerPort: 0x1F
            protocol: TCP
        env:
          -   name: A
              value: ~
          - name: B
            value:
        resources: {}
      volumes: []
`,
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    targetPort: http\n  - port: 9090\n  selector:\n    app: s\n",
		// Scalars yaml.v3 resolves: numbers, booleans, nulls, floats, dates.
		"a: 1\nb: -2\nc: 1_000\nd: 0o17\ne: 1.5\nf: .inf\ng: .nan\nh: true\ni: False\nj: null\nk: yes\nl: 2001-12-14\nm: 1e3\nn: +12\no: 9223372036854775808\np: 0x\n",
		// Keys the API server sees as numbers, and quoted keys.
		"portLevelMtls:\n  8080:\n    mode: STRICT\n  \"9090\": {mode: PERMISSIVE}\n  0x10: x\n'it''s': 1\n",
		// Literal block scalars.
		"a: |\n  line 1\n\n    indented\n  line 3\nb: |-\n  stripped\n\nc: |\n\n  after an empty line\nd: | # comment\n  x\ne: |\nf: end\n",
		"list:\n- |\n  item\n- x\n-\n",
		"a: |\n  no final break",
		// Nested and compact sequences, and items that are mappings.
		"a:\n- b: 1\n  c:\n  - d\n  - e: [1, {f: g}]\n-   h: i\n    j: k\nz: {}\n",
		// Unicode text.
		"a: \"caf\u00e9 \u2014 ok\"\nb: \u65e5\u672c\n",
	}
	for _, text := range accepted {
		if !fastDecodeAgrees(t, text, DefaultLimits) {
			t.Errorf("fastDecode did not answer for:\n%s", text)
		}
	}

	// Each of these goes to the full path: errors it reports, and YAML
	// fastDecode does not read.
	fallBack := []string{
		"a: 1\na: 2\n",
		"a:\n  b: 1\n   c: 2\n",
		"a:\n  b: 1\n c: 2\n",
		"a: b: c\n",
		"q: -\n",
		"- - x\n",
		"a: 'x\n  y'\n",
		"a: [1,\n  2]\n",
		"a: x\n  y\n",
		"a:\n  x\n",
		"a: >\n  folded\n",
		"a: |2\n   x\n",
		"a: |+\n  x\n\n",
		"a: &x 1\nb: *x\n",
		"<<: {a: 1}\n",
		"a: !!str 1\n",
		"~: 1\n",
		"? a\n: b\n",
		"a: \"esc\\n\"\n",
		"a:\tb\n",
		"a: b\x01\n",
		"- a\n",
		"  a: 1\n",
		"a: [1, 2,]\n",
		"a: {b: 1, b: 2}\n",
		"a: {b}\n",
		"a: {\"b\":1}\n",
		"a: [b: c]\n",
		"a: 1 # c\n  b: 2\n",
		"a:\n- b\n - c\n",
		"a: |\n    x\n  y\n",
		"a: 'x' y\n",
		"a: \"x\"#c\n",
		"%YAML 1.1\na: 1\n",
		strings.Repeat("k", 1100) + ": v\n",
		// Duplicates among fields a rule leaves out (testFields).
		"z: 1\nz: 2\n",
		"z:\n  y: 1\n  y: 2\n",
		"z:\n- w: 1\n  w: 2\n",
		"a:\n  q: 1\n  b: 2\n  q: 3\n",
	}
	for _, text := range fallBack {
		if v, ok := fastDecode(text, DefaultLimits); ok {
			t.Errorf("fastDecode answered %#v; want the full path for:\n%s", v, text)
		}
		fieldsAgree(t, text, DefaultLimits)
	}

	deep := "a:\n"
	for i := 1; i < 12; i++ {
		deep += strings.Repeat("  ", i) + "k:\n"
	}
	if _, ok := fastDecode(deep, Limits{MaxNodes: 1 << 20, MaxDepth: 10}); ok {
		t.Error("fastDecode accepted a document deeper than MaxDepth")
	}
	if _, ok := fastDecode(accepted[0], Limits{MaxNodes: 20, MaxDepth: 100}); ok {
		t.Error("fastDecode accepted a document with more than MaxNodes nodes")
	}
	fieldsAgree(t, deep, Limits{MaxNodes: 1 << 20, MaxDepth: 10})
	fieldsAgree(t, accepted[0], Limits{MaxNodes: 20, MaxDepth: 100})
}

// TestFastPathsGeneratedCorpus: on the benchmark corpus, every document is
// taken by a fast path, and parseFile gives what the full path gives.
func TestFastPathsGeneratedCorpus(t *testing.T) {
	for _, profile := range corpus.Profiles {
		files, docs, fast := 0, 0, 0
		err := corpus.Walk(corpus.Options{Apps: 30, Profile: profile}, func(f corpus.File) error {
			files++
			parseFileAgrees(t, f.Data, DefaultLimits)
			pf := parseFile("f.yaml", f.Data, DefaultLimits, testKinds, nil, false)
			for _, c := range splitDocuments(string(f.Data)) {
				docs++
				if _, ok := prescan(c.text, DefaultLimits, testKinds); ok {
					fast++
				} else if _, ok := fastDocument("f.yaml", 0, c, DefaultLimits, testKinds, nil); ok {
					fast++
				}
			}
			if len(pf.problems) > 0 || pf.skipped != "" {
				t.Fatalf("%s: %v %s", f.Path, pf.problems, pf.skipped)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fast != docs {
			t.Errorf("%s: the fast paths took %d of %d documents in %d files", profile, fast, docs, files)
		}
	}
}

// TestFastPathsRealManifests compares the fast paths with the full parse on
// every file of a directory of real manifests, when MESHLINT_FAST_CORPUS
// names one:
//
//	MESHLINT_FAST_CORPUS=/path/to/manifests go test -run FastPathsReal -v ./internal/loader/
func TestFastPathsRealManifests(t *testing.T) {
	root := os.Getenv("MESHLINT_FAST_CORPUS")
	if root == "" {
		t.Skip("set MESHLINT_FAST_CORPUS to a directory of manifests")
	}
	docs, prescanned, decoded := 0, 0, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !manifestExt[strings.ToLower(filepath.Ext(p))] {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		parseFileAgrees(t, data, DefaultLimits)
		text := strings.ReplaceAll(string(data), "\r\n", "\n")
		if templateAction.MatchString(text) {
			return nil
		}
		for _, c := range splitDocuments(text) {
			docs++
			if prescanAgrees(t, c.text, DefaultLimits) {
				prescanned++
			} else if fastDecodeAgrees(t, c.text, DefaultLimits) {
				decoded++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents: %d prescanned, %d decoded by fastDecode", docs, prescanned, decoded)
}

// FuzzFastPaths: whatever the file, parseFile with the fast paths gives
// what the full parse gives, and fastDecode what yaml.v3 and the converter
// make.
func FuzzFastPaths(f *testing.F) {
	seeds := []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels: {app: d}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        ports:\n        - containerPort: 80\n          name: http\n",
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{port: 80, targetPort: 8080}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: |\n    x\n",
		"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\nspec:\n  portLevelMtls:\n    8080:\n      mode: PERMISSIVE\n",
		"apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata:\n  name: k8s\nspec:\n  podMetadata:\n    annotations:\n      proxy.istio.io/config: |\n        proxyMetadata:\n          OUTPUT_CERTS: /etc/istio-output-certs\n",
		"a:\n- b: 1\n  c: [x, 'y', \"z\"]\n-\n- |-\n  t\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	limits := Limits{MaxFileBytes: 1 << 20, MaxDocuments: 64, MaxDepth: 12, MaxNodes: 5000}
	f.Fuzz(func(t *testing.T, data []byte) {
		fastDecodeAgrees(t, strings.ReplaceAll(string(data), "\r", "\n"), limits)
		parseFileAgrees(t, data, limits)
		wholeFileAgrees(t, data, limits)
	})
}

// splitDocumentsReference is splitDocuments written line by line, without
// slices of the text: the reference for FuzzSplitDocuments.
func splitDocumentsReference(text string) []chunk {
	var chunks []chunk
	lines := strings.SplitAfter(text, "\n")
	var cur strings.Builder
	start := 1
	directives, dirStart := []string{}, 0
	for i, l := range lines {
		if docSeparatorReference.MatchString(l) {
			if strings.HasPrefix(l, "---") && onlyDirectivesReference(cur.String()) {
				// The directives and the marker open the next document.
				chunks = append(chunks, chunk{"", start})
				directives = append(directives, cur.String()+l)
				cur.Reset()
				dirStart = start
				continue
			}
			if len(directives) > 0 {
				chunks = append(chunks, chunk{strings.Join(directives, "") + cur.String(), dirStart})
				directives = directives[:0]
			} else {
				chunks = append(chunks, chunk{cur.String(), start})
			}
			cur.Reset()
			start = i + 1
			if rest := strings.TrimLeft(l[3:], " \t"); strings.TrimSpace(rest) != "" && !strings.HasPrefix(strings.TrimSpace(rest), "#") {
				cur.WriteString(strings.Repeat(" ", len(l)-len(rest)) + rest)
			} else {
				cur.WriteString("\n")
			}
			continue
		}
		cur.WriteString(l)
	}
	if len(directives) > 0 {
		return append(chunks, chunk{strings.Join(directives, "") + cur.String(), dirStart})
	}
	return append(chunks, chunk{cur.String(), start})
}

func onlyDirectivesReference(s string) bool {
	found := false
	for _, l := range strings.Split(s, "\n") {
		switch t := strings.TrimSpace(l); {
		case strings.HasPrefix(l, "%"):
			found = true
		case t != "" && !strings.HasPrefix(t, "#"):
			return false
		}
	}
	return found
}

var docSeparatorReference = regexp.MustCompile(`^(---|\.\.\.)([ \t\n\f\r]|$)`)

func FuzzSplitDocuments(f *testing.F) {
	for _, s := range []string{"", "a", "a\n", "---", "---\n", "a\n---\nb\n", "--- {a: 1}\n...\n--- # c\nx", "---\f\n----\n... \n---\t\n", "a\n---", "a\n... x\n", "%YAML 1.1\n---\na\n", "a\n...\n%TAG ! x\n# c\n--- b\nc\n---\nd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, want := splitDocuments(text), splitDocumentsReference(text)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("splitDocuments(%q) = %+v, want %+v", text, got, want)
		}
	})
}

// TestPlainDecimalMatchesTheConverter holds the decimal shortcut of
// resolvePlain to the value yaml.v3 and the converter give, and to
// declining everything else.
func TestPlainDecimalMatchesTheConverter(t *testing.T) {
	for _, s := range []string{"0", "1", "8080", "65535", "999999999999999999", "1000000000000000000",
		"00", "007", "08", "-1", "+1", "0x1F", "0o17", "1_000", "1e3", "1.5", "12a", "", "٣"} {
		n, ok := plainDecimal(s)
		if !ok {
			continue
		}
		want, err := scalarValue(&yaml.Node{Kind: yaml.ScalarNode, Value: s})
		if err != nil || want != any(n) {
			t.Errorf("plainDecimal(%q) = %d, the converter gives %#v (%v)", s, n, want, err)
		}
	}
	for _, s := range []string{"true", "false"} {
		v, ok := resolvePlain(s)
		want, err := scalarValue(&yaml.Node{Kind: yaml.ScalarNode, Value: s})
		if !ok || err != nil || v != want {
			t.Errorf("resolvePlain(%q) = %#v, the converter gives %#v (%v)", s, v, want, err)
		}
	}
	for _, s := range []string{"007", "-1", "0x1F", "1_000", "1e3", "1000000000000000000"} {
		if _, ok := plainDecimal(s); ok {
			t.Errorf("plainDecimal(%q) answered; it should leave it to yaml.v3", s)
		}
	}
}
