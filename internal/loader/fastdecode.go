package loader

import (
	"strings"
	"sync"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// fastPaths enables prescan and fastDecode in parseFile; tests turn it off
// to get the reference result of the full path.
var fastPaths = true

// fastDecode decodes a document of a kind the caller reads straight from its
// text into the values the converter makes (map[string]any, []any, string,
// int64, float64, bool, nil), without building a yaml.v3 Node tree: that
// tree, and the tokens and events behind it, would be most of the time and
// garbage of a large lint (docs/performance.md#history).
//
// It reads the block-style YAML that manifests are written in: block
// mappings and sequences, single-line plain and quoted scalars, single-line
// flow collections, and literal block scalars. For anything else it answers
// ok=false and the caller takes the full path (yaml.v3 and the converter),
// which stays the reference. Since broken YAML in these kinds must be
// reported exactly as before, fastDecode answers only for text that yaml.v3
// parses into the same value: it bails out on everything that could be an
// error (tabs, odd indentation, duplicate keys, null keys, control
// characters, keys longer than yaml.v3's simple-key limit) and on the YAML
// it does not need to know (anchors, aliases, tags, merge keys, folded and
// explicitly indented block scalars, multi-line quoted and plain scalars,
// multi-line flow collections, escapes in double quotes). A fuzz test holds
// it to the full path (fastdecode_test.go).
//
// Scalars that are not plainly strings are resolved by yaml.v3 itself, and
// strings are copied out of the text (detach), once per decoder where they
// recur (plain, quoted).
func fastDecode(text string, limits Limits) (map[string]any, bool) {
	m, _, ok := fastDecodeFields(text, limits, nil)
	return m, ok
}

// fastDecodeFields is fastDecode building only what fields keeps of the
// object's kind (Fields), which it learns from the object's apiVersion and
// kind when they come before the other fields, as they do in manifests.
// partial reports whether anything was left out. It answers exactly when
// fastDecode does, except when one mapping leaves out more than
// maxLeftKeys keys: then it declines, and the full path decides.
func fastDecodeFields(text string, limits Limits, fields FieldsOf) (obj map[string]any, partial, ok bool) {
	if !fastDecodable(text) {
		return nil, false, false
	}
	d := fastDecoderPool.Get().(*fastDecoder)
	defer fastDecoderPool.Put(d)
	d.reset(text, limits)
	d.fields = fields
	defer d.forget()
	if d.marker {
		return nil, false, false
	}
	d.skipEmpty()
	if d.i >= len(d.lines) || d.lines[d.i].indent != 0 {
		return nil, false, false
	}
	m, ok := d.mapping(0, 0, nil)
	if !ok {
		return nil, false, false
	}
	d.skipEmpty()
	if d.i != len(d.lines) || d.nodes >= limits.MaxNodes {
		return nil, false, false
	}
	return m, d.partial, true
}

// fastDecodable rejects, up front, text with characters yaml.v3 refuses or
// treats specially: tabs (indentation errors, and rare in manifests) and
// control characters other than the line feed; non-ASCII text is checked
// for the same among its runes.
func fastDecodable(text string) bool {
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n':
		case c < 0x20 || c == 0x7f:
			return false
		case c >= 0x80:
			for _, r := range text[i:] {
				if r < 0x20 && r != '\n' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == utf8.RuneError ||
					r == 0xfeff || r == 0xfffe || r == 0xffff || r == 0x2028 || r == 0x2029 || r == '\t' {
					return false
				}
			}
			return true
		}
	}
	return true
}

type fastLine struct {
	indent int
	text   string // after the indentation; "" for a blank line
	nl     bool   // ends with a line break
}

