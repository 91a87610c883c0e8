package loader

import (
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// Most documents in a real repository are kinds no rule reads (ConfigMaps,
// Secrets, CRDs, dashboards), and the full yaml.v3 parse of them is where
// most of a large lint's time and memory would go. prescan reads such a
// document's identity from its text in one pass over its lines, so the full
// parse is skipped.
//
// It is deliberately conservative: it answers only for block-style YAML it
// fully understands, and only when the full path (yaml.v3 parse, then
// readDocument) would produce one Document of a kind the caller does not
// read, with no problem. Everything else (a kind the caller reads, a List,
// flow-style or JSON documents, anchors on the identity fields, aliases,
// quoted scalars spanning lines, tabs in indentation, explicit block scalar
// indentation, any doubt) falls back to the full path, which stays the
// reference: a fuzz test checks that both agree whenever prescan answers.
//
// What it checks is what readDocument checks on these kinds: apiVersion,
// kind and metadata.name present as scalars, the limits on depth and nodes,
// and mapping keys that are scalars, not null and not duplicated. What it
// does not check is full YAML syntax below the top level, such as a bad
// escape in a double-quoted string or a mis-indented line deep in a
// ConfigMap's data: such an error in a kind no rule reads is no longer
// reported as invalid-manifest (docs/performance.md). A quoted scalar that
// never closes is still reported (the full path decides): it would swallow
// the rest of the document. It never reaches past a "---" or "...", which
// splitDocuments cuts at, as yaml.v3 does. The full parse still
// runs for every kind the caller reads, and for the documents of files that
// look like Helm templates.

// prescanned is a document's identity, read from its text.
type prescanned struct {
	apiVersion, kind, name, namespace string
}

// prescan returns the identity of a document of a kind the caller does not
// read (kinds); ok is false when the full parse must decide.
func prescan(text string, limits Limits, kinds Kinds) (id prescanned, ok bool) {
	if strings.IndexByte(text, '\r') >= 0 || strings.Contains(text, "\u0085") ||
		strings.Contains(text, "\u2028") || strings.Contains(text, "\u2029") {
		return id, false // line breaks other than "\n": parseFile has none, but yaml.v3 would see more lines
	}
	// The state, with its stack and key sets, is reused across documents.
	s := scanStatePool.Get().(*scanState)
	defer scanStatePool.Put(s)
	*s = scanState{maxDepth: limits.MaxDepth, kinds: kinds, checkNext: -1, stack: s.stack[:0]}
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		if !s.line(text[pos:end]) {
			return id, false
		}
		pos = end + 1
	}
	if s.inQuote != 0 {
		// A quoted scalar that never closes: yaml.v3 rejects the document,
		// and what looked like its later keys is inside the quote.
		return id, false
	}
	if !s.apiVersion.set || !s.kind.set || !s.metadataMap || s.kindRead() {
		return id, false
	}
	// Without aliases, nodes are bounded by what the lines hold; a document
	// that might reach MaxNodes is left to the full path to count exactly.
	if s.nodes >= limits.MaxNodes {
		return id, false
	}
	id = prescanned{apiVersion: s.apiVersion.value, kind: s.kind.value, namespace: s.namespace.value}
	switch {
	case s.name.set:
		id.name = s.name.value
	case s.generateName.set && s.generateName.value != "":
		id.name = s.generateName.value
	default:
		return id, false
	}
	return id, true
}

// document is the Document readDocument makes for such a kind.
func (id prescanned) document(display string, index int, c chunk) *Document {
	return &Document{File: display, Index: index, Item: -1, StartLine: c.startLine,
		APIVersion: sharedIdentity(id.apiVersion), Kind: sharedIdentity(id.kind), Name: detach(id.name), Namespace: detach(id.namespace), text: c.text}
}

// identityField is an identity scalar read from the text.
type identityField struct {
	set   bool // seen, with a simple single-line scalar value
	value string
}

// block is an open block collection: a mapping (with its keys, for the
// duplicate check) or a sequence, at a column.
type block struct {
	col  int
	seq  bool
	keys keySet
}

// keySet holds the keys of one mapping: a slice while small, a map after.
type keySet struct {
	list []string
	set  map[string]bool
}

