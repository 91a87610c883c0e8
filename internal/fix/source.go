package fix

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Source is one file as the fixes edit it: its bytes, where each line
// starts, its line ending and its parsed YAML documents.
type Source struct {
	File  string
	Text  []byte
	lines []int // byte offset of each line's start
	eol   string
	docs  []*yaml.Node // document nodes decoded so far, in order
	// dec decodes the documents after docs, one at a time as a fix asks
	// for them (nil once the stream ended or broke): a fix needs the
	// document it edits, and yaml.v3's parse of the rest of the file was
	// most of a fix's cost (docs/performance.md).
	dec     *yaml.Decoder
	decoded bool // dec was made
	// scan reads a document of plain block YAML without yaml.v3
	// (loader.BlockNodes); nil when the Source has none.
	scan    func(text string, lineOffset int) (top *yaml.Node, line int)
	scanned scannedDocs
}

// scannedDocs are the file's documents as scan read them so far.
type scannedDocs struct {
	docs   []scannedDoc // the documents with content, in order
	off    int          // byte offset of the next document's text
	line   int          // its 1-based first line
	more   bool         // a document marker ended the last one
	failed bool         // scan declined one: yaml.v3 decodes the file
}

// errNoEdit means a fix can only be described here: the field is not where
// a text edit can reach it safely (an alias, a multi-line scalar, a flow
// collection holding blocks).
var errNoEdit = errors.New("no safe text edit")

// Parse reads a file's documents. Documents after one that does not parse
// are left out: fixes are offered only where the text is understood.
func Parse(file string, text []byte) *Source {
	s := &Source{File: file, Text: text, eol: "\n"}
	if i := bytes.IndexByte(text, '\n'); i > 0 && text[i-1] == '\r' {
		s.eol = "\r\n"
	}
	s.lines = make([]int, 1, bytes.Count(text, []byte{'\n'})+1)
	for i := 0; ; {
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		s.lines = append(s.lines, i)
	}
	return s
}

// scannedDoc is a document scan read: the line its content starts on, and
// its top node (nil when scan read it but did not build its nodes).
type scannedDoc struct {
	top  *yaml.Node
	line int
}

// ParseScanned is Parse with scan, which reads a document's text when it is
// plain block YAML: where its content starts (0 when it declines, and
// yaml.v3 may reject the text) and, for most such documents, its nodes.
// Fixes then find the object they edit without decoding the file with
// yaml.v3, which was half of the cost of a fix (docs/performance.md). scan
// must read only text yaml.v3 parses, and build exactly yaml.v3's nodes;
// what it declines is decoded by yaml.v3 as before.
func ParseScanned(file string, text []byte, scan func(text string, lineOffset int) (top *yaml.Node, line int)) *Source {
	s := Parse(file, text)
	s.scan, s.scanned.line = scan, 1
	return s
}

// scannedObject is object's document from scan: the top node of the first
// document with content whose content starts at or after line docStart, or
// nil when there is none; ok is false when scan could not read the
// documents up to it, or build that one's nodes, as yaml.v3 reads them. Documents are split at lines
// that are exactly "---"; any other marker, a directive, an empty document
// after a marker, or text scan declines makes it fail, and yaml.v3 decodes
// the file instead.
func (s *Source) scannedObject(docStart int) (doc *yaml.Node, ok bool) {
	sc := &s.scanned
	for i := 0; ; i++ {
		for i >= len(sc.docs) {
			if sc.failed {
				return nil, false
			}
			if sc.off >= len(s.Text) && !sc.more {
				return nil, true // the stream ended without it, as yaml.v3's
			}
			s.scanNext()
		}
		if d := sc.docs[i]; d.line >= docStart {
			return d.top, d.top != nil
		}
	}
}

// scanNext reads the next document of the file with scan.
func (s *Source) scanNext() {
	sc := &s.scanned
	text := s.Text[sc.off:]
	end, next, lines := len(text), len(text), 0
	content := false
	for i := 0; i < len(text); {
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			j = len(text) - i
		}
		line := text[i : i+j]
		lines++
		if string(line) == "---" {
			end, next = i, min(i+j+1, len(text))
			break
		}
		if t := bytes.TrimLeft(line, " "); len(t) > 0 && t[0] != '#' {
			content = true
		}
		i += j + 1
	}
	first := sc.off == 0
	sc.more = end < len(text)
	if !content {
		// Only text before the first marker makes no document: after a
		// marker, yaml.v3 makes an empty one (a null).
		sc.failed = !first
	} else if n, line := s.scan(string(text[:end]), sc.line-1); line > 0 {
		sc.docs = append(sc.docs, scannedDoc{n, line})
	} else {
		sc.failed = true
	}
	sc.off += next
	sc.line += lines
}

