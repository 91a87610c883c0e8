package loader

import (
	"bytes"
	"fmt"
	"iter"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/finding"
)

// Document is one Kubernetes object read from a file. Objects inside a List
// are Documents of their own whose Pointer is the item's place in the List.
type Document struct {
	File      string // display path: relative to Options.WorkDir (DisplayBase: the repository root), forward slashes, "-" for stdin
	Index     int    // 0-based position of the YAML document in the file
	Item      int    // 0-based position in a List, -1 when not from a List
	StartLine int    // 1-based line of the document's first line in the file

	APIVersion string
	Kind       string
	Name       string
	Namespace  string // as written; empty when the manifest has none

	// Object is the decoded object (map[string]any, []any, string, int64,
	// float64, bool, nil). It is nil for kinds the caller does not read
	// (Options.Kinds), which are only checked for being well formed, and
	// once released (ReleaseObject). With Options.Fields it may hold only
	// the fields the caller reads; Decode gives the whole object.
	Object map[string]any

	// Prefix is the JSON pointer of the object within the YAML document:
	// "" for a plain manifest, "/items/3" for an item of a List.
	Prefix string

	text      string    // the YAML document's own text, for lazy positions
	file      *fileText // reads text again once released (filetext.go)
	released  bool      // the text was released
	dropped   bool      // the object was released
	partial   bool      // Object holds only what Options.Fields keeps
	posOnce   sync.Once
	positions *PositionIndex
	source    SourceMap // set for documents derived from non-manifest files (derived.go)

	// Origin says where a rendered object came from, for messages (e.g.
	// "rendered from Helm chart charts/shop"); "" for plain files.
	Origin string
	// Incomplete says why the rest of this object's namespace may not be
	// in the input (a Kustomize root built without its remote base); ""
	// when nothing was left out. Rules that need a whole namespace stay
	// silent about such namespaces.
	Incomplete string
	locate     func(d *Document, pointer string, r Range) (string, Range) // rendered.go

	templateLine func(line int) int // rendered.go
}

// Position maps a JSON pointer within the object to its span in the file,
// falling back to the nearest existing parent. Positions are computed only
// when first asked for, because most documents never have a finding.
func (d *Document) Position(pointer string) (Range, bool) {
	d.posOnce.Do(func() {
		text := d.Text()
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(text), &root); err != nil || root.Kind == 0 {
			d.positions = &PositionIndex{spans: map[string]Range{}, root: Range{d.StartLine, 1, d.StartLine, 1}}
			return
		}
		d.positions = buildPositions(&root, strings.Split(text, "\n"), d.StartLine-1)
	})
	return d.positions.Lookup(d.filePointer(pointer))
}

// chunk is one YAML document's text and where it starts in the file.
type chunk struct {
	text      string
	startLine int
}

// splitDocuments cuts a file where yaml.v3 ends one document and starts the
// next: at its "---" and "..." lines. Each document is parsed on its own, so
// a syntax error in one does not stop the others from being read. yaml.v3
// takes "---" or "..." at column 0, followed by a blank or the end of the
// line, as a marker wherever it stands: it ends a plain or block scalar
// (whose content is indented) and a flow collection, and inside a quoted
// scalar it is an error. So the cut is where yaml.v3 puts it, and an
// unterminated quote or bracket ends at the marker and can never reach into
// the next document. A marker line is replaced by an empty line, so line
// numbers stay right; the documents are slices of text, since the marker's
// own line break can stand in for it. Directives ("%YAML", "%TAG") belong to
// the document their "---" starts, which then keeps them and its marker; the
// text before them stays an empty document, so the documents are counted as
// before.
func splitDocuments(text string) []chunk {
	var chunks []chunk
	for c := range documentChunks(text) {
		chunks = append(chunks, c)
	}
	return chunks
}

