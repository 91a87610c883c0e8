package loader

import (
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Placing a finding asks for one to three fields of a document, and parsing
// the whole document with yaml.v3 into a node tree to answer that was most
// of the cost of placing findings (docs/performance.md). Most manifests are
// plain block YAML: one key or list item per line, plain or quoted scalars
// on the key's line. For those, the fields' places are read off the text in
// one scan of its lines: scanBlock records where each field starts and
// where its value ends, exactly as positionBuilder measures them on
// yaml.v3's nodes, and nothing else. Anything it does not fully understand
// (flow collections other than {} and [], anchors, aliases, tags, block
// scalars, multi-line or escaped scalars, quoted or unusual keys, empty
// values, tabs, non-ASCII text...) makes it decline, and the document is
// parsed with yaml.v3 as before. TestBlockScanMatchesNodes and
// FuzzBlockScan hold it to yaml.v3.

// blockField is one field of a scanned document: a mapping entry (key set)
// or a list item, or the document's top mapping (index 0).
type blockField struct {
	key                   string // the mapping key's text; "" for list items and the top
	parent                int32
	firstChild, next      int32 // children in order; -1 for none
	line, col             int32 // where the field's span starts (its key, or the item's value), 1-based
	endLine, endCol       int32 // where its value ends (column exclusive), as positionBuilder.end
	seqItem, hasKids, set bool
	// What BlockNodes needs of the value: its kind, where yaml.v3 puts its
	// node (a block list's first dash, a block mapping's first key, a
	// scalar's first character), and the length of a scalar's text as
	// written (from vcol on line vline).
	kind              valueKind
	vline, vcol, vlen int32
}

// valueKind is how a field's value is written.
type valueKind uint8

const (
	valPlain       valueKind = iota // a plain scalar
	valSingle                       // 'quoted'
	valDouble                       // "quoted", without escapes (quotedLen)
	valMap                          // a block mapping
	valSeq                          // a block list
	valFlowSeq                      // [] or a flow list of scalars (its items are the field's children)
	valFlowMap                      // {}
	valBlockScalar                  // | or >: BlockNodes leaves these to yaml.v3
)

// blockScan is a document's fields, or nil when scanBlock declined.
type blockScan struct {
	fields []blockField
	pos    positionBuilder // the document's lines, for clamping spans as buildPositions does
}

// blockLevel is an open collection while scanning: the field whose value
// it is, the column of its keys or dashes, and its last child so far.
type blockLevel struct {
	field      int32
	indent     int
	seq        bool
	indentless bool // a list at its key's own indent ("ports:\n- a")
	last       int32
}

// maxBlockFields bounds the documents scanned: a larger one goes to yaml.v3,
// whose walk stops at walkBudget nodes.
const maxBlockFields = 1 << 16

type blockScanner struct {
	fields  []blockField
	stack   []blockLevel
	pending int32 // a field whose value starts on a later line; -1 for none
	pendOwn int   // index in stack of the collection pending belongs to
	lastEnd [2]int32
	skip    int32 // the last line of a block scalar's content: not structure
	pos     positionBuilder
}

// scanBlock scans a document's text (lines as strings.Split made them),
// or returns nil when the text is not the plain block YAML it reads.
func scanBlock(text string, lines []string, offset int) *blockScan {
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= 0x7f || (c < 0x20 && c != '\n') {
			return nil // tabs, CR, control characters, non-ASCII: columns and rules differ
		}
	}
	// about a field per line: one allocation for most documents
	s := blockScanner{pending: -1, pos: positionBuilder{lines: lines, offset: offset}, fields: make([]blockField, 0, len(lines)+8)}
	for ln, line := range lines {
		if int32(ln+1) <= s.skip {
			continue
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		if indent == len(line) || line[indent] == '#' {
			continue // blank or a comment
		}
		if !s.line(int32(ln+1), indent, line[indent:]) || len(s.fields) > maxBlockFields || len(s.stack) > 500 {
			return nil
		}
	}
	if s.pending >= 0 || len(s.fields) == 0 {
		return nil // an empty value at the end, or no mapping at all
	}
	for len(s.stack) > 0 {
		s.pop()
	}
	s.fields[0].endLine, s.fields[0].endCol = s.lastEnd[0], s.lastEnd[1]
	return &blockScan{fields: s.fields, pos: s.pos}
}

// line reads one line holding content: t is the line from its first
// non-blank character, at column indent (0-based).
func (s *blockScanner) line(ln int32, indent int, t string) bool {
	dash := isDash(t)
	if len(s.fields) == 0 {
		// the top: a mapping
		s.fields = append(s.fields, blockField{parent: -1, firstChild: -1, next: -1, line: ln, col: int32(indent + 1), hasKids: true,
			kind: valMap, vline: ln, vcol: int32(indent + 1)})
		s.stack = append(s.stack, blockLevel{field: 0, indent: indent, last: -1})
		return !dash && s.entry(ln, indent, t)
	}
	if s.pending >= 0 {
		own := s.stack[s.pendOwn]
		p := s.pending
		s.pending = -1
		switch {
		case indent > own.indent && !(own.seq && dash):
		case indent == own.indent && !own.seq && dash:
		default:
			return false // an empty value (null), or a list right in a list item
		}
		// the field's value is a collection starting here
		s.stack = append(s.stack, blockLevel{field: p, indent: indent, seq: dash, indentless: indent == own.indent, last: -1})
		s.fields[p].hasKids = true
		s.fields[p].kind, s.fields[p].vline, s.fields[p].vcol = valMap, ln, int32(indent+1)
		if dash {
			s.fields[p].kind = valSeq
		}
		if s.fields[p].seqItem {
			s.fields[p].line, s.fields[p].col = ln, int32(indent+1)
		}
		return s.entry(ln, indent, t)
	}
	for {
		top := s.stack[len(s.stack)-1]
		if top.indent > indent || (top.indentless && top.indent == indent && !dash) {
			s.pop()
			if len(s.stack) == 0 {
				return false // less indented than the top mapping
			}
			continue
		}
		if top.indent != indent {
			return false // a continuation line, or indentation yaml.v3 rejects
		}
		return s.entry(ln, indent, t)
	}
}

// entry reads a key or a list item at the top of the stack, whose column
// is indent.
func (s *blockScanner) entry(ln int32, indent int, t string) bool {
	lv := &s.stack[len(s.stack)-1]
	if lv.seq {
		if !isDash(t) {
			return false
		}
		e := s.child(lv, "", ln, int32(indent+1))
		s.fields[e].seqItem = true
		rest := t[1:]
		c := indent + 1
		for len(rest) > 0 && rest[0] == ' ' {
			rest, c = rest[1:], c+1
		}
		if rest == "" || rest[0] == '#' {
			s.pending, s.pendOwn = e, len(s.stack)-1
			return true
		}
		s.fields[e].line, s.fields[e].col = ln, int32(c+1)
		if k, _, ok := blockKey(rest); ok && k != "" {
			// a mapping in the list item, its keys at column c
			s.fields[e].hasKids = true
			s.fields[e].kind, s.fields[e].vline, s.fields[e].vcol = valMap, ln, int32(c+1)
			s.stack = append(s.stack, blockLevel{field: e, indent: c, last: -1})
			return s.entry(ln, c, rest)
		}
		return s.leaf(e, ln, c, rest)
	}
	k, rest, ok := blockKey(t)
	if !ok || !plainKey(k) {
		return false
	}
	e := s.child(lv, k, ln, int32(indent+1))
	c := indent + len(k) + 1
	for len(rest) > 0 && rest[0] == ' ' {
		rest, c = rest[1:], c+1
	}
	if rest == "" || rest[0] == '#' {
		s.pending, s.pendOwn = e, len(s.stack)-1
		return true
	}
	return s.leaf(e, ln, c, rest)
}

// child adds a field to the collection lv, closing its previous one.
func (s *blockScanner) child(lv *blockLevel, key string, ln, col int32) int32 {
	e := int32(len(s.fields))
	s.fields = append(s.fields, blockField{key: key, parent: lv.field, firstChild: -1, next: -1, line: ln, col: col})
	if lv.last < 0 {
		s.fields[lv.field].firstChild = e
	} else {
		s.close(lv.last)
		s.fields[lv.last].next = e
	}
	lv.last = e
	return e
}

// close ends a field where the last value scanned ended: positionBuilder.end
// follows a collection's last child down to its last scalar.
func (s *blockScanner) close(e int32) {
	s.fields[e].endLine, s.fields[e].endCol = s.lastEnd[0], s.lastEnd[1]
}

func (s *blockScanner) pop() {
	lv := s.stack[len(s.stack)-1]
	if lv.last >= 0 {
		s.close(lv.last)
	}
	s.stack = s.stack[:len(s.stack)-1]
}

// leaf reads the scalar value of field e, which starts at column c
// (0-based) and runs to the end of t, perhaps with a comment.
func (s *blockScanner) leaf(e int32, ln int32, c int, t string) bool {
	var n int // the scalar's length in the text
	f := &s.fields[e]
	f.vline, f.vcol = ln, int32(c+1)
	switch t[0] {
	case '|', '>':
		f.kind = valBlockScalar
		return !f.seqItem && s.blockScalar(ln, t)
	case '[':
		f.kind = valFlowSeq
		if !strings.HasPrefix(t, "[]") {
			if n = s.flowList(e, ln, c, t); n < 0 {
				return false
			}
			break
		}
		n = 2
	case '{':
		if !strings.HasPrefix(t, "{}") {
			return false // only an empty flow mapping is read here
		}
		f.kind = valFlowMap
		n = 2
	case '"', '\'':
		end := quotedLen(t)
		if end < 0 {
			return false
		}
		n = end
		f.kind, f.vlen = quotedKind(t[0]), int32(n)
	case '&', '*', '!', '%', '@', '`', '?', ':', ',', ']', '}', '-':
		if t[0] != '-' || isDash(t) {
			return false // anchors, aliases, tags, block scalars, reserved; "- " is a list
		}
		fallthrough
	default:
		v := t
		if i := strings.Index(v, " #"); i >= 0 {
			v = v[:i]
		}
		v = strings.TrimRight(v, " ")
		if strings.Contains(v, ": ") || strings.HasSuffix(v, ":") || strings.ContainsAny(v, "{}[]") {
			return false
		}
		f.kind, f.vlen = valPlain, int32(len(v))
		s.lastEnd = [2]int32{ln, int32(c + len(v) + 1)}
		return true
	}
	after := strings.TrimLeft(t[n:], " ")
	if after != "" && (after[0] != '#' || len(after) == len(t[n:])) {
		return false // anything but a comment after the scalar
	}
	s.lastEnd = [2]int32{ln, int32(c + n + 1)}
	return true
}

// blockScalar reads a literal or folded scalar whose header t is on line
// ln, the value of a key of the mapping at the top of the stack: its content
// is skipped, and it ends where positionBuilder.blockScalarEnd says.
func (s *blockScanner) blockScalar(ln int32, t string) bool {
	if h := strings.TrimRight(t, " "); len(h) > 2 || (len(h) == 2 && h[1] != '-' && h[1] != '+') {
		return false // an indentation indicator or a comment
	}
	parent := s.stack[len(s.stack)-1].indent
	content := -1 // the content's indentation, from its first line
	last := ln
	for l := ln + 1; int(l) <= len(s.pos.lines); l++ {
		text := s.pos.lines[l-1]
		indent := leadingSpaces(text)
		if indent == len(text) {
			if content < 0 && indent > 0 {
				return false // spaces before the first line: yaml.v3 may reject them
			}
			continue
		}
		if content < 0 {
			if indent <= parent {
				break // an empty scalar
			}
			content = indent
		} else if indent < content {
			if indent > parent {
				return false // less indented than the content, more than the key
			}
			break
		}
		last = l
	}
	s.skip = last
	el, ec := s.pos.blockScalarEnd(int(ln))
	s.lastEnd = [2]int32{int32(el), int32(ec)}
	return true
}

// flowList reads a flow list of scalars on one line, "[a, 'b', "c"]", the
// value of field e at column c (0-based); its items become the field's
// children. It returns the list's length in t, or -1 when it is anything
// else.
func (s *blockScanner) flowList(e, ln int32, c int, t string) int {
	i := 1
	for {
		for i < len(t) && t[i] == ' ' {
			i++
		}
		n := flowItemLen(t[i:])
		if n < 0 {
			return -1
		}
		item := int32(len(s.fields))
		kind := valPlain
		if t[i] == '"' || t[i] == '\'' {
			kind = quotedKind(t[i])
		}
		s.fields = append(s.fields, blockField{parent: e, firstChild: -1, next: -1, line: ln, col: int32(c + i + 1),
			endLine: ln, endCol: int32(c + i + n + 1), seqItem: true, kind: kind, vline: ln, vcol: int32(c + i + 1), vlen: int32(n)})
		if f := &s.fields[e]; !f.hasKids {
			f.hasKids, f.firstChild = true, item
		} else {
			s.fields[item-1].next = item
		}
		for i += n; i < len(t) && t[i] == ' '; i++ {
		}
		switch {
		case i < len(t) && t[i] == ',':
			i++
		case i < len(t) && t[i] == ']':
			s.lastEnd = [2]int32{ln, int32(c + i + 2)}
			return i + 1
		default:
			return -1
		}
	}
}

// flowItemLen is the length of a scalar at the start of t that flowList
// reads: quoted, or plain of characters that cannot end or open anything.
func flowItemLen(t string) int {
	if t == "" {
		return -1
	}
	if t[0] == '"' || t[0] == '\'' {
		return quotedLen(t)
	}
	if c := t[0]; !flowAlnum(c) && c != '/' && c != '.' && c != '_' && (c != '-' || len(t) < 2 || t[1] == ' ') {
		return -1
	}
	n := 0
	for n < len(t) && (flowAlnum(t[n]) || strings.IndexByte("._/=+-~@%$", t[n]) >= 0) {
		n++
	}
	return n
}

func flowAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// quotedLen is the length of the quoted scalar t starts with, closed on its
// line; -1 for one with an escape (yaml.v3 may reject it) or open past it.
func quotedLen(t string) int {
	q := t[0]
	for i := 1; i < len(t); i++ {
		switch {
		case q == '"' && t[i] == '\\':
			return -1
		case t[i] == q && q == '\'' && i+1 < len(t) && t[i+1] == '\'':
			i++
		case t[i] == q:
			return i + 1
		}
	}
	return -1
}

// isDash reports whether t starts a list item: "-" then a blank or the end.
func isDash(t string) bool { return t == "-" || strings.HasPrefix(t, "- ") }

// blockKey splits "key: rest" or "key:" into the key and what follows its
// colon; ok is false when t is not a key line in that form.
func blockKey(t string) (key, rest string, ok bool) {
	i := strings.Index(t, ": ")
	if i < 0 {
		if !strings.HasSuffix(t, ":") {
			return "", "", false
		}
		i = len(t) - 1
	}
	return t[:i], t[i+1:], true
}

// plainKey reports whether k is a key yaml.v3 reads as that same text
// (keyText): plain, without indicators, quotes, comments or colons, and
// not a number it would write differently.
func plainKey(k string) bool {
	if k == "" || len(k) > 1000 || k == "<<" || k[len(k)-1] == ' ' || strings.ContainsAny(k, ":#{}[],'\"") {
		return false
	}
	switch c := k[0]; {
	case strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", c) >= 0:
		return false
	case c >= '0' && c <= '9' || c == '+' || c == '.':
		// integers are written in decimal: only those already are agree
		if len(k) > 18 || (c == '0' && len(k) > 1) {
			return false
		}
		for i := 0; i < len(k); i++ {
			if k[i] < '0' || k[i] > '9' {
				return false
			}
		}
	}
	return true
}

// lookup is positionBuilder.lookup over the scanned fields.
func (b *blockScan) lookup(pointer string) (Range, bool) {
	exact := true
	for {
		if pointer == "" {
			return b.span(0), exact
		}
		if pointer[0] == '/' {
			if e := b.find(0, pointer, 0); e >= 0 {
				return b.span(e), exact
			}
		}
		exact = false
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			pointer = ""
			continue
		}
		pointer = pointer[:i]
	}
}