type fastDecoder struct {
	lines    []fastLine
	i        int // the next line to read
	nodes    int
	maxNodes int
	maxDepth int
	marker   bool // a document marker line: not one document
	// keys are the mapping keys this decoder has copied out of texts, to
	// share rather than copy again: a repository's keys (field names,
	// label and annotation keys) are few and recur in every document.
	keys map[string]string
	// plains and quoteds are the values of the scalars this decoder has
	// read, by their text, boxed as the object holds them: the same names,
	// ports and words recur in a document (an app's name in its metadata,
	// labels, selectors and service account) and in the next ones, and
	// each would otherwise cost its own copy and its own box. The values
	// are copies, never slices of a text, so they keep no file alive.
	plains, quoteds map[string]any

	fields   FieldsOf // the caller's rules, by kind; nil: build everything
	skipping int      // > 0 inside a value left out: read, checked, not built
	ruled    bool     // the object's rule is known (and may be nil)
	partial  bool     // something was left out
	// left are the keys of the mappings being read that are not in their
	// maps (left out, or read while skipping), for the duplicate check;
	// each mapping's are above the mark it took when it started.
	left []string
}

// maxLeftKeys bounds the keys one mapping leaves out, as the duplicate
// check looks through them one by one: past it, the full path decides.
const maxLeftKeys = 64

// forget drops what the decoder holds of the text it read, as it goes back
// to the pool: its lines and left-out keys are slices of that text, and a
// pooled decoder holding them would keep a released file's text alive.
func (d *fastDecoder) forget() {
	clear(d.left[:cap(d.left)])
	clear(d.lines)
	d.left, d.lines, d.fields = d.left[:0], d.lines[:0], nil
}

// maxSharedValues bounds each of a decoder's value caches; a full one is
// emptied, so that it follows the documents being read.
const maxSharedValues = 4096

// maxSharedValueLen is the longest scalar shared: longer ones (images,
// commands, embedded files) seldom recur.
const maxSharedValueLen = 64

// plain is resolvePlain, shared.
func (d *fastDecoder) plain(s string) (any, bool) {
	if v, ok := d.plains[s]; ok {
		return v, true
	}
	v, ok := resolvePlain(s)
	if ok && len(s) <= maxSharedValueLen {
		d.plains = share(d.plains, s, v)
	}
	return v, ok
}

// quoted is the value of a quoted scalar whose content is s, shared.
func (d *fastDecoder) quoted(s string) any {
	if v, ok := d.quoteds[s]; ok {
		return v
	}
	w := detach(s)
	var v any = w
	if len(s) <= maxSharedValueLen {
		d.quoteds = share(d.quoteds, w, v)
	}
	return v
}

// share adds a value to a cache under its text, emptying the cache first
// when it is full. A string value is its own text, already copied; the
// text of any other value is copied for the key.
func share(cache map[string]any, text string, v any) map[string]any {
	if cache == nil {
		cache = make(map[string]any, 256)
	} else if len(cache) >= maxSharedValues {
		clear(cache)
	}
	if w, ok := v.(string); ok && w == text {
		text = w
	} else {
		text = detach(text)
	}
	cache[text] = v
	return cache
}

// maxSharedKeys bounds the keys a decoder shares; later ones are copied.
const maxSharedKeys = 2048

// key is detach for a mapping key.
func (d *fastDecoder) key(s string) string {
	if w, ok := d.keys[s]; ok {
		return w
	}
	w := detach(s)
	if len(d.keys) < maxSharedKeys && len(s) <= 64 {
		if d.keys == nil {
			d.keys = map[string]string{}
		}
		d.keys[w] = w
	}
	return w
}

var fastDecoderPool = sync.Pool{New: func() any { return &fastDecoder{} }}

func (d *fastDecoder) reset(text string, limits Limits) {
	d.lines, d.i, d.nodes, d.maxNodes, d.maxDepth, d.marker = d.lines[:0], 0, 0, limits.MaxNodes, limits.MaxDepth, false
	d.skipping, d.ruled, d.partial, d.left = 0, false, false, d.left[:0]
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		nl := end >= 0
		if nl {
			end += pos
		} else {
			end = len(text)
		}
		line := text[pos:end]
		if isDocumentMarker(line) {
			d.marker = true // another document: splitDocuments cuts there, yaml.v3 would too
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		d.lines = append(d.lines, fastLine{indent: indent, text: line[indent:], nl: nl})
		pos = end + 1
	}
}