// documentChunks yields the documents splitDocuments cuts, one at a time,
// so a file of millions of empty documents is never held as a list.
func documentChunks(text string) iter.Seq[chunk] {
	return func(yield func(chunk) bool) {
		start, from := 1, 0
		lead := "" // what stands in for the last marker line, when text[from:] does not
		for i, ls := 0, 0; ; i++ {
			le := len(text)
			if j := strings.IndexByte(text[ls:], '\n'); j >= 0 {
				le = ls + j + 1
			}
			if l := text[ls:le]; isDocumentMarker(l) {
				if strings.HasPrefix(l, "---") && lead == "" && directivesOnly(text[from:ls]) {
					// The directives and this marker open the next document.
					if !yield(chunk{"", start}) {
						return
					}
				} else {
					if !yield(chunk{lead + text[from:ls], start}) {
						return
					}
					start = i + 1
					lead, from = markerStandIn(l, le)
				}
			}
			if le >= len(text) {
				break
			}
			ls = le
		}
		yield(chunk{lead + text[from:], start})
	}
}

// markerStandIn is what starts the document after the marker line l (which
// ends at le): anything after the marker on its line (e.g. "--- {a: 1}"),
// padded so its columns stay right, or the line break of the marker line.
func markerStandIn(l string, le int) (lead string, from int) {
	rest := strings.TrimLeft(l[3:], " \t")
	if t := strings.TrimSpace(rest); t != "" && t[0] != '#' {
		return strings.Repeat(" ", len(l)-len(rest)) + rest, le
	}
	if strings.HasSuffix(l, "\n") {
		return "", le - 1
	}
	return "\n", le
}

// isDocumentMarker matches a line (with its line break) that starts a
// document ("---") or ends one ("..."): the marker then a blank or the end
// of the line, as yaml.v3 reads them. (A form feed is not blank to yaml.v3,
// which rejects it outright; cutting there reads the documents around it.)
func isDocumentMarker(l string) bool {
	if !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "...") {
		return false
	}
	if len(l) == 3 {
		return true
	}
	switch l[3] {
	case ' ', '\t', '\n', '\f', '\r':
		return true
	}
	return false
}

// directivesOnly reports whether text, the text before a "---", holds
// directives and nothing else but blank and comment lines.
func directivesOnly(text string) bool {
	found := false
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, "%") {
			found = true
		} else if t := strings.TrimSpace(line); t != "" && t[0] != '#' {
			return false
		}
	}
	return found
}

var yamlErrLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// parserErrors are the yaml.v3 messages raised by its parser rather than its
// scanner. yaml.v3 prints the parser's 0-based line for them, but the
// scanner's 1-based line for the others, so the two need different fixes.
var parserErrors = []string{
	"did not find expected key", "did not find expected node content", "did not find expected '-' indicator",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected <document start>",
}

// yamlErrorAt turns a yaml.v3 error on a document into a message and the
// file line it is about. lines are the document's lines; offset is the
// document's first line in the file minus one.
func yamlErrorAt(err error, lines []string, offset int) (string, int) {
	msg := err.Error()
	line := 1
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
		for _, p := range parserErrors {
			if strings.HasPrefix(msg, p) {
				line++
				break
			}
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		line = unknownAnchorLine(msg, lines)
	}
	if line > len(lines) {
		line = len(lines)
	}
	if line < 1 {
		line = 1
	}
	if strings.HasPrefix(strings.TrimLeft(lines[line-1], " "), "\t") {
		msg += " (a tab character: YAML indentation must use spaces)"
	}
	return msg, line + offset
}

// parsedFile is what reading one file produced.
type parsedFile struct {
	docs     []*Document
	problems []finding.Problem
	skipped  string // reason the file was skipped as not a manifest; "" if not
	// notObjects are the documents with apiVersion and kind that are not
	// cluster objects meshlint reads (notAnObject), for --verbose.
	notObjects []Skip

	yamlDocuments, prescanned, decoded int // for Stats

	text string // the normalized text the documents were cut from

	readErr error // a path the user typed could not be read: the run stops
}

