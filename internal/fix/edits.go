package fix

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Fixes write new YAML as lines indented in steps of two spaces relative to
// where they go (snippet lines); render re-indents them to the file's own
// indentation and line ending.
func (s *Source) render(base, unit int, lines []string) string {
	// col[d] is where lines of depth d start; a sequence item's own lines
	// (one level deeper in a snippet) start under its text, past the "- ".
	col := map[int]int{0: base}
	at := func(d int) int {
		c, ok := col[d]
		for k := d - 1; !ok && k >= 0; k-- {
			if c0, ok0 := col[k]; ok0 {
				c, ok = c0+(d-k)*unit, true
			}
		}
		return c
	}
	var b strings.Builder
	for _, l := range lines {
		var text string
		var depth int
		if raw, ok := strings.CutPrefix(l, rawLine); ok {
			// copied text: its own indentation is kept, shifted to the
			// depth nest put it at
			text = strings.TrimLeft(raw, rawDepth)
			depth = len(raw) - len(text)
			b.WriteString(strings.Repeat(" ", at(depth)) + text + s.eol)
			continue
		}
		text = strings.TrimLeft(l, " ")
		depth = (len(l) - len(text)) / 2
		c := at(depth)
		for k := range col {
			if k > depth {
				delete(col, k)
			}
		}
		col[depth] = c
		if strings.HasPrefix(text, "- ") {
			col[depth+1] = c + 2
		}
		b.WriteString(strings.Repeat(" ", c) + text + s.eol)
	}
	return b.String()
}

// rawLine marks a snippet line copied from the file, whose indentation is
// kept as it is rather than re-scaled.
const rawLine, rawDepth = "\x00", "\x01"

// flowStyle says a collection is written inline ({a: b}, [a]).
func flowStyle(n *yaml.Node) bool { return n.Style&yaml.FlowStyle != 0 }

// setScalar replaces a one-line scalar's text.
func (s *Source) setScalar(n *yaml.Node, text string, inFlow bool) (Edit, error) {
	from, to, err := s.scalarSpan(n, inFlow)
	if err != nil {
		return Edit{}, err
	}
	return s.edit(from, to, text), nil
}

// insertInto adds snippet lines at the end of a mapping (key lines) or a
// sequence (lines starting with "- "). An inline mapping takes only
// one-line "key: value" pairs, written inline; an inline sequence takes
// nothing.
func (s *Source) insertInto(coll *yaml.Node, unit int, lines []string) (Edit, error) {
	if flowStyle(coll) {
		return s.insertFlow(coll, lines)
	}
	if len(coll.Content) == 0 {
		return Edit{}, errNoEdit
	}
	level := s.level(coll)
	last := s.lastLine(coll, level)
	at := s.lineEnd(last)
	text := s.render(level, unit, lines)
	if at == len(s.Text) && (len(s.Text) == 0 || s.Text[len(s.Text)-1] != '\n') {
		text = s.eol + strings.TrimSuffix(text, s.eol)
	}
	return s.edit(at, at, text), nil
}

// insertFlow adds one-line pairs first in an inline mapping: {a: b} becomes
// {new: v, a: b}.
func (s *Source) insertFlow(m *yaml.Node, lines []string) (Edit, error) {
	if m.Kind != yaml.MappingNode {
		return Edit{}, errNoEdit
	}
	var pairs []string
	for _, l := range lines {
		if raw, ok := strings.CutPrefix(l, rawLine); ok && !strings.HasPrefix(raw, rawDepth) {
			l = raw // a copied one-line pair fits inline as it is
		}
		if strings.HasPrefix(l, rawLine) || strings.Contains(l, " #") || strings.Contains(l, "\t") {
			return Edit{}, errNoEdit // nested copied text or a comment has no place inside {}
		}
		if _, v, _ := strings.Cut(l, ": "); !strings.HasPrefix(v, `"`) && !strings.HasPrefix(v, "'") && strings.ContainsAny(l, ",[]{}") {
			return Edit{}, errNoEdit // a plain scalar would end at the comma or bracket
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "-") || strings.HasSuffix(l, ":") || strings.HasSuffix(l, "|") {
			return Edit{}, errNoEdit
		}
		pairs = append(pairs, l)
	}
	at := s.offset(m.Line, m.Column)
	if at >= len(s.Text) || s.Text[at] != '{' {
		return Edit{}, errNoEdit
	}
	text := strings.Join(pairs, ", ")
	if len(m.Content) > 0 {
		text += ", "
	}
	return s.edit(at+1, at+1, text), nil
}