// skipEmpty moves past blank and comment lines.
func (d *fastDecoder) skipEmpty() {
	for d.i < len(d.lines) && (d.lines[d.i].text == "" || d.lines[d.i].text[0] == '#') {
		d.i++
	}
}

// node counts a node and checks the limits, with room to spare: at the
// edge, the full path decides and words the error.
func (d *fastDecoder) node(depth int) bool {
	d.nodes++
	return d.nodes < d.maxNodes && depth+1 < d.maxDepth
}

// isSeqEntry reports whether a line's text is a block sequence entry.
func isSeqEntry(t string) bool { return t == "-" || strings.HasPrefix(t, "- ") }

// mapping reads a block mapping whose keys are at col, by rule; the
// current line holds its first key. While skipping, it builds nothing and
// returns nil.
func (d *fastDecoder) mapping(col, depth int, rule *Fields) (map[string]any, bool) {
	if !d.node(depth) {
		return nil, false
	}
	var m map[string]any
	if d.skipping == 0 {
		m = make(map[string]any)
	}
	mark := len(d.left)
	for {
		d.skipEmpty()
		if d.i >= len(d.lines) || d.lines[d.i].indent < col {
			d.left = d.left[:mark]
			return m, true
		}
		l := d.lines[d.i]
		if l.indent > col || isSeqEntry(l.text) {
			return nil, false // mis-indented, or a sequence where keys go
		}
		key, rest, ok := splitKey(l.text)
		if !ok {
			return nil, false
		}
		if _, dup := m[key]; dup || d.isLeft(mark, key) {
			return nil, false // the converter reports duplicates
		}
		if depth == 0 && !d.ruled && d.fields != nil {
			rule = d.ruleOf(m)
		}
		leave := d.skipping == 0 && rule.leaves(key)
		if d.skipping > 0 || leave {
			if len(d.left)-mark >= maxLeftKeys {
				return nil, false
			}
			d.left = append(d.left, key)
		}
		if leave {
			d.skipping++
			_, ok = d.value(rest, col, depth+1, nil)
			d.skipping--
			d.partial = true
			if !ok {
				return nil, false
			}
			continue
		}
		v, ok := d.value(rest, col, depth+1, rule.of(key))
		if !ok {
			return nil, false
		}
		if d.skipping == 0 {
			m[d.key(key)] = v
		}
	}
}

// isLeft reports whether key is among the keys left out of the mapping
// that took mark.
func (d *fastDecoder) isLeft(mark int, key string) bool {
	for _, k := range d.left[mark:] {
		if k == key {
			return true
		}
	}
	return false
}

// ruleOf is the caller's rule for the object whose top fields read so far
// are m, once they hold its apiVersion and kind (then ruled is set).
func (d *fastDecoder) ruleOf(m map[string]any) *Fields {
	apiVersion, ok := m["apiVersion"].(string)
	if !ok {
		return nil
	}
	kind, ok := m["kind"].(string)
	if !ok {
		return nil
	}
	d.ruled = true
	return d.fields(apiVersion, kind)
}

// value reads the value after "key:" (rest) for a key at col, by rule, and
// moves to the line after it.
func (d *fastDecoder) value(rest string, col, depth int, rule *Fields) (any, bool) {
	rest = strings.TrimLeft(rest, " ")
	if rest == "" || rest[0] == '#' {
		// The value is on the following lines: a deeper mapping or
		// sequence, a sequence at the key's column, or nothing (null).
		d.i++
		d.skipEmpty()
		if d.i < len(d.lines) {
			l := d.lines[d.i]
			switch {
			case l.indent == col && isSeqEntry(l.text):
				return d.sequence(col, depth, rule)
			case l.indent > col && isSeqEntry(l.text):
				return d.sequence(l.indent, depth, rule)
			case l.indent > col:
				return d.mapping(l.indent, depth, rule)
			}
		}
		if !d.node(depth) {
			return nil, false
		}
		return nil, true
	}
	return d.inline(rest, col, depth, rule)
}