func (b *blockScan) span(e int32) Range {
	f := &b.fields[e]
	return b.pos.span(int(f.line), int(f.col), int(f.endLine), int(f.endCol))
}

// find is positionBuilder.find: the field at rest below field e, the last
// of repeated keys first; -1 when there is none.
func (b *blockScan) find(e int32, rest string, depth int) int32 {
	tok, next := rest[1:], ""
	if i := strings.IndexByte(tok, '/'); i >= 0 {
		tok, next = tok[:i], tok[i:]
	}
	f := &b.fields[e]
	if !f.hasKids || f.firstChild < 0 {
		return -1
	}
	if b.fields[f.firstChild].seqItem {
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || strconv.Itoa(i) != tok {
			return -1
		}
		c := f.firstChild
		for ; c >= 0 && i > 0; i-- {
			c = b.fields[c].next
		}
		if c < 0 || next == "" {
			return c
		}
		return b.find(c, next, depth+1)
	}
	var matches []int32
	for c := f.firstChild; c >= 0; c = b.fields[c].next {
		if EscapePointerToken(b.fields[c].key) == tok {
			matches = append(matches, c)
		}
	}
	for i := len(matches) - 1; i >= 0; i-- {
		if next == "" {
			return matches[i]
		}
		if r := b.find(matches[i], next, depth+1); r >= 0 {
			return r
		}
	}
	return -1
}