// ensure adds snippet lines under the mapping at path below obj, creating
// the missing keys of path. A key whose value is empty (null) or an empty
// inline mapping gets the lines as its block value.
func (s *Source) ensure(obj *yaml.Node, path []string, lines []string) (Edit, error) {
	unit := indentUnit(obj)
	n := obj
	for _, tok := range path {
		if tok == "" || !utf8.ValidString(tok) || strings.IndexFunc(tok, unicode.IsControl) >= 0 {
			return Edit{}, fmt.Errorf("a key that cannot be written as it is: %w", errNoEdit)
		}
	}
	for i, tok := range path {
		if n.Kind == yaml.SequenceNode {
			if n = child(n, tok); n == nil {
				return Edit{}, errNoEdit
			}
			continue
		}
		if n.Kind != yaml.MappingNode {
			return Edit{}, fmt.Errorf("%s is not a mapping: %w", strings.Join(path[:i], "."), errNoEdit)
		}
		k := keyNode(n, tok)
		if k < 0 {
			return s.insertInto(n, unit, nest(path[i:], lines))
		}
		v := n.Content[k+1]
		if emptyValue(v) {
			if v.Kind == yaml.MappingNode && flowStyle(v) && i == len(path)-1 {
				if e, err := s.insertFlow(v, lines); err == nil {
					return e, nil // {} becomes {key: value}
				}
			}
			return s.replaceEmpty(n.Content[k], v, unit, nest(path[i+1:], lines))
		}
		n = v
	}
	if n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
		return Edit{}, errNoEdit
	}
	return s.insertInto(n, unit, lines)
}

// nest puts snippet lines under the keys of path.
func nest(path []string, lines []string) []string {
	var out []string
	for i, k := range path {
		out = append(out, strings.Repeat("  ", i)+yamlKey(k)+":")
	}
	pad := strings.Repeat("  ", len(path))
	for _, l := range lines {
		if raw, ok := strings.CutPrefix(l, rawLine); ok {
			out = append(out, rawLine+strings.Repeat(rawDepth, len(path))+raw)
			continue
		}
		out = append(out, pad+l)
	}
	return out
}

// plainKey matches the keys written without quotes: the Kubernetes field
// and annotation names fixes create.
var plainKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._/-]*$`)

// yamlKey writes a key, double-quoted (JSON quoting is YAML) unless plain.
func yamlKey(k string) string {
	if plainKey.MatchString(k) {
		return k
	}
	return strconv.Quote(k)
}

// emptyValue: a key with no value, null, or {} / [].
func emptyValue(v *yaml.Node) bool {
	switch v.Kind {
	case yaml.ScalarNode:
		return v.Tag == "!!null"
	case yaml.MappingNode, yaml.SequenceNode:
		return len(v.Content) == 0
	}
	return false
}

// replaceEmpty gives key an indented block value in place of its empty one
// (nothing, ~, null, {} or []). A key with no value text keeps its line
// whole, comment included, and the block follows it.
func (s *Source) replaceEmpty(key, v *yaml.Node, unit int, lines []string) (Edit, error) {
	_, keyEnd, err := s.scalarSpan(key, false)
	if err != nil {
		return Edit{}, err
	}
	lineEnd := s.lines[key.Line-1] + len(s.lineText(key.Line))
	rest := string(s.Text[keyEnd:lineEnd])
	colon := strings.Index(rest, ":")
	if colon < 0 {
		return Edit{}, errNoEdit
	}
	body := s.render(key.Column-1+unit, unit, lines)
	value := strings.TrimSpace(stripComment(rest[colon+1:]))
	if value == "" {
		at := s.lineEnd(key.Line)
		if at == len(s.Text) && (len(s.Text) == 0 || s.Text[len(s.Text)-1] != '\n') {
			body = s.eol + strings.TrimSuffix(body, s.eol)
		}
		return s.edit(at, at, body), nil
	}
	if v.Line != key.Line || strings.TrimSpace(rest[colon+1:]) != value {
		return Edit{}, errNoEdit // a comment after {} would move onto the new lines
	}
	from := keyEnd + colon + 1
	return s.edit(from, lineEnd, s.eol+strings.TrimSuffix(body, s.eol)), nil
}

// stripComment drops a " # comment" from the rest of a line.
func stripComment(rest string) string {
	if strings.HasPrefix(strings.TrimSpace(rest), "#") {
		return ""
	}
	if i := strings.Index(rest, " #"); i >= 0 {
		return rest[:i]
	}
	return rest
}

// deleteKey removes the i-th pair of block mapping m, whole lines. When it
// is the only pair, the key holding m goes too (parents lists the mappings
// from the object down to m, and keys the key index of each level), so no
// empty mapping is left behind.
func (s *Source) deleteKey(parents []*yaml.Node, keys []int) (Edit, error) {
	for len(parents) > 1 && len(parents[len(parents)-1].Content) == 2 {
		parents, keys = parents[:len(parents)-1], keys[:len(keys)-1]
	}
	m, i := parents[len(parents)-1], keys[len(keys)-1]
	if flowStyle(m) {
		return Edit{}, errNoEdit
	}
	first, last := s.keyLines(m, i)
	if s.offset(m.Content[i].Line, m.Content[i].Column) != s.lines[first-1]+indentOf(s.lineText(first)) {
		return Edit{}, errNoEdit // the key shares its line with a dash or another key
	}
	return s.edit(s.lines[first-1], s.lineEnd(last), ""), nil
}
