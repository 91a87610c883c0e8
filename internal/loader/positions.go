package loader

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Range is a span in a file: 1-based lines and columns (columns count
// characters), end inclusive of the last character's column + 1.
type Range struct {
	Line, Column, EndLine, EndColumn int
}

// PositionIndex maps JSON pointers (RFC 6901) within one document to the
// span of the field in the file. A field's span starts at its key (or at the
// list item) and ends where its value ends, so an editor highlights the whole
// offending field.
type PositionIndex struct {
	spans map[string]Range
	root  Range
}

// Lookup returns the span of pointer, or of its nearest ancestor that exists
// in the document, so a finding about a missing field lands on its parent.
// exact reports whether the pointer itself was found.
func (p *PositionIndex) Lookup(pointer string) (r Range, exact bool) {
	if p == nil {
		return Range{1, 1, 1, 1}, false
	}
	if r, ok := p.spans[pointer]; ok {
		return r, true
	}
	for pointer != "" {
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			break
		}
		pointer = pointer[:i]
		if r, ok := p.spans[pointer]; ok {
			return r, false
		}
	}
	return p.root, false
}

// EscapePointerToken escapes one reference token of a JSON pointer.
func EscapePointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1") // built once: it is not cheap

// Dig walks nested maps of a decoded document by key; it returns nil when a
// step is missing or not a map.
func Dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// buildPositions walks a parsed document. lines is the document's text split
// into lines; lineOffset is added to every yaml.v3 line to make it a line of
// the file.
func buildPositions(root *yaml.Node, lines []string, lineOffset int) *PositionIndex {
	idx := &PositionIndex{spans: make(map[string]Range)}
	b := positionBuilder{lines: lines, offset: lineOffset, spans: idx.spans, budget: 1 << 20}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	endLine, endCol := b.end(n)
	idx.root = b.span(n.Line, n.Column, endLine, endCol)
	idx.spans[""] = idx.root
	b.walk(n, "", 0)
	return idx
}

type positionBuilder struct {
	lines  []string
	offset int
	spans  map[string]Range
	budget int // bounds the walk over aliases

	flowEnds map[*yaml.Node][2]int // memo: nested flow collections share ends
	runes    map[int][]rune        // memo: lines as characters
}

func (b *positionBuilder) walk(n *yaml.Node, pointer string, depth int) {
	b.budget--
	if b.budget < 0 || depth > 1000 {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := pointer + "/" + EscapePointerToken(keyText(k))
			el, ec := b.end(v)
			b.spans[p] = b.span(k.Line, k.Column, el, ec)
			b.walk(v, p, depth+1)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := pointer + "/" + strconv.Itoa(i)
			el, ec := b.end(item)
			b.spans[p] = b.span(item.Line, item.Column, el, ec)
			b.walk(item, p, depth+1)
		}
	}
}

// span makes a file Range from positions within the document. yaml.v3
// places some nodes past the text (the empty value of a trailing "? key"),
// and ends are estimated from the text, so both ends are clamped into the
// document and the end never comes before the start.
func (b *positionBuilder) span(line, col, endLine, endCol int) Range {
	line, col = b.clamp(line, col)
	endLine, endCol = b.clamp(endLine, endCol)
	if endLine < line || (endLine == line && endCol < col) {
		endLine, endCol = line, col
	}
	return Range{line + b.offset, col, endLine + b.offset, endCol}
}

func (b *positionBuilder) clamp(line, col int) (int, int) {
	if line > len(b.lines) {
		line, col = len(b.lines), math.MaxInt
	}
	if line < 1 {
		line, col = 1, 1
	}
	if n := utf8.RuneCountInString(b.line(line)) + 1; col > n {
		col = n
	}
	if col < 1 {
		col = 1
	}
	return line, col
}

// end finds where a node's text ends (line relative to the document, column
// exclusive). yaml.v3 records only start positions, so the end is the end of
// the last scalar inside the node, measured in the source text.
func (b *positionBuilder) end(n *yaml.Node) (int, int) {
	for depth := 0; depth < 10000; depth++ {
		switch n.Kind {
		case yaml.MappingNode, yaml.SequenceNode, yaml.DocumentNode:
			if len(n.Content) == 0 || n.Style&yaml.FlowStyle != 0 {
				return b.flowEnd(n)
			}
			n = n.Content[len(n.Content)-1]
			continue
		case yaml.AliasNode:
			return n.Line, n.Column + 1 + utf8.RuneCountInString(n.Value)
		}
		return b.scalarEnd(n)
	}
	return n.Line, n.Column
}

func (b *positionBuilder) line(l int) string {
	if l-1 >= 0 && l-1 < len(b.lines) {
		return b.lines[l-1]
	}
	return ""
}