// add reports false when key is already in the set.
func (k *keySet) add(key string) bool {
	if k.set != nil {
		if k.set[key] {
			return false
		}
		k.set[key] = true
		return true
	}
	for _, x := range k.list {
		if x == key {
			return false
		}
	}
	k.list = append(k.list, key)
	if len(k.list) > 16 {
		k.set = make(map[string]bool, 2*len(k.list))
		for _, x := range k.list {
			k.set[x] = true
		}
	}
	return true
}

func (k *keySet) reset() {
	k.list, k.set = k.list[:0], nil
}

var scanStatePool = sync.Pool{New: func() any { return &scanState{stack: make([]block, 0, 16)} }}

type scanState struct {
	maxDepth int
	kinds    Kinds
	nodes    int     // an upper bound of the YAML nodes seen so far
	stack    []block // open block collections, outermost first
	topKey   string  // the top-level key whose value the current lines are in

	// A block scalar header was seen: its content is the following lines
	// indented deeper than bsParent, and their indentation is bsIndent.
	bsPending bool
	bsParent  int
	bsIndent  int // > 0 while inside a block scalar's content

	// After an identity value, the next content line must not be indented
	// deeper than checkNext: it would continue that value.
	checkNext int

	// inQuote is the quote of a quoted scalar that continues on the next
	// line. yaml.v3 reads such a scalar up to its closing quote whatever
	// the indentation of the lines in between, and so does prescan.
	inQuote byte

	// inPlain: the last line ended in a plain scalar, which lines indented
	// deeper than plainOwner (the column of the collection holding it)
	// continue, whatever they contain.
	inPlain    bool
	plainOwner int

	apiVersion, kind, metadata    identityField
	name, generateName, namespace identityField
	metadataMap                   bool // metadata is a block mapping
	metadataOpened                bool // its block collection was opened
}

func (s *scanState) line(line string) bool {
	if isDocumentMarker(line) {
		return false // another document: yaml.v3 reads only the first
	}
	indent := 0
	for indent < len(line) && line[indent] == ' ' {
		indent++
	}
	rest := line[indent:]
	if strings.TrimLeft(rest, " \t") == "" {
		return true // blank, also inside block scalars
	}
	if s.inQuote != 0 {
		end, closed := closeQuote(line, s.inQuote)
		if !closed {
			return true
		}
		s.inQuote = 0
		return commentOnly(line[end:])
	}
	if s.bsPending {
		s.bsPending = false
		if indent > s.bsParent {
			s.bsIndent = indent
		}
	}
	if s.bsIndent > 0 {
		if indent >= s.bsIndent {
			return true // block scalar content: any text at all
		}
		s.bsIndent = 0
	}
	if rest[0] == '\t' {
		return false // a tab in indentation: YAML forbids it; let yaml.v3 say so
	}
	if rest[0] == '#' {
		s.inPlain = false // a comment ends a plain scalar
		return true
	}
	if s.checkNext >= 0 {
		if indent > s.checkNext {
			return false
		}
		s.checkNext = -1
	}
	if s.inPlain {
		if indent > s.plainOwner {
			return true
		}
		s.inPlain = false
	}
	if len(s.stack) == 0 {
		// The document must open with a top-level key at column 0: a
		// mapping, the only shape that can be a Kubernetes object.
		if indent != 0 {
			return false
		}
		s.stack = append(s.stack, block{col: 0})
	}
	col := indent
	// Sequence entries ("- "), possibly nested on one line ("- - x").
	for len(rest) > 0 && rest[0] == '-' && (len(rest) == 1 || rest[1] == ' ') {
		for len(s.stack) > 0 && s.stack[len(s.stack)-1].col > col {
			s.stack = s.stack[:len(s.stack)-1]
		}
		if len(s.stack) == 0 {
			return false // a sequence at the top: not a mapping
		}
		if top := &s.stack[len(s.stack)-1]; !(top.col == col && top.seq) && !s.open(col, true) {
			return false
		}
		s.nodes += 2 // the sequence, its item
		after := 1
		for after < len(rest) && rest[after] == ' ' {
			after++
		}
		if after < len(rest) && rest[after] == '\t' {
			return false
		}
		rest = rest[after:]
		if rest == "" || rest[0] == '#' {
			return s.depthOK(0) // an item whose content follows on the next lines
		}
		// The item's content starts a new node at its own column.
		col += after
		for len(s.stack) > 0 && s.stack[len(s.stack)-1].col >= col {
			s.stack = s.stack[:len(s.stack)-1]
		}
		if len(rest) > 0 && (rest[0] == '|' || rest[0] == '>') {
			return s.blockScalarHeader(rest, col-after)
		}
	}
	return s.content(rest, col)
}

