package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectRoots(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
	write("plain/cm.yaml", cm)
	write("chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n")
	write("chart/templates/cm.yaml", cm)
	write("chart/ci/values.yaml", "a: 1\n")
	write("overlay/kustomization.yml", "resources: [cm.yaml]\n")
	write("overlay/cm.yaml", cm)
	write("overlay/nested/Chart.yaml", "apiVersion: v2\nname: n\nversion: 1.0.0\n")

	res, err := Load([]string{dir}, Options{Kinds: testKinds, WorkDir: dir, DetectRoots: true})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, d := range res.Documents {
		files = append(files, d.File)
	}
	if strings.Join(files, ",") != "plain/cm.yaml" {
		t.Errorf("documents from %v, want only plain/cm.yaml (the rest is rendered)", files)
	}
	var roots []string
	for _, r := range res.Roots {
		roots = append(roots, string(r.Kind)+":"+r.Display+":"+r.File)
	}
	if got, want := strings.Join(roots, ","), "helm:chart:chart/Chart.yaml,kustomize:overlay:overlay/kustomization.yml"; got != want {
		t.Errorf("roots %s, want %s", got, want)
	}

	// A Chart.yaml typed on the command line stands for its chart.
	res, err = Load([]string{filepath.Join(dir, "chart", "Chart.yaml")}, Options{WorkDir: dir, DetectRoots: true})
	if err != nil || len(res.Roots) != 1 || res.Roots[0].Display != "chart" {
		t.Errorf("Chart.yaml as a path: roots %+v, err %v", res.Roots, err)
	}

	// Without DetectRoots the walk is what it was: the kustomization's
	// resources and the chart's template (which has no actions) are plain files.
	res, err = Load([]string{dir}, Options{Kinds: testKinds, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Roots) != 0 || len(res.Documents) != 3 {
		t.Errorf("without DetectRoots: %d roots, %d documents; want 0 and 3", len(res.Roots), len(res.Documents))
	}
}

func TestParseRenderedLocates(t *testing.T) {
	text := "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: t\n"
	r := Rendered{File: "chart/templates/svc.yaml", Text: text, Origin: "rendered from Helm chart chart", Namespace: "prod",
		Line: func(l int) int { return l + 100 },
		Locate: func(d *Document, pointer string, r Range) (string, Range) {
			return "chart/templates/svc.yaml", Range{r.Line + 100, r.Column, r.EndLine + 100, r.EndColumn}
		}}
	docs, problems := ParseRendered(r, Limits{}, testKinds)
	if len(docs) != 2 || len(problems) != 0 {
		t.Fatalf("%d documents, %d problems", len(docs), len(problems))
	}
	if docs[0].Namespace != "prod" || docs[0].Origin != r.Origin {
		t.Errorf("namespace %q origin %q", docs[0].Namespace, docs[0].Origin)
	}
	file, rng := docs[0].Locate("/spec/ports/0/port")
	if file != "chart/templates/svc.yaml" || rng.Line != 107 || rng.Column != 7 {
		t.Errorf("located at %s:%d:%d, want chart/templates/svc.yaml:107:7", file, rng.Line, rng.Column)
	}
	if _, rng := docs[1].Locate(""); rng.Line != 109 {
		t.Errorf("second document at line %d, want 109", rng.Line)
	}

	_, problems = ParseRendered(Rendered{File: "t.yaml", Text: "apiVersion: v1\nkind: Service\nmetadata: {name: [\n", Origin: "o",
		Line: func(l int) int { return 40 + l }}, Limits{}, testKinds)
	if len(problems) != 1 || problems[0].Line < 41 || !strings.HasSuffix(problems[0].Message, "(o)") {
		t.Errorf("problems %+v, want one mapped through Line and naming the origin", problems)
	}
}

func TestParseSourceOffsets(t *testing.T) {
	docs := ParseSource("- op: replace\n  path: /spec/x\n  value: 1\n", 10, 6)
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	r, exact := docs[0].Lookup("/0/value")
	if !exact || r.Line != 12 || r.Column != 9 {
		t.Errorf("/0/value at %d:%d (exact %v), want 12:9", r.Line, r.Column, exact)
	}
	if ops, ok := docs[0].Value.([]any); !ok || len(ops) != 1 {
		t.Errorf("value %#v", docs[0].Value)
	}
}