var templateAction = regexp.MustCompile(`\{\{-?\s*(\.|\$|include|template|if|else|end|range|with|define|toYaml|tpl|printf|required|default|/\*)`)

// parseFile splits and parses one file, decoding the objects of kinds.
// display is the name findings use. data becomes the text's memory: the
// caller must not change it afterwards.
func parseFile(display string, data []byte, limits Limits, kinds Kinds, fields FieldsOf, inChartTemplates bool) parsedFile {
	if bytes.IndexByte(data, 0) >= 0 {
		return parsedFile{problems: []finding.Problem{{File: display, Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
			Message: "file contains NUL bytes: it is binary, not YAML or JSON"}}}
	}
	// YAML ends a line at CRLF, LF and a lone CR; so do editors. Normalize
	// all three to LF, so YAML's line numbers are the file's.
	text := normalizeOwnedText(data) // data is the caller's to give: nothing writes to it again
	isTemplate := templateAction.MatchString(text)
	if isTemplate && inChartTemplates {
		return parsedFile{skipped: "Helm template (contains {{ }} actions); lint the chart directory to render it"}
	}
	if problem, bad := unreadableText(display, text); bad {
		return parsedFile{problems: []finding.Problem{problem}}
	}

	out := parsedFile{text: text}
	looksLikeManifest := false
	var syntaxErrors []finding.Problem
	i := -1
	for c := range documentChunks(text) {
		i++
		if blankOrComments(c.text) {
			continue
		}
		if out.yamlDocuments == limits.MaxDocuments {
			// Only documents with content count; those before the limit
			// are read, and the limit is reported once, where it is hit.
			out.problems = append(out.problems, finding.Problem{File: display, Line: c.startLine, Column: 1,
				EndLine: c.startLine, EndColumn: lineLen(text, c.startLine) + 1, Message: documentLimitMessage(limits.MaxDocuments)})
			looksLikeManifest = true
			break
		}
		out.yamlDocuments++
		if fastPaths && !isTemplate {
			// The fast paths answer only where the full parse below would
			// give the same result (prescan.go, fastdecode.go).
			if id, ok := prescan(c.text, limits, kinds); ok {
				// A kind no rule reads, known from its text: no full parse.
				looksLikeManifest = true
				out.prescanned++
				out.docs = append(out.docs, id.document(display, i, c))
				continue
			}
			if d, ok := fastDocument(display, i, c, limits, kinds, fields); ok {
				looksLikeManifest = true
				out.docs = append(out.docs, d)
				continue
			}
		}
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(c.text), &root); err != nil {
			msg, line := yamlErrorAt(err, strings.Split(c.text, "\n"), c.startLine-1)
			msg = "invalid YAML: " + msg
			if strings.Contains(msg, "exceeded max depth of") {
				msg = parserDepthMessage(limits.MaxDepth)
			}
			syntaxErrors = append(syntaxErrors, finding.Problem{File: display, Line: line, Column: 1, EndLine: line,
				EndColumn: lineLen(text, line) + 1, Message: msg})
			continue
		}
		if isTemplate {
			if line := templatePlaceholder(&root); line > 0 {
				line += c.startLine - 1
				out.notObjects = append(out.notObjects, Skip{File: display, Line: c.startLine,
					Reason: fmt.Sprintf("a template: line %d holds an unquoted {{ }} action, which YAML reads as a mapping; not linted (render it and lint the output)", line)})
				continue
			}
		}
		docs, problems, manifest, notObject := readDocument(display, i, c, &root, limits, kinds)
		if notObject != "" {
			n := topNode(&root) // a mapping with both: notAnObject said so
			out.notObjects = append(out.notObjects, Skip{File: display, Line: c.startLine, Reason: notObject,
				APIVersion: topScalar(n, "apiVersion").Value, Kind: topScalar(n, "kind").Value})
			continue
		}
		looksLikeManifest = looksLikeManifest || manifest
		out.docs = append(out.docs, docs...)
		out.problems = append(out.problems, problems...)
	}
	return out.verdict(text, isTemplate, looksLikeManifest, syntaxErrors)
}