// open starts a block collection at col inside the innermost one. Directly
// under the top level it must belong to a key, and metadata may have only
// one: a second would be a mis-indented line that yaml.v3 rejects.
func (s *scanState) open(col int, seq bool) bool {
	if len(s.stack) == 1 {
		switch s.topKey {
		case "":
			return false
		case "metadata":
			if s.metadataOpened || seq {
				return false // metadata is not a mapping, or is mis-indented
			}
			s.metadataOpened = true
		}
	}
	s.push(col, seq)
	return true
}

func (s *scanState) push(col int, seq bool) {
	if len(s.stack) < cap(s.stack) {
		s.stack = s.stack[:len(s.stack)+1]
		b := &s.stack[len(s.stack)-1]
		b.col, b.seq = col, seq
		b.keys.reset()
		return
	}
	s.stack = append(s.stack, block{col: col, seq: seq})
}

// depthOK checks the nesting depth of what the current line holds against
// MaxDepth, with one level to spare; extra counts flow collections.
func (s *scanState) depthOK(extra int) bool {
	return len(s.stack)+extra+1 < s.maxDepth
}

// content reads a line's content at col: a key and its value, or a scalar
// (a sequence item, or the continuation of a multi-line plain scalar).
func (s *scanState) content(rest string, col int) bool {
	switch rest[0] {
	case '"', '\'':
		end, ok := quotedEnd(rest)
		if !ok {
			s.inQuote = rest[0] // a scalar on its own that goes on below
			return s.bare(col)
		}
		after := strings.TrimLeft(rest[end:], " ")
		if after == "" || after[0] == '#' && end < len(rest) && rest[end] == ' ' {
			return s.bare(col) // a quoted scalar on its own
		}
		if after[0] != ':' || (len(after) > 1 && after[1] != ' ') {
			return false
		}
		if strings.IndexByte(rest[1:end-1], '\\') >= 0 || (rest[0] == '\'' && strings.Contains(rest[1:end-1], "''")) {
			return false // escapes: leave the key's text to yaml.v3
		}
		return s.key(rest[1:end-1], true, after[1:], col)
	case '{', '[':
		fs := flowScanner{text: rest}
		if !fs.node(0) || !fs.endOfLine() || !s.bare(col) {
			return false
		}
		s.nodes += 2 * fs.pos
		return s.depthOK(fs.maxDepth)
	case '?', ':', '*', '&', '!', '|', '>', '%', '@', '`', ',', ']', '}':
		// Complex keys, empty keys, aliases, anchors and tags at the start
		// of a line, and the reserved or misplaced indicators: rare in
		// manifests, and yaml.v3 knows them best.
		return false
	case '-':
		if len(rest) == 1 || rest[1] == ' ' || rest[1] == '\t' {
			return false
		}
	}
	// A plain scalar: a key when ": " (or a final ":") follows it.
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case ':':
			if i+1 == len(rest) || rest[i+1] == ' ' {
				return s.key(strings.TrimRight(rest[:i], " "), false, rest[i+1:], col)
			}
			if rest[i+1] == '\t' {
				return false
			}
		case '#':
			if rest[i-1] == ' ' { // i > 0: rest[0] is not '#'
				return s.bare(col)
			}
		case '\t':
			return false // tabs inside plain scalars are legal, but rare: be safe
		}
	}
	if !s.bare(col) {
		return false
	}
	s.plain()
	return true
}

// bare accepts a line that holds a scalar and no key: a sequence item, a
// value below its key, or the continuation of a multi-line plain scalar.
// At the top level, and directly in metadata, there are only keys; anything
// else there is left to yaml.v3.
func (s *scanState) bare(col int) bool {
	s.nodes++
	if col == 0 {
		return false
	}
	if s.topKey == "metadata" && (len(s.stack) == 1 || (len(s.stack) == 2 && col <= s.stack[1].col)) {
		return false
	}
	return s.depthOK(0)
}

