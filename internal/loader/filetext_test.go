package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

// TestReleasedTextsAreReadAgain: with ReleaseTexts, documents keep no text,
// yet their positions and objects are the same as when it is kept, also in
// files with a byte order mark and CRLF line endings.
func TestReleasedTextsAreReadAgain(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml":    "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n",
		"crlf.yaml": "\xef\xbb\xbfapiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  name: b\r\nspec:\r\n  ports:\r\n  - port: 81\r\n",
		"list.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: l\n  spec:\n    ports:\n    - port: 82\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kept, err := Load([]string{dir}, Options{Kinds: testKinds, Limits: DefaultLimits})
	if err != nil {
		t.Fatal(err)
	}
	released, err := Load([]string{dir}, Options{Kinds: testKinds, Limits: DefaultLimits, ReleaseTexts: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(kept.Documents) != 4 || len(released.Documents) != 4 {
		t.Fatalf("%d and %d documents, want 4", len(kept.Documents), len(released.Documents))
	}
	for i, d := range released.Documents {
		k := kept.Documents[i]
		if d.text != "" || !d.released {
			t.Errorf("%s#%d kept its text", d.File, d.Index)
		}
		if d.Text() != k.Text() {
			t.Errorf("%s#%d: text read again %q, want %q", d.File, d.Index, d.Text(), k.Text())
		}
		for _, p := range []string{"/spec/ports/0/port", "/metadata/name", "/data/k", ""} {
			got, _ := d.Position(p)
			want, _ := k.Position(p)
			if got != want {
				t.Errorf("%s#%d %s: position %v, want %v", d.File, d.Index, p, got, want)
			}
		}
	}
}

// TestChangedFileFallsBackToTheDocumentStart: a file changed after it was
// linted is not read as if it were the same: positions fall back to the
// document's first line, and the text and object are unavailable.
func TestChangedFileFallsBackToTheDocumentStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.yaml")
	text := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Load([]string{dir}, Options{Kinds: testKinds, Limits: DefaultLimits, ReleaseTexts: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(text, "port: 80", "port: 8080", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	d := res.Documents[1]
	r, _ := d.Position("/spec/ports/0/port")
	if r.Line != d.StartLine || r.Line == 12 {
		t.Errorf("position in a changed file: line %d, want the document's first line %d", r.Line, d.StartLine)
	}
	if d.Text() != "" {
		t.Errorf("text of a changed file: %q", d.Text())
	}
	if _, ok := res.Documents[0].Decode(); ok { // a ConfigMap: no object kept
		t.Error("a changed file's document decoded")
	}
}

// TestDetachedStringsDoNotPinTheText: the identity of a prescanned document
// and the strings of a decoded object are copies, so that they do not keep
// the file's text alive once it is released.
func TestDetachedStringsDoNotPinTheText(t *testing.T) {
	text := "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop-frontend-xyz\n  labels:\n    tier: frontend-special\nspec:\n  ports:\n  - name: metrics-special\n    port: 80\n"
	pf := parseFile("a.yaml", []byte(text), DefaultLimits, testKinds, nil, false)
	cm := parseFile("b.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-xyz\n  namespace: ns-xyz\n"), DefaultLimits, testKinds, nil, false)
	if len(pf.docs) != 1 || len(cm.docs) != 1 || pf.decoded+pf.prescanned != 0 && cm.prescanned != 1 {
		t.Fatalf("unexpected parse: %+v %+v", pf, cm)
	}
	within := func(s, text string) bool {
		if s == "" {
			return false
		}
		p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(text)))
		return p >= start && p < start+uintptr(len(text))
	}
	d := pf.docs[0]
	labels := d.Object["metadata"].(map[string]any)["labels"].(map[string]any)
	port := d.Object["spec"].(map[string]any)["ports"].([]any)[0].(map[string]any)
	for _, s := range []string{d.Name, labels["tier"].(string), port["name"].(string)} {
		if within(s, pf.text) || within(s, d.text) {
			t.Errorf("%q is a slice of the file's text", s)
		}
	}
	for k := range labels {
		if within(k, d.text) {
			t.Errorf("key %q is a slice of the file's text", k)
		}
	}
	for _, s := range []string{cm.docs[0].Name, cm.docs[0].Namespace} {
		if within(s, cm.docs[0].text) {
			t.Errorf("prescanned %q is a slice of the file's text", s)
		}
	}
}
