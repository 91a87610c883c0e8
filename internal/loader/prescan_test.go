package loader

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
)

// prescanAgrees checks prescan against the full path on one document's
// text: whenever prescan answers, the full path must give one Document with
// the same identity and no problem, unless the YAML is broken somewhere
// prescan does not look (the documented trade-off). It reports whether
// prescan answered.
func prescanAgrees(t *testing.T, text string, limits Limits) bool {
	t.Helper()
	id, ok := prescan(text, limits, testKinds)
	if !ok {
		return false
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		return true // broken YAML in a kind no rule reads: not reported, by design
	}
	c := chunk{text: text, startLine: 1}
	docs, problems, manifest, notObject := readDocument("f.yaml", 0, c, &root, limits, testKinds)
	if len(problems) > 0 || len(docs) != 1 || !manifest || notObject != "" {
		t.Fatalf("prescan accepted %+v, but the full path gives %d documents, problems %v, manifest %v, for:\n%s", id, len(docs), problems, manifest, text)
	}
	d := docs[0]
	got := prescanned{apiVersion: d.APIVersion, kind: d.Kind, name: d.Name, namespace: d.Namespace}
	if got != id || d.Object != nil {
		t.Fatalf("prescan read %+v, the full path %+v (decoded: %v), for:\n%s", id, got, d.Object != nil, text)
	}
	return true
}

func TestPrescan(t *testing.T) {
	accepted := []struct {
		text string
		want prescanned
	}{
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ns\ndata:\n  a: b\n",
			prescanned{"v1", "ConfigMap", "c", "ns"}},
		{"# leading comment\n\napiVersion: v1 # trailing\nkind: 'Secret'\nmetadata:\n  name: \"s\"\n  labels: {a: b, c: [1, 2]}\ntype: Opaque\n",
			prescanned{"v1", "Secret", "s", ""}},
		{"kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata:\n  name: system:controller:x\nrules:\n- apiGroups: [\"\"]\n  resources:\n  - pods\n  verbs: [get, list]\n- apiGroups: [apps]\n  resources: [deployments]\n",
			prescanned{"rbac.authorization.k8s.io/v1", "ClusterRole", "system:controller:x", ""}},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\n  namespace: ns\ndata:\n  script: |\n    kind: Service\n    metadata:\n      name: fake\n\n    \"unclosed\n  other: >-\n    x\n",
			prescanned{"v1", "ConfigMap", "gen-", "ns"}},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    a: &anchor x\n    b: !!str y\n  name: c\n  finalizers:\n  - one\n  - two\ndata:\n  \"8080\": a\n  8081: b\n",
			prescanned{"v1", "ConfigMap", "c", ""}},
		// Quoted scalars over several lines end at their closing quote,
		// whatever the lines in between look like.
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"multi \\\"x\\\" \\\n    line\n# not a comment\nkind: Service\n  \" # end\n  b: 'it''s\n  long'\n",
			prescanned{"v1", "ConfigMap", "c", ""}},
		// Block scalars with an indentation indicator (Helm's toYaml).
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: |2\n      indented first\n    x: y\n  b: >-2\n     z\nextra:\n- |1\n  t\n",
			prescanned{"v1", "ConfigMap", "c", ""}},
		{"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  annotations:\n    {}\n  labels:\n    app: x\n",
			prescanned{"v1", "ServiceAccount", "sa", ""}},
	}
	for _, c := range accepted {
		id, ok := prescan(c.text, DefaultLimits, testKinds)
		if !ok || id != c.want {
			t.Errorf("prescan = %+v, %v; want %+v for:\n%s", id, ok, c.want, c.text)
			continue
		}
		prescanAgrees(t, c.text, DefaultLimits)
	}

	// Each of these needs the full parse: a kind the graph reads, a List,
	// a shape prescan does not follow, or a problem readDocument reports.
	fallBack := []string{
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
		"apiVersion: v1\nkind: List\nitems: []\n",
		"apiVersion: v1\nkind: ConfigMapList\nmetadata:\n  name: x\nitems: []\n",
		"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata:\n  name: k\n",
		"{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  name: d\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: 1\n  a: 2\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  \"8080\": a\n  8080: b\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  0x10: a\n  16: b\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {a: 1, a: 2}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  ~: x\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nbase: &b {x: 1}\ndata: *b\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  <<: {x: 1}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  ? complex\n  : key\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: ns\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"\"\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ~\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: null\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   b\n",
		"apiVersion: v1\nkind: Config\n  Map\nmetadata:\n  name: c\n",
		"apiVersion: v1\nkind:\n  ConfigMap\nmetadata:\n  name: c\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: c\n  namespace: x\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n- name: c\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  - name: c\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: c\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: [a,\n  b]\n",
		"\"kind\": Secret\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		"%YAML 1.1\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		"  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'it''s'\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"a\\u0041\"\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b: c\n",
		"apiVersion: v1\nkind: ConfigMap\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nstray\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"x\n  \": y\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name:\n    c\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  {}\n",
	}
	for _, text := range fallBack {
		if id, ok := prescan(text, DefaultLimits, testKinds); ok {
			t.Errorf("prescan answered %+v; want the full parse for:\n%s", id, text)
		}
	}

	// The limits hold without the full parse.
	deep := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
	for i := 1; i < 12; i++ {
		deep += strings.Repeat("  ", i) + "k:\n"
	}
	if _, ok := prescan(deep, Limits{MaxNodes: 1 << 20, MaxDepth: 10}, testKinds); ok {
		t.Error("prescan accepted a document deeper than MaxDepth")
	}
	if _, ok := prescan(accepted[0].text, Limits{MaxNodes: 10, MaxDepth: 10}, testKinds); ok {
		t.Error("prescan accepted a document that may have more than MaxNodes nodes")
	}
}