// key handles "key: value" with key at col.
func (s *scanState) key(key string, quoted bool, value string, col int) bool {
	for len(s.stack) > 0 {
		top := s.stack[len(s.stack)-1]
		if top.col > col || (top.col == col && top.seq) {
			s.stack = s.stack[:len(s.stack)-1]
			continue
		}
		break
	}
	if len(s.stack) == 0 {
		return false
	}
	if top := s.stack[len(s.stack)-1]; top.col < col && !s.open(col, false) {
		return false
	}
	level := len(s.stack) - 1
	m := &s.stack[level]
	if m.seq {
		return false
	}
	if !quoted {
		switch key {
		case "", "~", "null", "Null", "NULL", "<<":
			return false // null and merge keys: readDocument's rules on them need yaml.v3
		}
		if c := key[0]; c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' {
			// A number: the API server sees an integer key as its decimal
			// text (keyText); resolve it the way yaml.v3 would.
			key = keyText(&yaml.Node{Kind: yaml.ScalarNode, Value: key})
		}
	}
	if !m.keys.add(key) {
		return false // a duplicate key: let readDocument report it
	}
	s.nodes += 3 // the mapping, the key, its value
	value = strings.TrimLeft(value, " ")
	switch {
	case level == 0:
		if quoted {
			return false // "kind": may hide an identity key
		}
		s.topKey = key
		switch key {
		case "apiVersion":
			return s.identity(&s.apiVersion, value, col) && !s.kindRead()
		case "kind":
			// Kinds the caller reads, and Lists, need the full parse; say
			// so at once, before reading the rest of the document.
			return s.identity(&s.kind, value, col) && !strings.HasSuffix(s.kind.value, "List") && !s.kindRead()
		case "metadata":
			if value != "" && value[0] != '#' {
				return false // flow, null or scalar metadata: yaml.v3 decides
			}
			s.metadata.set = true
		}
	case level == 1 && s.topKey == "metadata":
		if quoted {
			return false
		}
		s.metadataMap = true
		switch key {
		case "name":
			return s.identity(&s.name, value, col)
		case "namespace":
			return s.identity(&s.namespace, value, col)
		case "generateName":
			// Only its presence counts when name is set; as the name it
			// must be simple, which prescan checks at the end.
			if v, ok := simpleScalar(value); ok {
				s.generateName = identityField{set: true, value: v}
				s.checkNext = col
				return true
			}
			s.generateName = identityField{set: true}
		}
	}
	return s.value(value, col)
}

// identity reads the value of an identity field.
// kindRead reports whether the document is known to be of a kind the
// caller reads, once both apiVersion and kind are.
func (s *scanState) kindRead() bool {
	return s.apiVersion.set && s.kind.set && s.kinds.decodes(s.apiVersion.value, s.kind.value)
}

func (s *scanState) identity(f *identityField, value string, col int) bool {
	v, ok := simpleScalar(value)
	if !ok {
		return false
	}
	if f == &s.apiVersion && (strings.HasPrefix(v, "kustomize.config.k8s.io/") || strings.HasPrefix(v, "config.kubernetes.io/")) {
		return false // build configuration: readDocument skips it
	}
	*f = identityField{set: true, value: v}
	s.checkNext = col
	return true
}

// value reads what follows "key:" on a line, for the key at col.
func (s *scanState) value(v string, col int) bool {
	if v == "" || v[0] == '#' {
		return s.depthOK(0) // the value is on the following lines
	}
	// Node properties on a value: an anchor is harmless without aliases,
	// and a tag does not change the shape; skip them.
	for v != "" && (v[0] == '&' || v[0] == '!') {
		i := strings.IndexByte(v, ' ')
		if i < 0 {
			return s.depthOK(0)
		}
		v = strings.TrimLeft(v[i:], " ")
		if v == "" || v[0] == '#' {
			return s.depthOK(0)
		}
	}
	switch v[0] {
	case '|', '>':
		return s.blockScalarHeader(v, col)
	case '"', '\'':
		end, ok := quotedEnd(v)
		if !ok {
			s.inQuote = v[0] // it goes on below
			return s.depthOK(0)
		}
		return s.depthOK(0) && commentOnly(v[end:])
	case '{', '[':
		fs := flowScanner{text: v}
		if !fs.node(0) || !fs.endOfLine() {
			return false
		}
		s.nodes += 2 * fs.pos // more than a flow collection can hold
		return s.depthOK(fs.maxDepth)
	case '*', '?', '%', '@', '`', ',', ']', '}':
		return false
	case '-':
		if len(v) == 1 || v[1] == ' ' {
			return false // "key: - x" is not YAML
		}
	}
	// A plain scalar; ": " in it is an error yaml.v3 would report.
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ':':
			if i+1 == len(v) || v[i+1] == ' ' || v[i+1] == '\t' {
				return false
			}
		case '#':
			if v[i-1] == ' ' {
				return s.depthOK(0)
			}
		case '\t':
			return false
		}
	}
	s.plain()
	return s.depthOK(0)
}

