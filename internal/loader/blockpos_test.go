package loader

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	yaml "go.yaml.in/yaml/v3"
)

// blockDocs are block YAML that scanBlock must read itself (accepted) and
// YAML it must leave to yaml.v3; either way its answers are checked against
// yaml.v3's nodes by checkBlockScan.
var blockDocs = []struct {
	text   string
	accept bool
}{
	{"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    app: a\nspec:\n  ports:\n  - name: http\n    port: 80\n  - name: metrics\n    port: 9090\n", true},
	{"\n# a comment\na: 1   # trailing\nb:\n    c: 'it''s'\n    d: \"x # y\"   \n  # less indented comment\n    e: {}\n    f: []\ng:\n- 1\n-   h: 2\n    i: x:y\n-\n  j: k\n- {}\n", true},
	{"a:\n  - b: 1\n    c:\n    - d\n    - e\n  - f\nz: x,y\n", true},
	{"   a: 1\n   b: 2\n", true},               // the stand-in for "--- a: 1" is padded
	{"8080: x\n0: y\n12: z\n", true},           // integer keys already in decimal
	{"a: 1\nb:\n  c: 1\na:\n  d: 2\n", true},   // a repeated key: the last one wins, then the first
	{"a:\n  b: 1\na:\n  b: 2\n  c: 3\n", true}, // both have b
	{"k: -1\nl: --flag=a\nm: a#b\nn: true\n~: null\n", true},
	{"a: b\n\n\n", true},
	{"a:\n", false},                // null
	{"a:\nb: 1\n", false},          // null in the middle
	{"- a\n- b\n", false},          // a list at the top
	{"a: b\n  c\n", false},         // a plain scalar over two lines
	{"a: b\n  c: d\n", false},      // rejected by yaml.v3
	{"a:\n  b: 1\n c: 2\n", false}, // indentation yaml.v3 rejects
	{"a: &x 1\nb: *x\n", false},    // anchors, aliases
	{"a: !!str 1\n", false},        // tags
	{"a: |\n  text\n", true},       // block scalars
	{"a: |-\n  x\n\n  y\nb: 1\n", true},
	{"a: >\nb: 1\n", true}, // empty
	{"a: |\n  # not a comment\n  x\n# comment\nb: 2\n", true},
	{"- key: |\n    text\n  other: 1\n", false},
	{"l:\n- key: |\n    text\n  other: 1\n- x\n", true}, // the header's line is less indented than the key
	{"a: |\n   x\n  y\n", false},                        // less indented than the content, more than the key
	{"a: |\n  \n  x\n", false},                          // spaces before the content
	{"a: |2\n  x\n", false},                             // an indentation indicator
	{"a: | # c\n  x\n", false},
	{"a:\n- |\n  x\n", false}, // in a list item
	{"a: [\"x\", 'y', z, --f, /p]\nb: 1\n", true},
	{"a: [x,y]  # c\n", true},
	{"a:\n- [a, b]\n- c\n", true},
	{"a: [x, ]\n", false},
	{"a: [x y]\n", false},
	{"a: [x] y\n", false},
	{"a: [x\n", false},
	{"a: {b: 1}\n", false},            // flow collections
	{"a: \"\\q\"\n", false},           // an escape yaml.v3 rejects
	{"\"a\": 1\n", false},             // quoted keys
	{"a: b: c\n", false},              // rejected by yaml.v3
	{"a:\n- - 1\n", false},            // a list in a list item
	{"a:\n  -\n    - 1\n", false},     // the same over two lines
	{"0x10: a\n", false},              // an integer key written otherwise
	{"07: a\n", false},                // a leading zero
	{"a:\tb\n", false},                // tabs
	{"a: é\n", false},                 // non-ASCII: columns count characters
	{"a: 'open\n", false},             // an unclosed quote
	{"a: 'x' y\n", false},             // text after a quoted scalar
	{"a: \"x\"#c\n", false},           // a comment without a blank before it
	{"---\na: 1\n", false},            // markers are split off before
	{"%YAML 1.2\n---\na: 1\n", false}, // directives
	{"<<: b\n", false},                // merge keys
	{"? a\n: b\n", false},             // explicit keys
	{"a: [1]\n", true},
	{"a: [[1]]\n", false},
	{"a:\n- b\nc: 1\n  d: 2\n", false},
	{"just a scalar\n", false},
	{"# only a comment\n", false},
	{"", false},
}

// checkBlockScan holds scanBlock to yaml.v3: when it reads a document,
// yaml.v3 parses it and every pointer (present or not) is placed the same.
// It reports whether scanBlock read the document.
func checkBlockScan(t *testing.T, text string, offset int) bool {
	t.Helper()
	lines := strings.Split(text, "\n")
	fast := scanBlock(text, lines, offset)
	if fast == nil {
		return false
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil || root.Kind == 0 {
		t.Fatalf("%q: scanBlock read what yaml.v3 rejects (%v)", text, err)
	}
	top := &root
	if len(root.Content) > 0 {
		top = root.Content[0]
	}
	b := positionBuilder{lines: lines, offset: offset}
	for _, p := range pointersToTry(buildPositions(&root, lines, offset)) {
		want, wantExact := b.lookup(top, p)
		got, gotExact := fast.lookup(p)
		if got != want || gotExact != wantExact {
			t.Errorf("%q: scanBlock places %q at %v %v, yaml.v3's nodes at %v %v", text, p, got, gotExact, want, wantExact)
		}
	}
	return true
}

func TestBlockScanMatchesNodes(t *testing.T) {
	for _, d := range blockDocs {
		if got := checkBlockScan(t, d.text, 0); got != d.accept {
			t.Errorf("%q: scanBlock read it: %v, want %v", d.text, got, d.accept)
		}
		checkBlockScan(t, d.text, 17)
	}
	for _, s := range append(lookupDocs, fuzzSeedDocs...) {
		checkBlockScan(t, s, 0)
	}
}

// TestBlockScanReadsTheCorpus: the generated corpus is the block YAML
// tools write, and every document of it is read without yaml.v3.
func TestBlockScanReadsTheCorpus(t *testing.T) {
	read, docs := 0, 0
	eachCorpusFile(t, 20, corpus.ProfileAdoption, func(path, data string, chunks []chunk) {
		for _, c := range chunks {
			if strings.TrimSpace(c.text) == "" {
				continue
			}
			docs++
			if checkBlockScan(t, c.text, c.startLine-1) {
				read++
			}
		}
	})
	if docs == 0 || read != docs {
		t.Errorf("scanBlock read %d of the corpus's %d documents", read, docs)
	}
}

// eachCorpusFile generates a corpus of apps apps of profile and calls fn
// with each file's path, its text as read and its documents as the loader
// splits them.
func eachCorpusFile(t *testing.T, apps int, profile corpus.Profile, fn func(path, data string, chunks []chunk)) {
	t.Helper()
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Apps: apps, Profile: profile}); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn(path, string(data), splitDocuments(normalizeText(data)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzBlockScan: whatever scanBlock reads, yaml.v3 parses, and places
// every pointer where the node tree does.
func FuzzBlockScan(f *testing.F) {
	for _, d := range blockDocs {
		f.Add([]byte(d.text))
	}
	for _, s := range fuzzSeedDocs {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 || !utf8.Valid(data) || bytes.ContainsAny(data, "\r\u0085\u2028\u2029\x00") {
			return // parseFile normalizes or rejects these first
		}
		checkBlockScan(t, string(data), 0)
	})
}