// TestPrescanGeneratedCorpus: on the benchmark corpus, prescan answers for
// every document of a kind no rule reads, and agrees with the full path.
func TestPrescanGeneratedCorpus(t *testing.T) {
	for _, profile := range corpus.Profiles {
		answered, irrelevant := 0, 0
		err := corpus.Walk(corpus.Options{Apps: 30, Profile: profile}, func(f corpus.File) error {
			for _, c := range splitDocuments(string(f.Data)) {
				if prescanAgrees(t, c.text, DefaultLimits) {
					answered++
				}
				var probe struct{ Kind string }
				if err := yaml.Unmarshal([]byte(c.text), &probe); err != nil {
					t.Fatal(err)
				}
				if !meshKinds[probe.Kind] {
					irrelevant++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if answered != irrelevant || answered == 0 {
			t.Errorf("%s: prescan answered for %d documents; %d are of kinds no rule reads", profile, answered, irrelevant)
		}
	}
}

// TestPrescanRealManifests runs the agreement check over every document of a
// directory of real manifests, when MESHLINT_PRESCAN_CORPUS names one:
//
//	MESHLINT_PRESCAN_CORPUS=/path/to/manifests go test -run PrescanReal ./internal/loader/
func TestPrescanRealManifests(t *testing.T) {
	root := os.Getenv("MESHLINT_PRESCAN_CORPUS")
	if root == "" {
		t.Skip("set MESHLINT_PRESCAN_CORPUS to a directory of manifests")
	}
	docs, answered := 0, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !manifestExt[strings.ToLower(filepath.Ext(p))] {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(data), "\r\n", "\n")
		if templateAction.MatchString(text) {
			return nil // prescan is not used on template-like files
		}
		for _, c := range splitDocuments(text) {
			docs++
			if prescanAgrees(t, c.text, DefaultLimits) {
				answered++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents, prescan answered for %d", docs, answered)
}

// FuzzPrescan: whatever the text, when prescan answers, the full path
// agrees with it (or the YAML is broken where prescan does not look).
func FuzzPrescan(f *testing.F) {
	seeds := []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ns\ndata:\n  a: b\n  c: |\n    x: y\n",
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels: {a: b}\ndata:\n  k: dmFsdWU=\n",
		"kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata:\n  name: r\nrules:\n- apiGroups: [\"\"]\n  verbs: [get]\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: g-\ndata:\n  8080: a\n  \"x\": 'b'\n",
		"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.b\nspec:\n  versions:\n    - name: v1\n      schema:\n        openAPIV3Schema:\n          type: object\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	limits := Limits{MaxFileBytes: 1 << 20, MaxDocuments: 64, MaxDepth: 12, MaxNodes: 5000}
	f.Fuzz(func(t *testing.T, text string) {
		prescanAgrees(t, text, limits)
		wholeFileAgrees(t, []byte(text), limits)
	})
}