// plain notes that the line ended in a plain scalar, which may go on.
func (s *scanState) plain() {
	s.inPlain, s.plainOwner = true, s.stack[len(s.stack)-1].col
}

// blockScalarHeader reads "|", ">-" and the like; parent is the column of
// the node that owns the scalar, which its content is indented deeper than.
func (s *scanState) blockScalarHeader(h string, parent int) bool {
	// Chomping (+ -) and indentation (1-9) indicators, in either order.
	increment, chomp, i := 0, false, 1
	for ; i < len(h); i++ {
		c := h[i]
		if c >= '1' && c <= '9' && increment == 0 {
			increment = int(c - '0')
		} else if (c == '-' || c == '+') && !chomp {
			chomp = true
		} else {
			break
		}
	}
	if !commentOnly(h[i:]) {
		return false
	}
	if increment > 0 {
		// The content is indented exactly increment columns deeper than
		// the node that owns the scalar (yaml.v3 counts from parent).
		s.bsPending, s.bsParent, s.bsIndent = false, parent, parent+increment
	} else {
		s.bsPending, s.bsParent, s.bsIndent = true, parent, 0
	}
	return s.depthOK(0)
}

// commentOnly reports whether rest, what follows a value on its line, is
// empty or a comment.
func commentOnly(rest string) bool {
	t := strings.TrimLeft(rest, " ")
	return t == "" || (t[0] == '#' && len(t) < len(rest))
}

// quotedEnd returns the index just past the closing quote of the quoted
// scalar that s starts with; ok is false when it does not close on the line.
func quotedEnd(s string) (int, bool) {
	end, ok := closeQuote(s[1:], s[0])
	return end + 1, ok
}

// closeQuote returns the index just past the quote q that closes a quoted
// scalar in s, which starts inside the scalar. A backslash escapes the next
// character in double quotes; two single quotes are one in single quotes.
// A line break ends neither escape, so each line is read on its own.
func closeQuote(s string, q byte) (int, bool) {
	for i := 0; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q:
			if q == '\'' && i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, true
		}
	}
	return 0, false
}