// inline reads a value that starts on the current line, owned by a node at
// col (a key's column, or a sequence's): a scalar, a flow collection or a
// literal block scalar. Lines after it must not be deeper than col, or it
// would go on there. A flow collection is built whole, then kept by rule.
func (d *fastDecoder) inline(rest string, col, depth int, rule *Fields) (any, bool) {
	if !d.node(depth) {
		return nil, false
	}
	var v any
	switch rest[0] {
	case '|':
		return d.literal(rest, col)
	case '"', '\'':
		s, after, ok := quoted(rest)
		if !ok || !endOfValue(after) {
			return nil, false
		}
		if d.skipping == 0 {
			v = d.quoted(s)
		}
	case '[', '{':
		f := flowDecoder{text: rest, d: d, depth: depth}
		x, ok := f.node()
		if !ok || !endOfValue(f.text[f.pos:]) {
			return nil, false
		}
		if d.skipping == 0 && rule != nil {
			var partial bool
			x, partial = rule.Apply(x)
			d.partial = d.partial || partial
		}
		v = x
	default:
		s, ok := plainInBlock(rest)
		if !ok {
			return nil, false
		}
		if d.skipping > 0 && !resolveHint(s) {
			break // a string: nothing to check, nothing to build
		}
		if v, ok = d.plain(s); !ok {
			return nil, false
		}
	}
	d.i++
	d.skipEmpty()
	if d.i < len(d.lines) && d.lines[d.i].indent > col {
		return nil, false // a multi-line scalar, or an error
	}
	return v, true
}

// sequence reads a block sequence whose dashes are at col, each item by
// rule's. While skipping, it builds nothing and returns nil.
func (d *fastDecoder) sequence(col, depth int, rule *Fields) ([]any, bool) {
	if !d.node(depth) {
		return nil, false
	}
	var out []any
	for {
		d.skipEmpty()
		if d.i >= len(d.lines) {
			return out, true
		}
		l := d.lines[d.i]
		if l.indent < col || (l.indent == col && !isSeqEntry(l.text)) {
			return out, true
		}
		if l.indent > col {
			return nil, false
		}
		rest := l.text[1:]
		n := len(rest) - len(strings.TrimLeft(rest, " "))
		rest = rest[n:]
		var v any
		var ok bool
		switch {
		case rest == "" || rest[0] == '#':
			// The item is on the following lines, deeper, or null.
			d.i++
			d.skipEmpty()
			switch {
			case d.i < len(d.lines) && d.lines[d.i].indent > col && isSeqEntry(d.lines[d.i].text):
				v, ok = d.sequence(d.lines[d.i].indent, depth+1, rule.item())
			case d.i < len(d.lines) && d.lines[d.i].indent > col:
				v, ok = d.mapping(d.lines[d.i].indent, depth+1, rule.item())
			default:
				v, ok = nil, d.node(depth+1)
			}
		case isSeqEntry(rest) || rest[0] == '?' || rest[0] == ':':
			return nil, false // "- - x", complex keys: rare
		default:
			itemCol := col + 1 + n
			if _, _, isKey := splitKey(rest); isKey {
				// "- key: value": a mapping whose keys align with this one.
				d.lines[d.i] = fastLine{indent: itemCol, text: rest, nl: l.nl}
				v, ok = d.mapping(itemCol, depth+1, rule.item())
			} else {
				v, ok = d.inline(rest, col, depth+1, rule.item())
			}
		}
		if !ok {
			return nil, false
		}
		if d.skipping == 0 {
			out = append(out, v)
		}
	}
}

