package loader

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// lookupDocs are documents whose pointers are easy to get wrong when
// looked up directly rather than through buildPositions' index.
var lookupDocs = []string{
	"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {app: a, 'x/y': z}\nspec:\n  ports:\n  - name: http\n    port: 80\n  - {name: metrics, port: 9090}\n",
	"a: 1\nb:\n  c: 1\na:\n  d: 2\n",                      // a repeated key: the last one's fields, and the first one's the last lacks
	"a:\n  b: 1\na:\n  b: 2\n  c: 3\n",                    // both have b: the last one wins
	"x: &anchor\n  y: 1\nz: *anchor\nw:\n  <<: *anchor\n", // aliases and merge keys are not followed
	"1: one\n0x10: sixteen\n\"2\": two\n",                 // integer keys are written in decimal
	"a~b:\n  c/d: [1, 2, {e: 3}]\n",                       // escaped tokens
	"list:\n- |\n  block\n  text\n- >\n  folded\n- \"quoted\n  twice\"\n",
	"- 1\n- 2\n",
	"just a scalar\n",
	"# only a comment\n",
	"a: {b: [c, {d: e}],\n  f: g}\n",
}

// pointersToTry are every pointer the index of root holds and, for each,
// a few that do not exist below and beside it.
func pointersToTry(idx *PositionIndex) []string {
	ptrs := []string{"", "/", "no-slash", "/nope", "/0", "/00", "/-1", "//"}
	for p := range idx.spans {
		ptrs = append(ptrs, p, p+"/", p+"/zz", p+"/0", p+"/01", p+"/9", p+"/zz/0")
	}
	sort.Strings(ptrs)
	return ptrs
}

// checkLookupAgrees holds positionBuilder.lookup to PositionIndex.Lookup
// over buildPositions' index for every pointer that matters.
func checkLookupAgrees(t *testing.T, text string, offset int) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil || root.Kind == 0 {
		return
	}
	lines := strings.Split(text, "\n")
	idx := buildPositions(&root, lines, offset)
	top := &root
	if len(root.Content) > 0 {
		top = root.Content[0]
	}
	b := positionBuilder{lines: lines, offset: offset}
	for _, p := range pointersToTry(idx) {
		wantR, wantExact := idx.Lookup(p)
		gotR, gotExact := b.lookup(top, p)
		if gotR != wantR || gotExact != wantExact {
			t.Errorf("%q: lookup(%q) = %v %v, the index says %v %v", text, p, gotR, gotExact, wantR, wantExact)
		}
	}
}

func TestLookupAgreesWithIndex(t *testing.T) {
	for _, s := range append(lookupDocs, fuzzSeedDocs...) {
		checkLookupAgrees(t, s, 0)
		checkLookupAgrees(t, s, 41)
	}
}

// FuzzPositionLookup holds the direct lookup that placing findings uses to
// the index of every pointer it replaces.
func FuzzPositionLookup(f *testing.F) {
	for _, s := range append(lookupDocs, fuzzSeedDocs...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 || !utf8.Valid(data) || bytes.ContainsAny(data, "\r\u0085\u2028\u2029\x00") {
			return // parseFile normalizes or rejects these first
		}
		checkLookupAgrees(t, string(data), 0)
	})
}

// TestEachFileAgreesWithDocuments: placing through one pass per file gives
// what asking each document does, for released texts, and reads each file
// once per pass without keeping it.
func TestEachFileAgreesWithDocuments(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml": lookupDocs[0] + "---\n" + strings.Replace(lookupDocs[0], "name: a", "name: b", 1),
		"b.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: s}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: t\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Load([]string{dir}, Options{Kinds: testKinds, WorkDir: dir, ReleaseTexts: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 4 {
		t.Fatalf("read %d documents, want 4", len(res.Documents))
	}
	var lookups []Lookup
	for _, d := range res.Documents {
		for _, p := range []string{"", "/metadata/name", "/spec/ports/1/port", "/spec/ports/7", "/metadata/labels/x~1y", "/kind"} {
			lookups = append(lookups, Lookup{Doc: d, Pointer: p})
		}
	}
	var mu sync.Mutex // passes over files run at once
	var files2 []string
	seen := make([]bool, len(lookups))
	EachFile(lookups, func(p *FilePass) {
		mu.Lock()
		defer mu.Unlock()
		files2 = append(files2, p.File)
		for _, i := range p.Lookups {
			seen[i] = true
			l := lookups[i]
			if l.Doc.File != p.File {
				t.Errorf("lookup %d of %s answered in the pass over %s", i, l.Doc.File, p.File)
			}
			file, got := p.Locate(l.Doc, l.Pointer)
			wantFile, want := l.Doc.Locate(l.Pointer)
			if file != wantFile || got != want {
				t.Errorf("%s %s: pass places it at %s %v, the document at %s %v", l.Doc.File, l.Pointer, file, got, wantFile, want)
			}
			gs, gok := p.Snippet(l.Doc, got)
			ws, wok := l.Doc.Snippet(want)
			if gs != ws || gok != wok {
				t.Errorf("%s %s: snippet %q %v, want %q %v", l.Doc.File, l.Pointer, gs, gok, ws, wok)
			}
		}
		if len(p.docs) == 0 || !p.read {
			t.Errorf("pass over %s parsed %d documents, read the file: %v", p.File, len(p.docs), p.read)
		}
	})
	sort.Strings(files2)
	if strings.Join(files2, ",") != "a.yaml,b.yaml" {
		t.Errorf("passes over %v, want one over a.yaml and one over b.yaml", files2)
	}
	for i, ok := range seen {
		if !ok {
			t.Errorf("lookup %d answered by no pass", i)
		}
	}
}