// unreadableText is the problem of a text whose positions meshlint cannot
// report truthfully: invalid UTF-8, or a character YAML reads as a line
// break and editors do not.
func unreadableText(display, text string) (finding.Problem, bool) {
	if !utf8Valid(text) {
		line, col := firstInvalidUTF8(text)
		return finding.Problem{File: display, Line: line, Column: col, EndLine: line, EndColumn: col + 1,
			Message: "file is not valid UTF-8"}, true
	}
	if line, col, name, found := unusualLineBreak(text); found {
		// yaml.v3 ends a line at these too (YAML 1.1), editors and CI
		// annotations do not: every position after one would be wrong.
		return finding.Problem{File: display, Line: line, Column: col, EndLine: line, EndColumn: col + 1,
			Message: fmt.Sprintf("file contains %s, which YAML reads as a line break but editors do not; remove it, or write it as an escape in a double-quoted string", name)}, true
	}
	return finding.Problem{}, false
}

// verdict decides what a parsed file is: a manifest (out, with its syntax
// errors), a template or other YAML to skip, or a file of non-objects.
func (out parsedFile) verdict(text string, isTemplate, looksLikeManifest bool, syntaxErrors []finding.Problem) parsedFile {
	if len(syntaxErrors) > 0 {
		if isTemplate {
			return parsedFile{skipped: "Helm template (contains {{ }} actions and is not valid YAML)"}
		}
		// A broken file that says it is a manifest is reported; a broken file
		// that never mentions apiVersion or kind is some other YAML.
		if looksLikeManifest || mentionsManifestKeys(text) {
			out.problems = append(out.problems, syntaxErrors...)
			return out
		}
		return parsedFile{skipped: "not a Kubernetes manifest (invalid YAML without apiVersion/kind)"}
	}
	if !looksLikeManifest {
		if len(out.notObjects) > 0 && len(out.docs) == 0 && len(out.problems) == 0 {
			return parsedFile{notObjects: out.notObjects}
		}
		if len(out.docs) == 0 && len(out.problems) == 0 {
			return parsedFile{skipped: "no YAML documents"}
		}
		return parsedFile{skipped: "not a Kubernetes manifest (no document has apiVersion and kind)"}
	}
	return out
}

var (
	// At the start of a line (YAML) or after { or , (JSON, flow style).
	apiVersionLine = regexp.MustCompile(`(?m)(^|[{,])\s*"?apiVersion"?\s*:`)
	kindLine       = regexp.MustCompile(`(?m)(^|[{,])\s*"?kind"?\s*:`)
)

func mentionsManifestKeys(text string) bool {
	return apiVersionLine.MatchString(text) && kindLine.MatchString(text)
}