// literal reads a literal block scalar ("|", "|-", "|+") whose owner is at
// col, following yaml.v3's scanner: the content is indented like its first
// non-empty line, deeper than col, and ends at the first less indented
// non-empty line.
func (d *fastDecoder) literal(header string, col int) (any, bool) {
	chomp := byte(0)
	h := header[1:]
	if h != "" && (h[0] == '-' || h[0] == '+') {
		chomp, h = h[0], h[1:]
	}
	if t := strings.TrimLeft(h, " "); chomp == '+' || (t != "" && t[0] != '#') {
		return nil, false // keep chomping, indentation indicators, junk: rare
	}
	d.i++
	// Leading empty lines, then the first content line sets the indentation.
	start, maxBlank := d.i, 0
	for d.i < len(d.lines) && d.lines[d.i].text == "" {
		maxBlank = max(maxBlank, d.lines[d.i].indent)
		d.i++
	}
	if d.i >= len(d.lines) || d.lines[d.i].indent <= col {
		// No content: the empty string; what follows belongs to the parent.
		if maxBlank > col {
			return nil, false
		}
		return "", true
	}
	indent := d.lines[d.i].indent
	if maxBlank > indent {
		return nil, false // yaml.v3 would take the blank lines' indentation
	}
	var b strings.Builder
	for n := d.i - start; n > 0; n-- {
		b.WriteByte('\n') // empty lines before the content are part of it
	}
	first, lastNL, empty := true, false, 0
	for ; d.i < len(d.lines); d.i++ {
		l := d.lines[d.i]
		if l.text == "" && l.indent <= indent {
			empty++ // an empty line: part of the content if more follows
			continue
		}
		if l.indent < indent {
			break
		}
		if !first {
			b.WriteByte('\n')
		}
		for ; empty > 0; empty-- {
			b.WriteByte('\n')
		}
		for n := l.indent - indent; n > 0; n-- {
			b.WriteByte(' ')
		}
		b.WriteString(l.text)
		first, lastNL = false, l.nl
	}
	if chomp == 0 && lastNL {
		b.WriteByte('\n') // clip: one final line break; strip: none
	}
	return b.String(), true
}

// splitKey splits "key: rest" into the key as the converter renders it and
// what follows the colon. ok is false for anything but a simple plain or
// quoted key followed by ": " or a final ":".
func splitKey(t string) (key, rest string, ok bool) {
	switch t[0] {
	case '"', '\'':
		k, after, ok := quoted(t)
		if !ok {
			return "", "", false
		}
		after = strings.TrimLeft(after, " ")
		if after == "" || after[0] != ':' || (len(after) > 1 && after[1] != ' ') {
			return "", "", false
		}
		return k, after[1:], len(t)-len(after) <= 1000
	}
	i := 0
	for ; i < len(t); i++ {
		if t[i] == ':' && (i+1 == len(t) || t[i+1] == ' ') {
			break
		}
		if t[i] == '#' && i > 0 && t[i-1] == ' ' {
			return "", "", false // a comment: this line is a scalar
		}
	}
	if i == len(t) || i > 1000 {
		return "", "", false // no key, or longer than yaml.v3's simple keys
	}
	k, ok := plainInBlock(t[:i])
	if !ok {
		return "", "", false
	}
	if resolveHint(k) {
		// Maybe null, a merge key or a number: as keyString and keyText
		// see it.
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: k}
		switch n.ShortTag() {
		case "!!null", "!!merge":
			return "", "", false
		}
		k = keyText(n)
	}
	return k, t[i+1:], true
}

// plainInBlock checks a plain scalar in block context, as the text up to
// a comment, and returns it without trailing spaces.
func plainInBlock(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	switch s[0] {
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '?', ':', ' ':
		return "", false
	case '-':
		if len(s) == 1 || s[1] == ' ' {
			return "", false
		}
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			if i+1 == len(s) || s[i+1] == ' ' {
				return "", false // "a: b: c" is an error
			}
		case '#':
			if s[i-1] == ' ' { // i > 0: s[0] is not '#'
				s = s[:i]
				i = len(s)
			}
		}
	}
	return strings.TrimRight(s, " "), true
}