// doc is the i-th document of the file that has content, decoding up to
// it when it is not yet; nil past the last, or past a document that does
// not parse. The decoder's calls are those of decoding the whole file, in
// the same order, so a document is the same whether the fix that asks for
// it is the first or the last of its file.
func (s *Source) doc(i int) *yaml.Node {
	if s.dec == nil && !s.decoded {
		// made on first use: most fixes in the pass never decode (ParseScanned)
		s.dec, s.decoded = yaml.NewDecoder(bytes.NewReader(s.Text)), true
	}
	for len(s.docs) <= i && s.dec != nil {
		var n yaml.Node
		if err := s.dec.Decode(&n); err != nil {
			s.dec = nil // io.EOF, or a broken document the lint reports: no fixes past it
			break
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			s.docs = append(s.docs, &n)
		}
	}
	if i < len(s.docs) {
		return s.docs[i]
	}
	return nil
}

// allDocs is every document of the file that has content.
func (s *Source) allDocs() []*yaml.Node {
	for i := len(s.docs); s.doc(i) != nil; i++ {
	}
	return s.docs
}

// object is the mapping node of the object a target is in: the first
// document whose content starts at or after the object's document start.
func (s *Source) object(t Target) (*yaml.Node, error) {
	if t.SpecPointer != "" {
		return s.valuesObject(t.SpecPointer)
	}
	if s.scan != nil {
		if d, ok := s.scannedObject(t.DocStart); ok {
			return s.objectIn(d, t)
		}
	}
	for i := 0; s.doc(i) != nil; i++ {
		if d := s.docs[i]; d.Content[0].Line >= t.DocStart {
			return s.objectIn(d.Content[0], t)
		}
	}
	return s.objectIn(nil, t)
}

// objectIn is the object of t in the document whose top node is top (nil
// when the file has no document there).
func (s *Source) objectIn(top *yaml.Node, t Target) (*yaml.Node, error) {
	if top == nil {
		return nil, fmt.Errorf("no document at %s:%d: %w", s.File, t.DocStart, errNoEdit)
	}
	n, err := lookup(top, t.Prefix)
	if err != nil || n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("object at %s:%d: %w", s.File, t.DocStart, errNoEdit)
	}
	return n, nil
}

// byIdentity is the top-level object of a kind and name, when exactly one
// document has it.
func (s *Source) byIdentity(kind, name string) *yaml.Node {
	var found *yaml.Node
	for _, d := range s.allDocs() {
		obj := d.Content[0]
		k, meta := child(obj, "kind"), child(obj, "metadata")
		if obj.Kind != yaml.MappingNode || k == nil || k.Value != kind || meta == nil {
			continue
		}
		if n := child(meta, "name"); n != nil && n.Value == name {
			if found != nil {
				return nil
			}
			found = obj
		}
	}
	return found
}

// valuesObject stands in for an object whose spec is a mapping of a values
// file (Helm reads only its first document): a mapping whose one key,
// spec, is that mapping, so fixes address it as they do a manifest's.
func (s *Source) valuesObject(spec string) (*yaml.Node, error) {
	if s.doc(0) == nil {
		return nil, fmt.Errorf("%s has no YAML document: %w", s.File, errNoEdit)
	}
	n, err := lookup(s.docs[0].Content[0], spec)
	if err != nil || n.Kind != yaml.MappingNode || flowStyle(n) || len(n.Content) == 0 {
		return nil, fmt.Errorf("%s is not a block mapping in %s: %w", spec, s.File, errNoEdit)
	}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column,
		Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "spec"}, n}}, nil
}

// Has reports whether the first document of the file (all Helm reads of a
// values file) has the key at pointer.
func (s *Source) Has(pointer string) bool {
	if s.doc(0) == nil {
		return false
	}
	_, err := lookup(s.docs[0].Content[0], pointer)
	return err == nil
}

// splitPointer splits a JSON pointer into its unescaped tokens.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return parts
}

// lookup follows a pointer through mappings and sequences; aliases and
// merge keys are not followed, since editing them would change other
// places.
func lookup(n *yaml.Node, pointer string) (*yaml.Node, error) {
	if pointer != "" && pointer[0] != '/' {
		return nil, fmt.Errorf("%q is not a JSON pointer: %w", pointer, errNoEdit)
	}
	for _, tok := range splitPointer(pointer) {
		next := child(n, tok)
		if next == nil {
			return nil, fmt.Errorf("%s: %q not found: %w", pointer, tok, errNoEdit)
		}
		n = next
	}
	return n, nil
}