// readDocument turns one parsed YAML document into Documents (several for a
// List), decoding the objects of kinds. manifest reports whether it looks like a Kubernetes object at all;
// notObject, when not "", says why a well-formed document with apiVersion
// and kind is skipped (notAnObject).
func readDocument(display string, index int, c chunk, root *yaml.Node, limits Limits, kinds Kinds) (docs []*Document, problems []finding.Problem, manifest bool, notObject string) {
	n := root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, nil, false, ""
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil, false, ""
	}
	lines := func() []string { return strings.Split(c.text, "\n") }
	problemAt := func(pointer, msg string) finding.Problem {
		idx := buildPositions(root, lines(), c.startLine-1)
		r, _ := idx.Lookup(pointer)
		return finding.Problem{File: display, Line: r.Line, Column: r.Column, EndLine: r.EndLine, EndColumn: r.EndColumn, Message: msg}
	}
	if n.Kind != yaml.MappingNode {
		return nil, []finding.Problem{problemAt("", "document is not a mapping, so it is not a Kubernetes object")}, false, ""
	}
	apiVersion, kind := topScalar(n, "apiVersion"), topScalar(n, "kind")
	if apiVersion == nil || kind == nil {
		// Only half of the pair: some other YAML with a "kind" key (Zarf
		// packages, Helm values). The file decides whether that is an error.
		return nil, []finding.Problem{problemAt("", "document has no apiVersion or no kind, so it is not a Kubernetes object")}, false, ""
	}
	if strings.HasPrefix(apiVersion.Value, "kustomize.config.k8s.io/") || strings.HasPrefix(apiVersion.Value, "config.kubernetes.io/") {
		return nil, nil, false, "" // build configuration, not a cluster object
	}
	manifest = true

	// The limits hold for every kind, and are checked on the parsed text
	// before anything is converted: an alias bomb costs the size of its
	// text, never its expansion.
	if ve := checkShape(n, limits); ve != nil {
		line := ve.Line + c.startLine - 1
		return nil, []finding.Problem{{File: display, Line: line, Column: ve.Column, EndLine: line,
			EndColumn: lineLen(c.text, ve.Line) + 1, Message: ve.messageAt(c.startLine - 1)}}, true, ""
	}

	if reason := notAnObject(n, kinds); reason != "" {
		return nil, nil, false, reason
	}
	if apiVersion.Value == "" || kind.Value == "" {
		return nil, []finding.Problem{problemAt("", "document has an empty apiVersion or kind, so it is not a Kubernetes object")}, true, ""
	}
	isList := kind.Value == "List" || (strings.HasSuffix(kind.Value, "List") && hasKey(n, "items"))
	if !kinds.decodes(apiVersion.Value, kind.Value) && !isList {
		// Cheap structural check only: the caller does not read the kind.
		if p := metadataProblem(n); p != "" {
			return nil, []finding.Problem{problemAt("/metadata", p)}, true, ""
		}
		return []*Document{{File: display, Index: index, Item: -1, StartLine: c.startLine,
			APIVersion: sharedIdentity(apiVersion.Value), Kind: sharedIdentity(kind.Value), Name: nameOf(n), Namespace: namespaceOf(n), text: c.text}}, nil, true, ""
	}

	value, err := newConverter(limits).convert(n, 0)
	if err != nil {
		if ve, ok := err.(*ValueError); ok {
			line := ve.Line + c.startLine - 1
			return nil, []finding.Problem{{File: display, Line: line, Column: ve.Column, EndLine: line,
				EndColumn: lineLen(c.text, ve.Line) + 1, Message: ve.messageAt(c.startLine - 1)}}, true, ""
		}
		return nil, []finding.Problem{problemAt("", err.Error())}, true, ""
	}
	obj := value.(map[string]any)
	if isList {
		items, ok := obj["items"].([]any)
		if !ok {
			if obj["items"] == nil {
				return nil, nil, true, ""
			}
			return nil, []finding.Problem{problemAt("/items", kind.Value+" items is not a list")}, true, ""
		}
		for i, it := range items {
			ptr := "/items/" + strconv.Itoa(i)
			m, ok := it.(map[string]any)
			if !ok {
				problems = append(problems, problemAt(ptr, "List item is not an object"))
				continue
			}
			d, bad := newDocument(display, index, i, c, m, ptr)
			if bad != nil {
				problems = append(problems, problemAt(ptr+bad.pointer, bad.message))
				continue
			}
			docs = append(docs, d)
		}
		return docs, problems, true, ""
	}
	d, bad := newDocument(display, index, -1, c, obj, "")
	if bad != nil {
		return nil, []finding.Problem{problemAt(bad.pointer, bad.message)}, true, ""
	}
	return []*Document{d}, nil, true, ""
}