// resolveHint reports whether a plain scalar may be something else than a
// string. yaml.v3's resolve looks further only at scalars starting with a
// sign, a dot or a digit; for those starting with a letter or "~" or "<",
// only at these exact words.
func resolveHint(s string) bool {
	switch s[0] {
	case '+', '-', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "<<":
		return true
	}
	return false
}

// resolvePlain is the converter's value of a plain scalar.
func resolvePlain(s string) (any, bool) {
	if !resolveHint(s) {
		return detach(s), true
	}
	switch s {
	case "true": // the booleans Kubernetes writes, as yaml.v3 resolves them
		return true, true
	case "false":
		return false, true
	}
	if n, ok := plainDecimal(s); ok {
		return n, true
	}
	v, err := scalarValue(&yaml.Node{Kind: yaml.ScalarNode, Value: s})
	if str, ok := v.(string); ok {
		v = detach(str)
	}
	return v, err == nil
}

// plainDecimal is the value of a plain scalar that is a decimal number
// without sign or leading zero (ports, replicas, user ids: most of the plain
// scalars that are not strings), which yaml.v3 resolves to !!int and the
// converter to that int64. Building a yaml.Node to ask is the cost it saves.
func plainDecimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// quoted reads a single-line quoted scalar at the start of s, returning its
// value and what follows it. Double-quoted scalars with escapes are left to
// yaml.v3.
func quoted(s string) (value, after string, ok bool) {
	end, ok := quotedEnd(s)
	if !ok {
		return "", "", false
	}
	inner := s[1 : end-1]
	if s[0] == '"' {
		if strings.IndexByte(inner, '\\') >= 0 {
			return "", "", false
		}
		return inner, s[end:], true
	}
	if strings.Contains(inner, "''") {
		inner = strings.ReplaceAll(inner, "''", "'")
	}
	return inner, s[end:], true
}

// endOfValue reports whether only spaces and a comment follow a value.
func endOfValue(after string) bool {
	t := strings.TrimLeft(after, " ")
	return t == "" || (t[0] == '#' && len(t) < len(after))
}

// flowDecoder reads a flow collection that closes on its line.
type flowDecoder struct {
	text  string
	pos   int
	d     *fastDecoder
	depth int
}

func (f *flowDecoder) spaces() {
	for f.pos < len(f.text) && f.text[f.pos] == ' ' {
		f.pos++
	}
}

func (f *flowDecoder) peek() byte {
	if f.pos < len(f.text) {
		return f.text[f.pos]
	}
	return 0
}

// node reads one flow node: a collection or a scalar.
func (f *flowDecoder) node() (any, bool) {
	switch f.peek() {
	case '[':
		return f.sequence()
	case '{':
		return f.mapping()
	}
	return f.scalar()
}

// scalar reads a quoted or plain scalar and resolves it.
func (f *flowDecoder) scalar() (any, bool) {
	switch c := f.peek(); c {
	case '"', '\'':
		s, after, ok := quoted(f.text[f.pos:])
		if !ok {
			return nil, false
		}
		f.pos = len(f.text) - len(after)
		return f.d.quoted(s), true
	case 0, ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', '?', ':', '-':
		if c != '-' || f.pos+1 >= len(f.text) || f.text[f.pos+1] == ' ' || f.text[f.pos+1] == ',' {
			return nil, false
		}
	}
	start := f.pos
	for f.pos < len(f.text) {
		c := f.text[f.pos]
		if c == ',' || c == ']' || c == '}' {
			break
		}
		if c == ':' || c == '#' || c == '[' || c == '{' || c == '?' {
			return nil, false // keys, comments and oddities inside flows: leave them
		}
		f.pos++
	}
	return f.d.plain(strings.TrimRight(f.text[start:f.pos], " "))
}

