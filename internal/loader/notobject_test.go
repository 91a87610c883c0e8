package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestToolConfigsAreSkipped: documents with apiVersion and kind but no
// metadata (or no metadata.name), of kinds the caller does not read, are
// tool configuration: skipped with their line, never a problem.
func TestToolConfigsAreSkipped(t *testing.T) {
	cases := map[string]string{
		"kind cluster":   "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n",
		"kubeadm":        "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.0.0.0/16\n",
		"kubeconfig":     "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
		"skaffold":       "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n  - image: app\n",
		"ctlptl":         "apiVersion: ctlptl.dev/v1alpha1\nkind: Cluster\nproduct: kind\n",
		"kuttl":          "apiVersion: kuttl.dev/v1beta1\nkind: TestSuite\ntimeout: 120\n",
		"null metadata":  "apiVersion: kuttl.dev/v1beta1\nkind: TestStep\nmetadata:\ncommands: []\n",
		"release note":   "apiVersion: release-notes/v2\nkind: bug-fix\narea: security\nreleaseNotes:\n- fixed\n",
		"empty kind":     "apiVersion: release-notes/v2\nkind:\narea: security\n",
		"no name":        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  annotations:\n    a: b\n",
		"istio operator": "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  namespace: istio-system\nspec:\n  meshConfig:\n    rootNamespace: mesh\n",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			pf := parseFile("f.yaml", []byte(text), DefaultLimits, testKinds, nil, false)
			if len(pf.problems) != 0 || len(pf.docs) != 0 {
				t.Fatalf("problems %+v, %d documents; want none", pf.problems, len(pf.docs))
			}
			if len(pf.notObjects) != 1 || pf.notObjects[0].Line != 1 || pf.notObjects[0].File != "f.yaml" {
				t.Fatalf("skips %+v; want one at f.yaml:1", pf.notObjects)
			}
			if strings.Contains(pf.notObjects[0].Reason, "mesh.rootNamespace") {
				t.Errorf("reason %q: the loader knows no mesh settings (the lint adds them)", pf.notObjects[0].Reason)
			}
		})
	}
}

// TestObjectsMeshlintReadsStayInvalid: kinds the graph reads without
// metadata, metadata that is not a mapping, and broken YAML stay problems.
func TestObjectsMeshlintReadsStayInvalid(t *testing.T) {
	for _, text := range []string{
		"apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n",
		"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nspec:\n  mtls: {mode: STRICT}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels: {a: b}\nspec: {}\n",
		"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: null\nspec: {}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: [a, b]\n",
		"apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes: [\n",
		"apiVersion: v1\nkind:\nmetadata:\n  name: x\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n",
	} {
		pf := parseFile("f.yaml", []byte(text), DefaultLimits, testKinds, nil, false)
		if len(pf.problems) != 1 || len(pf.notObjects) != 0 {
			t.Errorf("%q: problems %+v, skips %+v; want one problem", text, pf.problems, pf.notObjects)
		}
	}
}

// TestTemplatePlaceholdersAreSkipped: a document with unquoted {{ }}
// actions, which YAML reads as nested flow mappings, is a template; the
// other documents of the file are still read, and a file without template
// actions keeps its error for a mapping key.
func TestTemplatePlaceholdersAreSkipped(t *testing.T) {
	text := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  k: {{ .Value }}\n---\n" +
		"{{ if .on }}\napiVersion: v1\nkind: Service\nmetadata:\n  name: x\n---\n" + serviceMonitorDoc
	pf := parseFile("f.yaml", []byte(text), DefaultLimits, testKinds, nil, false)
	if len(pf.problems) != 0 || len(pf.docs) != 1 || pf.docs[0].Kind != "ServiceMonitor" {
		t.Fatalf("problems %+v, %d documents; want the ServiceMonitor alone", pf.problems, len(pf.docs))
	}
	if len(pf.notObjects) != 2 || pf.notObjects[0].Line != 1 || pf.notObjects[1].Line != 7 ||
		!strings.Contains(pf.notObjects[0].Reason, "line 6") || !strings.Contains(pf.notObjects[1].Reason, "line 8") {
		t.Errorf("skips %+v; want documents at lines 1 and 7 (its marker), the first naming line 6", pf.notObjects)
	}

	plain := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  {a: b}: c\n"
	pf = parseFile("f.yaml", []byte(plain), DefaultLimits, testKinds, nil, false)
	if len(pf.problems) != 1 || len(pf.notObjects) != 0 {
		t.Errorf("no template: problems %+v, skips %+v; want one problem", pf.problems, pf.notObjects)
	}
}

// TestLoadListsSkippedDocuments: through Load, a file of tool configuration
// is listed in Skipped by line and does not count as a manifest file, while
// a file mixing one with an object keeps the object; a directory holding
// only tool configuration has nothing to lint.
func TestLoadListsSkippedDocuments(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kind.yaml", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n")
	write("mixed.yaml", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: {}\n---\n"+serviceMonitorDoc)
	res, err := Load([]string{dir}, Options{Kinds: testKinds, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.SkippedFiles != 1 {
		t.Errorf("%d skipped files, want 1 (kind.yaml; mixed.yaml is read)", res.SkippedFiles)
	}
	if len(res.Problems) != 0 || len(res.Documents) != 1 || res.Files != 1 {
		t.Fatalf("problems %+v, %d documents, %d files; want the ServiceMonitor of one file", res.Problems, len(res.Documents), res.Files)
	}
	var got []string
	for _, s := range res.Skipped {
		got = append(got, s.File+":"+string(rune('0'+s.Line)))
	}
	if strings.Join(got, " ") != "kind.yaml:1 mixed.yaml:1" {
		t.Errorf("skipped %v; want kind.yaml:1 mixed.yaml:1", got)
	}
}
