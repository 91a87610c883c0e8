package loader

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Seeds for both fuzz targets live in testdata/fuzz/<FuzzName>/ (Go's corpus
// format) and run as ordinary tests under `go test ./...`; the f.Add seeds
// below are the shapes every run must cover even if that directory is pruned.
var fuzzSeedDocs = []string{
	"",
	"---\n",
	"# only a comment\n",
	"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n    - port: 80\n      targetPort: http\n",
	"apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n",
	"a: &a [x, y]\nb: *a\nc: {<<: {d: 1}}\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  name: q\n",
	"apiVersion: v1\nkind: Pod\nmetadata: [name, p]\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n\tname: p\n",
	"apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\n",
	"apiVersion: v1\rkind: Pod\rmetadata: {name: p}\r",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: \"a\u2028b\"}\n",
	"--- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n--- [1, 2]\n...\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: |\n    line\n    line\n",
	"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec:\n  portLevelMtls:\n    8080: {mode: STRICT}\n    \"9090\": {mode: PERMISSIVE}\n",
	"a: &a [*a]\n",
	"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}",
	"\xef\xbb\xbfapiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n",
	"? [a, b]\n: c\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: 'it''s'}\nspec: {x: \"a\\\"b\"}\n",
}

// fuzzLimits keep one fuzz execution cheap while still letting every limit
// be hit by small inputs.
var fuzzLimits = Limits{MaxFileBytes: 1 << 20, MaxDocuments: 64, MaxDepth: 40, MaxNodes: 5000}

// FuzzParseFile feeds arbitrary bytes to the loader and checks that it never
// panics and that everything it reports points into the file.
func FuzzParseFile(f *testing.F) {
	for _, s := range fuzzSeedDocs {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		wholeFileAgrees(t, data, fuzzLimits)
		pf := parseFile("fuzz.yaml", data, fuzzLimits, testKinds, nil, false)
		lines := fileLines(data)
		if pf.skipped != "" && (len(pf.docs) > 0 || len(pf.problems) > 0) {
			t.Fatalf("skipped file (%s) still has %d documents and %d problems", pf.skipped, len(pf.docs), len(pf.problems))
		}
		for _, p := range pf.problems {
			if p.File != "fuzz.yaml" {
				t.Errorf("problem names file %q: %s", p.File, p.Message)
			}
			if p.Message == "" {
				t.Errorf("problem at %d:%d has no message", p.Line, p.Column)
			}
			checkRange(t, "problem "+p.Message, Range{p.Line, p.Column, p.EndLine, p.EndColumn}, lines)
		}
		for _, d := range pf.docs {
			if d.File != "fuzz.yaml" || d.Kind == "" || d.APIVersion == "" {
				t.Errorf("document %+v lacks file, kind or apiVersion", d)
			}
			if d.StartLine < 1 || d.StartLine > len(lines) {
				t.Errorf("document starts at line %d of %d", d.StartLine, len(lines))
			}
			r, _ := d.Position("")
			checkRange(t, "document "+d.Kind, r, lines)
			for _, ptr := range objectPointers(d.Object, 2000) {
				r, _ := d.Position(ptr)
				checkRange(t, "pointer "+ptr, r, lines)
			}
			r, _ = d.Position("/no/such/field")
			checkRange(t, "missing pointer", r, lines)
		}
	})
}