// notAnObject says why a document is skipped although it has apiVersion and
// kind, or "" when it is not. A kind the caller does not read that has no
// metadata, or no metadata.name, is configuration for some tool (kind,
// kubeadm, kubeconfig, skaffold, ctlptl, kuttl, an operator's install
// profile, a test's expected output) or a document such as a project's
// release notes: nothing a cluster can hold, so nothing meshlint can find
// wrong, and an error for it would fail CI on files that are fine. The kinds
// the caller reads keep their error: an object meshlint lints must be one
// Kubernetes accepts. So does metadata that is there but not a mapping: that
// is a broken object, not a tool's file.
func notAnObject(root *yaml.Node, kinds Kinds) string {
	n := topNode(root)
	if n.Kind != yaml.MappingNode {
		return ""
	}
	apiVersion, kind := topScalar(n, "apiVersion"), topScalar(n, "kind")
	if apiVersion == nil || kind == nil || kinds.decodes(apiVersion.Value, kind.Value) {
		return ""
	}
	if strings.HasSuffix(kind.Value, "List") && hasKey(n, "items") {
		return ""
	}
	what := "metadata"
	if meta := child(n, "metadata"); meta != nil && !(meta.Kind == yaml.ScalarNode && meta.Tag == "!!null") {
		if meta.Kind != yaml.MappingNode || child(meta, "name") != nil || child(meta, "generateName") != nil {
			return ""
		}
		what = "metadata.name"
	}
	if apiVersion.Value == "" || kind.Value == "" {
		if what != "metadata" {
			return "" // an empty kind with metadata: a broken object
		}
	}
	return fmt.Sprintf("%s (apiVersion %q) has no %s: a tool's configuration or a template, not an object a cluster holds; not linted",
		orEmpty(kind.Value), apiVersion.Value, what)
}

// topNode is the content of a parsed YAML document.
func topNode(root *yaml.Node) *yaml.Node {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		return root.Content[0]
	}
	return root
}

func orEmpty(kind string) string {
	if kind == "" {
		return "a document with an empty kind"
	}
	return kind
}

// templatePlaceholder returns the line of the first unquoted Go template
// action ("{{ .Name }}", "{{ if .x }}") in the document, or 0. YAML reads
// one as a flow mapping whose key is another flow mapping, which no
// Kubernetes object has: the document is a template (a project's test
// templates, a CI job's), and reporting its placeholders as broken keys
// would be an error about a file that is fine. Aliases are not followed,
// so the walk costs the size of the text.
func templatePlaceholder(n *yaml.Node) int {
	if n == nil || n.Kind == yaml.AliasNode {
		return 0
	}
	if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0 {
		if k := n.Content[0]; k.Kind == yaml.MappingNode && k.Style&yaml.FlowStyle != 0 {
			return n.Line
		}
	}
	for _, c := range n.Content {
		if line := templatePlaceholder(c); line > 0 {
			return line
		}
	}
	return 0
}

// fieldProblem is a wrongly typed or missing field of an object.
type fieldProblem struct{ pointer, message string }

func bad(pointer, message string) *fieldProblem { return &fieldProblem{pointer, message} }

