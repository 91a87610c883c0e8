package loader

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	yaml "go.yaml.in/yaml/v3"
)

// sameNodes reports where got (BlockNodes) differs from want (yaml.v3) in
// what suggested fixes read of a node: kind, style, line, column, value,
// whether it is null, and the children in order.
func sameNodes(got, want *yaml.Node, path string) error {
	if got.Kind != want.Kind || got.Style != want.Style || got.Line != want.Line || got.Column != want.Column ||
		(got.Kind == yaml.ScalarNode && got.Value != want.Value) || (got.Tag == "!!null") != (want.Tag == "!!null") ||
		len(got.Content) != len(want.Content) {
		return fmt.Errorf("%s: got kind %d style %d %d:%d %q tag %q (%d children), yaml.v3 has kind %d style %d %d:%d %q tag %q (%d children)",
			path, got.Kind, got.Style, got.Line, got.Column, got.Value, got.Tag, len(got.Content),
			want.Kind, want.Style, want.Line, want.Column, want.Value, want.Tag, len(want.Content))
	}
	for i := range got.Content {
		if err := sameNodes(got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkBlockNodes holds BlockNodes to yaml.v3 on one document; it reports
// whether BlockNodes built the nodes.
func checkBlockNodes(t *testing.T, text string, offset int) bool {
	t.Helper()
	got, line := BlockNodes(text, offset)
	if line == 0 {
		if got != nil {
			t.Fatalf("%q: nodes without a line", text)
		}
		return false
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil || len(root.Content) != 1 {
		t.Fatalf("%q: BlockNodes read what yaml.v3 rejects (%v)", text, err)
	}
	want := root.Content[0]
	shiftLines(want, offset)
	if line != want.Line {
		t.Errorf("%q: BlockNodes puts the document at line %d, yaml.v3 at %d", text, line, want.Line)
	}
	if got == nil {
		return false
	}
	if err := sameNodes(got, want, ""); err != nil {
		t.Errorf("%q: %v", text, err)
	}
	return true
}

func shiftLines(n *yaml.Node, offset int) {
	n.Line += offset
	for _, c := range n.Content {
		shiftLines(c, offset)
	}
}

func TestBlockNodesMatchYAML(t *testing.T) {
	for _, d := range blockDocs {
		got := checkBlockNodes(t, d.text, 0)
		// everything scanBlock reads but block scalars
		if want := d.accept && !strings.ContainsAny(d.text, "|>"); got != want {
			t.Errorf("%q: BlockNodes built it: %v, want %v", d.text, got, want)
		}
		checkBlockNodes(t, d.text, 17)
	}
	for _, s := range append(append(lookupDocs, fuzzSeedDocs...),
		"a: \"x'y\"\nb: 'it''s'\nc: [\"q\", 'r''s', t]\nd: ~\ne: null\nf: Null\ng: NULL\nh: nil\n",
		"spec:\n  endpoints:\n  - port: http\n    scheme: http\n  -\n    port: m\n    tlsConfig: {}\n  selector:\n    matchLabels:\n      app: a\n") {
		checkBlockNodes(t, s, 0)
	}
}

// blockScalarHeader finds a block scalar, which BlockNodes leaves to yaml.v3.
var blockScalarHeader = regexp.MustCompile(`(?m)(:|-) +[|>][-+]? *$`)

// TestBlockNodesReadTheCorpus: every document of the generated corpora
// without a block scalar is built without yaml.v3, as yaml.v3 builds it.
func TestBlockNodesReadTheCorpus(t *testing.T) {
	for _, profile := range []corpus.Profile{corpus.ProfileAdoption, corpus.ProfileApps, corpus.ProfileCrowded} {
		built, docs := 0, 0
		eachCorpusFile(t, 20, profile, func(path, data string, chunks []chunk) {
			for _, c := range chunks {
				if strings.TrimSpace(c.text) == "" {
					continue
				}
				if checkBlockNodes(t, c.text, c.startLine-1) {
					built++
				}
				if !blockScalarHeader.MatchString(c.text) {
					docs++
				}
			}
		})
		if docs == 0 || built != docs {
			t.Errorf("profile %v: BlockNodes built %d of the corpus's %d documents", profile, built, docs)
		}
	}
}

// FuzzBlockNodes: whatever BlockNodes builds, yaml.v3 parses into the same
// nodes.
func FuzzBlockNodes(f *testing.F) {
	for _, d := range blockDocs {
		f.Add([]byte(d.text))
	}
	for _, s := range fuzzSeedDocs {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 || !utf8.Valid(data) || bytes.ContainsAny(data, "\r\u0085\u2028\u2029\x00") {
			return
		}
		checkBlockNodes(t, string(data), 0)
	})
}