func quotedKind(q byte) valueKind {
	if q == '"' {
		return valDouble
	}
	return valSingle
}

// BlockNodes is the node tree yaml.v3 decodes from one document of plain
// block YAML (its top mapping), built from scanBlock's fields without
// yaml.v3: the nodes' kinds, styles, lines and columns (lineOffset is added
// to the lines) and scalars' values are yaml.v3's, which is what suggested
// fixes edit the file by (internal/fix). Tags are set only for null
// scalars (!!null), comments not at all. line is where the top mapping
// starts, 0 where scanBlock declines (yaml.v3 may reject the text); top is
// nil then, and for a document with block scalars (whose values it does
// not fold), which yaml.v3 parses. TestBlockNodesMatchYAML and
// FuzzBlockNodes hold it to yaml.v3.
func BlockNodes(text string, lineOffset int) (top *yaml.Node, line int) {
	return scanBlock(text, strings.Split(text, "\n"), lineOffset).nodes()
}

// nodes is BlockNodes of a scanned document (nil: declined).
func (b *blockScan) nodes() (top *yaml.Node, line int) {
	if b == nil {
		return nil, 0
	}
	// a node per field's value and per key, and a slot for each but the top
	n := len(b.fields)
	for i := 1; i < len(b.fields); i++ {
		if !b.fields[i].seqItem {
			n++
		}
	}
	nb := nodeBuilder{b: b, offset: int32(b.pos.offset)}
	nb.nodes = make([]yaml.Node, 0, n)
	nb.ptrs = make([]*yaml.Node, 0, n-1)
	return nb.value(0), int(b.fields[0].line) + b.pos.offset
}