// newDocument validates the identity fields of a decoded object.
func newDocument(display string, index, item int, c chunk, obj map[string]any, prefix string) (*Document, *fieldProblem) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" {
		return nil, bad("/apiVersion", "object has no apiVersion, or it is not a string")
	}
	if kind == "" {
		return nil, bad("/kind", "object has no kind, or it is not a string")
	}
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		if obj["metadata"] == nil {
			return nil, bad("", "object has no metadata")
		}
		return nil, bad("/metadata", "metadata is not a mapping")
	}
	name, nameOK := meta["name"].(string)
	generate, _ := meta["generateName"].(string)
	if !nameOK && generate == "" {
		return nil, bad("/metadata", "metadata.name is missing or not a string")
	}
	if name == "" {
		name = generate
	}
	ns := ""
	if v, exists := meta["namespace"]; exists && v != nil {
		s, ok := v.(string)
		if !ok {
			return nil, bad("/metadata/namespace", "metadata.namespace is not a string")
		}
		ns = s
	}
	for _, field := range []string{"labels", "annotations"} {
		v, exists := meta[field]
		if !exists || v == nil {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, bad("/metadata/"+field, "metadata."+field+" is not a mapping")
		}
		// The first bad key in sorted order: map order would make the
		// report differ from run to run.
		badKey, found := "", false
		for k, val := range m {
			if _, ok := val.(string); !ok && val != nil && (!found || k < badKey) {
				badKey, found = k, true
			}
		}
		if found {
			return nil, bad("/metadata/"+field+"/"+EscapePointerToken(badKey), "metadata."+field+"["+strconv.Quote(badKey)+"] is not a string (quote it)")
		}
	}
	return &Document{File: display, Index: index, Item: item, StartLine: c.startLine, APIVersion: sharedIdentity(apiVersion),
		Kind: sharedIdentity(kind), Name: name, Namespace: ns, Object: obj, Prefix: prefix, text: c.text}, nil
}

func topScalar(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.ScalarNode {
				return v
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Value: ""}
		}
	}
	return nil
}

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func metadataProblem(n *yaml.Node) string {
	meta := child(n, "metadata")
	if meta == nil {
		return "object has no metadata"
	}
	if meta.Kind != yaml.MappingNode {
		return "metadata is not a mapping"
	}
	if name := child(meta, "name"); name == nil || name.Kind != yaml.ScalarNode || name.Value == "" {
		if g := child(meta, "generateName"); g == nil {
			return "metadata.name is missing or not a string"
		}
	}
	return ""
}

func nameOf(n *yaml.Node) string {
	if v := child(child(n, "metadata"), "name"); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	if v := child(child(n, "metadata"), "generateName"); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

func namespaceOf(n *yaml.Node) string {
	if v := child(child(n, "metadata"), "namespace"); v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		return v.Value
	}
	return ""
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func lineLen(text string, line int) int {
	l := 1
	start := 0
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			if l == line {
				return len([]rune(text[start:i]))
			}
			l++
			start = i + 1
		}
	}
	if l == line {
		return len([]rune(text[start:]))
	}
	return 0
}

// unusualLineBreak finds the first NEL, LINE SEPARATOR or PARAGRAPH
// SEPARATOR in text: the line breaks of YAML 1.1 that are not "\n".
func unusualLineBreak(text string) (line, col int, name string, found bool) {
	i := strings.IndexFunc(text, func(r rune) bool { return r == '\u0085' || r == '\u2028' || r == '\u2029' })
	if i < 0 {
		return 0, 0, "", false
	}
	line = strings.Count(text[:i], "\n") + 1
	col = utf8.RuneCountInString(text[strings.LastIndexByte(text[:i], '\n')+1:i]) + 1
	r, _ := utf8.DecodeRuneInString(text[i:])
	return line, col, fmt.Sprintf("%U (%s)", r, map[rune]string{'\u0085': "NEXT LINE", '\u2028': "LINE SEPARATOR", '\u2029': "PARAGRAPH SEPARATOR"}[r]), true
}

var unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// unknownAnchorLine finds the line of the alias an "unknown anchor" error is
// about (yaml.v3 gives that error no line), or 1.
func unknownAnchorLine(msg string, lines []string) int {
	m := unknownAnchor.FindStringSubmatch(msg)
	if m == nil {
		return 1
	}
	alias := regexp.MustCompile(`\*` + regexp.QuoteMeta(m[1]) + `($|[\s,\]}])`)
	for i, l := range lines {
		if alias.MatchString(l) {
			return i + 1
		}
	}
	return 1
}