// FuzzPositionIndex checks the JSON pointer index of one YAML document:
// every span is a valid range inside the text, a child's span lies within
// its parent's, list items come in order, and Lookup of any pointer, even
// one that does not exist, gives a valid range.
func FuzzPositionIndex(f *testing.F) {
	for _, s := range fuzzSeedDocs {
		f.Add([]byte(s), "/metadata/name")
	}
	f.Add([]byte("a:\n  - b: 1\n  - [c, d]\n"), "/a/1/0")
	f.Add([]byte("a~b: {c/d: 1}\n"), "/a~0b/c~1d")
	f.Fuzz(func(t *testing.T, data []byte, pointer string) {
		if len(data) > 1<<16 || !utf8.Valid(data) || bytes.ContainsAny(data, "\r\u0085\u2028\u2029\x00") {
			// parseFile rejects or normalizes these before positions are
			// built (FuzzParseFile covers that path).
			return
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil || root.Kind == 0 {
			return
		}
		text := string(data)
		lines := strings.Split(text, "\n")
		idx := buildPositions(&root, lines, 0)
		sequences := sequencePointers(&root)
		ptrs := make([]string, 0, len(idx.spans))
		for p := range idx.spans {
			ptrs = append(ptrs, p)
		}
		sort.Strings(ptrs)
		for _, p := range ptrs {
			r := idx.spans[p]
			checkRange(t, "span "+p, r, lines)
			if p == "" {
				continue
			}
			parent := p[:strings.LastIndexByte(p, '/')]
			pr, ok := idx.spans[parent]
			if !ok {
				t.Errorf("span %q has no parent span %q", p, parent)
				continue
			}
			if before(r.Line, r.Column, pr.Line, pr.Column) || before(pr.EndLine, pr.EndColumn, r.EndLine, r.EndColumn) {
				t.Errorf("span %q %v is not inside its parent %q %v", p, r, parent, pr)
			}
			// The next list item starts at or after this one.
			last := p[strings.LastIndexByte(p, '/')+1:]
			if i, err := strconv.Atoi(last); err == nil && sequences[parent] {
				if next, ok := idx.spans[parent+"/"+strconv.Itoa(i+1)]; ok && before(next.Line, next.Column, r.Line, r.Column) {
					t.Errorf("list item %q starts at %v, after the next item %v", p, r, next)
				}
			}
		}
		r, exact := idx.Lookup(pointer)
		checkRange(t, "lookup "+pointer, r, lines)
		if exact && idx.spans[pointer] != r {
			t.Errorf("exact lookup of %q returned %v, index holds %v", pointer, r, idx.spans[pointer])
		}
	})
}

// sequencePointers lists the JSON pointers of the sequences in a document
// (a numeric last token is a list index only under a sequence; "0:" is also
// a mapping key).
func sequencePointers(root *yaml.Node) map[string]bool {
	out := map[string]bool{}
	var walk func(n *yaml.Node, pointer string, depth int)
	walk = func(n *yaml.Node, pointer string, depth int) {
		if depth > 1000 {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, pointer, depth+1)
			}
		case yaml.SequenceNode:
			out[pointer] = true
			for i, c := range n.Content {
				walk(c, pointer+"/"+strconv.Itoa(i), depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], pointer+"/"+EscapePointerToken(keyText(n.Content[i])), depth+1)
			}
		}
	}
	walk(root, "", 0)
	return out
}

// fileLines splits a file the way editors number its lines: after the BOM,
// with CRLF and lone CR both ending a line.
func fileLines(data []byte) []string {
	text := strings.TrimPrefix(string(data), "\xef\xbb\xbf")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// checkRange asserts r is a non-empty-or-empty span that starts no later
// than it ends and lies within lines (columns count characters; a range may
// end one past the last character of its line).
func checkRange(t *testing.T, what string, r Range, lines []string) {
	t.Helper()
	if r.Line < 1 || r.Column < 1 || r.EndLine < 1 || r.EndColumn < 1 {
		t.Errorf("%s: range %+v has a line or column below 1", what, r)
		return
	}
	if r.Line > len(lines) || r.EndLine > len(lines) {
		t.Errorf("%s: range %+v ends beyond the file's %d lines", what, r, len(lines))
		return
	}
	if before(r.EndLine, r.EndColumn, r.Line, r.Column) {
		t.Errorf("%s: range %+v ends before it starts", what, r)
	}
	if max := utf8.RuneCountInString(lines[r.Line-1]) + 1; r.Column > max {
		t.Errorf("%s: range %+v starts at column %d of a %d-character line %q", what, r, r.Column, max-1, lines[r.Line-1])
	}
	if max := utf8.RuneCountInString(lines[r.EndLine-1]) + 1; r.EndColumn > max {
		t.Errorf("%s: range %+v ends at column %d of a %d-character line %q", what, r, r.EndColumn, max-1, lines[r.EndLine-1])
	}
}

func before(l1, c1, l2, c2 int) bool { return l1 < l2 || (l1 == l2 && c1 < c2) }

// objectPointers lists the JSON pointers of v in a fixed order, at most max.
func objectPointers(v any, max int) []string {
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if len(out) >= max {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := prefix + "/" + EscapePointerToken(k)
				out = append(out, p)
				walk(p, x[k])
			}
		case []any:
			for i, item := range x {
				p := prefix + "/" + fmt.Sprint(i)
				out = append(out, p)
				walk(p, item)
			}
		}
	}
	walk("", v)
	return out
}