type nodeBuilder struct {
	b      *blockScan
	offset int32
	nodes  []yaml.Node
	ptrs   []*yaml.Node
}

func (nb *nodeBuilder) node(n yaml.Node) *yaml.Node {
	nb.nodes = append(nb.nodes, n)
	return &nb.nodes[len(nb.nodes)-1]
}

// value is the node of field e's value, nil for a block scalar.
func (nb *nodeBuilder) value(e int32) *yaml.Node {
	f := &nb.b.fields[e]
	n := nb.node(yaml.Node{Line: int(f.vline + nb.offset), Column: int(f.vcol)})
	switch f.kind {
	case valPlain, valSingle, valDouble:
		text := nb.b.pos.lines[f.vline-1][f.vcol-1 : f.vcol-1+f.vlen]
		n.Kind, n.Value = yaml.ScalarNode, writtenValue(f.kind, text)
		switch f.kind {
		case valSingle:
			n.Style = yaml.SingleQuotedStyle
		case valDouble:
			n.Style = yaml.DoubleQuotedStyle
		default:
			n.Tag = nullTag(n.Value)
		}
		return n
	case valMap, valFlowMap:
		n.Kind = yaml.MappingNode
		if f.kind == valFlowMap {
			n.Style = yaml.FlowStyle
		}
	case valSeq, valFlowSeq:
		n.Kind = yaml.SequenceNode
		if f.kind == valFlowSeq {
			n.Style = yaml.FlowStyle
		}
	default:
		return nil
	}
	if !f.hasKids {
		return n // {} or []
	}
	// the children's slots first: their own children come after them
	k := 0
	for c := f.firstChild; c >= 0; c = nb.b.fields[c].next {
		k++
		if !nb.b.fields[c].seqItem {
			k++
		}
	}
	start := len(nb.ptrs)
	nb.ptrs = nb.ptrs[:start+k]
	content := nb.ptrs[start : start+k : start+k]
	i := 0
	for c := f.firstChild; c >= 0; c = nb.b.fields[c].next {
		cf := &nb.b.fields[c]
		if !cf.seqItem {
			content[i] = nb.node(yaml.Node{Kind: yaml.ScalarNode, Tag: nullTag(cf.key), Value: cf.key,
				Line: int(cf.line + nb.offset), Column: int(cf.col)})
			i++
		}
		if content[i] = nb.value(c); content[i] == nil {
			return nil
		}
		i++
	}
	n.Content = content
	return n
}

// nullTag is the tag of a plain scalar that yaml.v3 resolves to null
// (emptyValue in internal/fix asks), "" for any other.
func nullTag(plain string) string {
	switch plain {
	case "~", "null", "Null", "NULL":
		return "!!null"
	}
	return ""
}

// writtenValue is a one-line scalar's value as yaml.v3 reads it: quoted
// scalars here have no escapes but a single quote's doubled quote.
func writtenValue(k valueKind, text string) string {
	switch k {
	case valSingle:
		return strings.ReplaceAll(text[1:len(text)-1], "''", "'")
	case valDouble:
		return text[1 : len(text)-1]
	}
	return text
}