// child is the value of key tok in a mapping, or item tok of a sequence.
func child(n *yaml.Node, tok string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		if k := keyNode(n, tok); k >= 0 {
			return n.Content[k+1]
		}
	case yaml.SequenceNode:
		i, err := strconv.Atoi(tok)
		if err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// keyNode is the index in m.Content of key, or -1.
func keyNode(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// offset is the byte offset of a 1-based line and code-point column.
func (s *Source) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(s.lines) {
		return len(s.Text)
	}
	off := s.lines[line-1]
	for c := 1; c < col && off < len(s.Text) && s.Text[off] != '\n'; c++ {
		_, size := utf8.DecodeRune(s.Text[off:])
		off += size
	}
	return off
}

// pos is the line, column and offset of a byte offset.
func (s *Source) pos(off int) Pos {
	line := 1
	for line < len(s.lines) && s.lines[line] <= off {
		line++
	}
	col := utf8.RuneCount(s.Text[s.lines[line-1]:off]) + 1
	return Pos{Line: line, Column: col, Offset: off}
}

// edit replaces the bytes [from, to) with text.
func (s *Source) edit(from, to int, text string) Edit {
	return Edit{File: s.File, Start: s.pos(from), End: s.pos(to), New: text}
}

// lineText is line n (1-based) without its line ending.
func (s *Source) lineText(n int) string {
	if n < 1 || n > len(s.lines) {
		return ""
	}
	end := len(s.Text)
	if n < len(s.lines) {
		end = s.lines[n]
	}
	return strings.TrimRight(string(s.Text[s.lines[n-1]:end]), "\r\n")
}

// lineEnd is the offset just past line n's line ending (the start of the
// next line), or the end of the text.
func (s *Source) lineEnd(n int) int {
	if n < len(s.lines) {
		return s.lines[n]
	}
	return len(s.Text)
}

// scalarSpan is the byte range of a one-line scalar's text, quotes included.
func (s *Source) scalarSpan(n *yaml.Node, flow bool) (int, int, error) {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, errNoEdit
	}
	start := s.offset(n.Line, n.Column)
	line := s.lineText(n.Line)
	rest := line[start-s.lines[n.Line-1]:]
	var end int
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end = closingQuote(rest, '"', true)
	case n.Style&yaml.SingleQuotedStyle != 0:
		end = closingQuote(rest, '\'', false)
	default:
		end = plainEnd(rest, flow)
	}
	if end < 0 {
		return 0, 0, errNoEdit // a quoted scalar that goes on to the next line
	}
	return start, start + end, nil
}

func closingQuote(s string, q byte, backslash bool) int {
	for i := 1; i < len(s); i++ {
		switch {
		case backslash && s[i] == '\\':
			i++
		case s[i] == q && !backslash && i+1 < len(s) && s[i+1] == q:
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return -1
}

func plainEnd(s string, flow bool) int {
	end := len(s)
	if i := strings.Index(s, " #"); i >= 0 {
		end = i
	}
	if flow {
		if i := strings.IndexAny(s[:end], ",}]"); i >= 0 {
			end = i
		}
	}
	if i := strings.Index(s[:end], ": "); i >= 0 {
		end = i // a key: the scalar ends at its colon
	} else if t := strings.TrimRight(s[:end], " \t"); strings.HasSuffix(t, ":") {
		end = len(t) - 1
	}
	return len(strings.TrimRight(s[:end], " \t"))
}

// indentOf is the number of leading spaces of a line.
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// blank says a line holds nothing but spaces or a comment.
func blank(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || strings.HasPrefix(t, "#")
}

// lastLine is the last line with content of a block node whose lines are
// indented deeper than level (the indentation of its mapping keys, or of the
// dashes of its sequence items): the node's own last line, then every
// following line indented deeper, such as the rest of a block scalar.
func (s *Source) lastLine(n *yaml.Node, level int) int {
	last := maxLine(n)
	for l := last + 1; l <= len(s.lines); l++ {
		line := s.lineText(l)
		if blank(line) {
			continue
		}
		if indentOf(line) <= level {
			break
		}
		last = l
	}
	return last
}

// maxLine is the last line any node below n starts on.
func maxLine(n *yaml.Node) int {
	m := n.Line
	for _, c := range n.Content {
		if l := maxLine(c); l > m {
			m = l
		}
	}
	return m
}

// level is the indentation of a block collection: its keys' column, or its
// items' dashes.
func (s *Source) level(n *yaml.Node) int {
	if n.Kind == yaml.SequenceNode {
		first := n.Content[0]
		line := s.lineText(first.Line)
		col := s.offset(first.Line, first.Column) - s.lines[first.Line-1]
		if i := strings.LastIndex(line[:min(col, len(line))], "-"); i >= 0 {
			return i
		}
		return first.Column - 3
	}
	return n.Content[0].Column - 1
}

// keyLines is the range of lines of the i-th key of block mapping m and its
// value: from the key's line to the line before the next key (or the
// mapping's last line), without trailing blank lines.
func (s *Source) keyLines(m *yaml.Node, i int) (int, int) {
	first := m.Content[i].Line
	var last int
	if i+2 < len(m.Content) {
		last = m.Content[i+2].Line - 1
		for last > first && blank(s.lineText(last)) {
			last--
		}
	} else {
		last = s.lastLine(m, s.level(m))
	}
	return first, last
}

// indentUnit guesses how far this file indents a nested mapping: the
// first nesting step found, else 2.
func indentUnit(m *yaml.Node) int {
	unit := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if unit > 0 || n.Kind != yaml.MappingNode || n.Style&yaml.FlowStyle != 0 {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v := n.Content[i+1]
			if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && n.Content[i].Line > 0 && v.Line > n.Content[i].Line {
				unit = v.Content[0].Column - n.Content[i].Column
				return
			}
			walk(v)
		}
	}
	walk(m)
	if unit <= 0 {
		unit = 2
	}
	return unit
}