// enter steps over a collection's opening bracket and says whether the
// collection is empty: close follows, and is stepped over too.
func (f *flowDecoder) enter(close byte) (empty bool) {
	f.pos++
	f.spaces()
	if f.peek() == close {
		f.pos++
		return true
	}
	return false
}

func (f *flowDecoder) sequence() (any, bool) {
	f.depth++
	defer func() { f.depth-- }()
	out := []any{}
	if f.enter(']') {
		return out, true
	}
	for {
		if !f.d.node(f.depth) {
			return nil, false
		}
		f.spaces()
		v, ok := f.node()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		f.spaces()
		switch f.peek() {
		case ',':
			f.pos++
			f.spaces()
			if c := f.peek(); c == ']' || c == ',' {
				return nil, false // trailing or empty entries: leave them
			}
		case ']':
			f.pos++
			return out, true
		default:
			return nil, false
		}
	}
}

func (f *flowDecoder) mapping() (any, bool) {
	f.depth++
	defer func() { f.depth-- }()
	out := map[string]any{}
	if f.enter('}') {
		return out, true
	}
	for {
		if !f.d.node(f.depth) {
			return nil, false
		}
		f.spaces()
		var key string
		switch f.peek() {
		case '"', '\'':
			s, after, ok := quoted(f.text[f.pos:])
			if !ok {
				return nil, false
			}
			f.pos, key = len(f.text)-len(after), s
		default:
			start := f.pos
			for f.pos < len(f.text) && f.text[f.pos] != ':' && f.text[f.pos] != ',' && f.text[f.pos] != '}' {
				f.pos++
			}
			k, ok := plainInBlock(strings.TrimRight(f.text[start:f.pos], " "))
			if !ok || strings.ContainsAny(k, "[]{}#?") {
				return nil, false
			}
			if resolveHint(k) {
				n := &yaml.Node{Kind: yaml.ScalarNode, Value: k}
				if t := n.ShortTag(); t == "!!null" || t == "!!merge" {
					return nil, false
				}
				k = keyText(n)
			}
			key = k
		}
		if _, dup := out[key]; dup {
			return nil, false
		}
		f.spaces()
		// The value indicator, followed by a space (keys without values,
		// and JSON's "a":1, are left to yaml.v3).
		if f.peek() != ':' || f.pos+1 >= len(f.text) || f.text[f.pos+1] != ' ' {
			return nil, false
		}
		f.pos += 2
		f.spaces()
		if c := f.peek(); c == ',' || c == '}' {
			return nil, false
		}
		v, ok := f.node()
		if !ok {
			return nil, false
		}
		out[f.d.key(key)] = v
		f.spaces()
		switch f.peek() {
		case ',':
			f.pos++
			f.spaces()
			if c := f.peek(); c == '}' || c == ',' {
				return nil, false
			}
		case '}':
			f.pos++
			return out, true
		default:
			return nil, false
		}
	}
}

// fastDocument is what readDocument makes of a document that fastDecode
// reads: one Document of a kind the caller reads. ok is false when the full
// path must decide, including every case in which it reports a problem.
func fastDocument(display string, index int, c chunk, limits Limits, kinds Kinds, fields FieldsOf) (*Document, bool) {
	obj, partial, ok := fastDecodeFields(c.text, limits, fields)
	if !ok {
		return nil, false
	}
	kind, _ := obj["kind"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	if !kinds.decodes(apiVersion, kind) || strings.HasSuffix(kind, "List") || apiVersion == "" ||
		strings.HasPrefix(apiVersion, "kustomize.config.k8s.io/") || strings.HasPrefix(apiVersion, "config.kubernetes.io/") {
		return nil, false
	}
	d, bad := newDocument(display, index, -1, c, obj, "")
	if bad != nil {
		return nil, false
	}
	d.partial = partial
	return d, true
}