// flowEnd finds the closing bracket of a flow collection ({...} or [...]),
// which may span lines. The search starts where the last item ends, so
// brackets and quotes inside the items (`{a: it's}`, `["]"]`) cannot
// mislead it; between the last item and the bracket there is only
// whitespace, commas and comments.
func (b *positionBuilder) flowEnd(n *yaml.Node) (int, int) {
	if n.Kind == yaml.DocumentNode {
		return n.Line, n.Column
	}
	if e, ok := b.flowEnds[n]; ok {
		return e[0], e[1]
	}
	l, c := b.scanFlowEnd(n)
	if b.flowEnds == nil {
		b.flowEnds = map[*yaml.Node][2]int{}
	}
	b.flowEnds[n] = [2]int{l, c}
	return l, c
}

func (b *positionBuilder) scanFlowEnd(n *yaml.Node) (int, int) {
	closeCh := '}'
	if n.Kind == yaml.SequenceNode {
		closeCh = ']'
	}
	line, col := n.Line, n.Column+1 // just after the opening bracket
	if len(n.Content) > 0 {
		line, col = b.end(n.Content[len(n.Content)-1])
	}
	for l := line; l <= len(b.lines) && l < line+10000; l++ {
		runes := b.lineRunes(l)
		i := 0
		if l == line {
			i = max(col-1, 0)
		}
		for ; i < len(runes); i++ {
			switch r := runes[i]; {
			case r == closeCh:
				return l, i + 2
			case r == '#' && (i == 0 || runes[i-1] == ' ' || runes[i-1] == '\t'):
				i = len(runes) // a comment runs to the end of the line
			}
		}
	}
	if line > n.Line || (line == n.Line && col > n.Column+1) {
		return line, col // at least cover the items
	}
	return n.Line, n.Column + 1
}

func (b *positionBuilder) lineRunes(l int) []rune {
	if r, ok := b.runes[l]; ok {
		return r
	}
	if b.runes == nil {
		b.runes = map[int][]rune{}
	}
	r := []rune(b.line(l))
	b.runes[l] = r
	return r
}

func (b *positionBuilder) scalarEnd(n *yaml.Node) (int, int) {
	runes := b.lineRunes(n.Line)
	start := n.Column - 1
	if start < 0 || start > len(runes) {
		return n.Line, n.Column + utf8.RuneCountInString(n.Value)
	}
	// A tag or anchor may precede the value on the same line; yaml.v3 points
	// at the value itself, so nothing to skip.
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		return b.quotedEnd(n.Line, start, '"')
	case yaml.SingleQuotedStyle:
		return b.quotedEnd(n.Line, start, '\'')
	case yaml.LiteralStyle, yaml.FoldedStyle:
		return b.blockScalarEnd(n.Line)
	}
	// Plain scalars may fold across lines; the first line holds the start.
	if !strings.Contains(n.Value, "\n") {
		end := start + utf8.RuneCountInString(n.Value)
		if end <= len(runes) && string(runes[start:end]) == n.Value {
			return n.Line, end + 1
		}
	}
	// Fall back to the end of the text on the line, minus a trailing comment.
	text := string(runes[start:])
	if i := strings.Index(text, " #"); i >= 0 {
		text = text[:i]
	}
	return n.Line, start + utf8.RuneCountInString(strings.TrimRight(text, " \t")) + 1
}

// blockScalarEnd is where a literal or folded scalar whose header is on
// line ends: its content runs on the following lines, indented deeper than
// the header line.
func (b *positionBuilder) blockScalarEnd(line int) (int, int) {
	indent := leadingSpaces(b.line(line))
	last := line
	for l := line + 1; l <= len(b.lines); l++ {
		text := b.line(l)
		if strings.TrimSpace(text) == "" {
			continue
		}
		if leadingSpaces(text) <= indent {
			break
		}
		last = l
	}
	return last, utf8.RuneCountInString(strings.TrimRight(b.line(last), " \t")) + 1
}

func (b *positionBuilder) quotedEnd(line, start int, quote rune) (int, int) {
	first := true
	for l := line; l <= len(b.lines) && l < line+10000; l++ {
		runes := b.lineRunes(l)
		i := 0
		if first {
			i = start + 1
			first = false
		}
		for ; i < len(runes); i++ {
			switch {
			case quote == '"' && runes[i] == '\\':
				i++
			case runes[i] == quote:
				if quote == '\'' && i+1 < len(runes) && runes[i+1] == '\'' {
					i++
					continue
				}
				return l, i + 2
			}
		}
	}
	return line, start + 2
}

func leadingSpaces(s string) int {
	return len(s) - len(strings.TrimLeft(s, " "))
}