// simpleScalar reads an identity value: a plain scalar of the characters
// names, kinds and API versions use, or a quoted one without escapes. It
// must be the only thing on the line (a comment may follow).
func simpleScalar(v string) (string, bool) {
	if v == "" {
		return "", false
	}
	if v[0] == '"' || v[0] == '\'' {
		end, ok := quotedEnd(v)
		if !ok || !commentOnly(v[end:]) {
			return "", false
		}
		inner := v[1 : end-1]
		if inner == "" || strings.IndexByte(inner, '\\') >= 0 || strings.IndexByte(inner, v[0]) >= 0 {
			return "", false
		}
		return inner, true
	}
	end := len(v)
	if i := strings.Index(v, " #"); i >= 0 {
		end = i
	}
	plain := strings.TrimRight(v[:end], " ")
	if plain == "" || !isAlnum(plain[0]) || plain[len(plain)-1] == ':' {
		return "", false
	}
	switch plain {
	case "null", "Null", "NULL":
		return "", false
	}
	for i := 0; i < len(plain); i++ {
		c := plain[i]
		if !isAlnum(c) && c != '.' && c != '-' && c != '_' && c != '/' && c != ':' && c != '@' && c != '+' {
			return "", false
		}
	}
	return plain, true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// flowScanner checks a flow collection that opens and closes on one line:
// its keys (scalars, not null, no duplicates in a mapping), no aliases, and
// its nesting depth.
type flowScanner struct {
	text     string
	pos      int
	maxDepth int
}

func (f *flowScanner) skipSpaces() {
	for f.pos < len(f.text) && f.text[f.pos] == ' ' {
		f.pos++
	}
}

func (f *flowScanner) peek() byte {
	if f.pos < len(f.text) {
		return f.text[f.pos]
	}
	return 0
}

// node reads one flow node at depth.
func (f *flowScanner) node(depth int) bool {
	if depth > f.maxDepth {
		f.maxDepth = depth
	}
	f.skipSpaces()
	for c := f.peek(); c == '&' || c == '!'; c = f.peek() {
		for f.pos < len(f.text) && f.text[f.pos] != ' ' && !strings.ContainsRune(",[]{}", rune(f.text[f.pos])) {
			f.pos++
		}
		f.skipSpaces()
	}
	switch f.peek() {
	case '{':
		return f.mapping(depth)
	case '[':
		return f.sequence(depth)
	case '"', '\'':
		end, ok := quotedEnd(f.text[f.pos:])
		if !ok {
			return false
		}
		f.pos += end
		return true
	case '*', '?', '|', '>', '%', '@', '`', '#', 0:
		return false
	}
	_, ok := f.plain()
	return ok
}

// plain reads a plain scalar in flow context and returns its text.
func (f *flowScanner) plain() (string, bool) {
	start := f.pos
	for f.pos < len(f.text) {
		c := f.text[f.pos]
		if c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == '\t' {
			break
		}
		if c == ':' && (f.pos+1 == len(f.text) || strings.IndexByte(" ,[]{}", f.text[f.pos+1]) >= 0) {
			break
		}
		if c == '#' && f.pos > start && f.text[f.pos-1] == ' ' {
			return "", false // a comment inside a flow collection on one line
		}
		f.pos++
	}
	s := strings.TrimRight(f.text[start:f.pos], " ")
	return s, s != ""
}

func (f *flowScanner) sequence(depth int) bool {
	f.pos++ // [
	for {
		f.skipSpaces()
		if f.peek() == ']' {
			f.pos++
			return true
		}
		if !f.node(depth + 1) {
			return false
		}
		f.skipSpaces()
		if closed, ok := f.separator(']'); !ok || closed {
			return ok // not ok includes "[a: b]", a single-pair mapping
		}
	}
}

// separator steps over what follows an entry of a collection: a comma, or
// close, which ends it. Anything else is not ok.
func (f *flowScanner) separator(close byte) (closed, ok bool) {
	switch f.peek() {
	case ',':
		f.pos++
		return false, true
	case close:
		f.pos++
		return true, true
	}
	return false, false
}

func (f *flowScanner) mapping(depth int) bool {
	f.pos++ // {
	var keys keySet
	for {
		f.skipSpaces()
		if f.peek() == '}' {
			f.pos++
			return true
		}
		if depth+1 > f.maxDepth {
			f.maxDepth = depth + 1
		}
		var key string
		switch f.peek() {
		case '"', '\'':
			end, ok := quotedEnd(f.text[f.pos:])
			if !ok {
				return false
			}
			key = f.text[f.pos+1 : f.pos+end-1]
			if strings.IndexByte(key, '\\') >= 0 || strings.IndexByte(key, f.text[f.pos]) >= 0 {
				return false
			}
			f.pos += end
		case '{', '[', '*', '&', '!', '?', ':', ',', '|', '>', '%', '@', '`', '#', 0:
			return false
		default:
			k, ok := f.plain()
			if !ok {
				return false
			}
			switch k {
			case "~", "null", "Null", "NULL", "<<":
				return false
			}
			if c := k[0]; c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' {
				k = keyText(&yaml.Node{Kind: yaml.ScalarNode, Value: k})
			}
			key = k
		}
		if !keys.add(key) {
			return false
		}
		f.skipSpaces()
		if f.peek() == ':' {
			f.pos++
			f.skipSpaces()
			if c := f.peek(); c != ',' && c != '}' {
				if !f.node(depth + 1) {
					return false
				}
			}
			f.skipSpaces()
		}
		if closed, ok := f.separator('}'); !ok || closed {
			return ok
		}
	}
}

// endOfLine reports whether only a comment follows the collection.
func (f *flowScanner) endOfLine() bool {
	return commentOnly(f.text[f.pos:])
}

// blankOrComments reports whether a document has nothing but blank and
// comment lines, without copying it.
func blankOrComments(text string) bool {
	for line := range strings.Lines(text) {
		if t := strings.TrimSpace(line); t != "" && t[0] != '#' {
			return false
		}
	}
	return true
}
