package fix

import (
	"errors"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Template is a Helm-rendered object's own text and how its lines map back
// to the template: fixes are computed on the rendered text and each edit is
// carried to the template when the line it touches is literal there.
type Template struct {
	// Text is the rendered YAML document of the object.
	Text []byte
	// Line maps a 1-based line of Text to the template line that wrote it.
	Line func(line int) int
}

// errNotLiteral: an edit touches a rendered line a template action wrote.
var errNotLiteral = errors.New("the line comes from a template expression")

// templateFixes are the fixes of a Helm-rendered object whose edits all
// touch lines written literally in the template (tmpl): the same edits,
// moved to the template and offered, never default, since a values
// override or another template may set the field again. A fix with an edit
// on a line a template action wrote is described only.
func templateFixes(tmpl *Source, t Target, f func(*Source, *yaml.Node, Target) []Fix) []Fix {
	const why = "the field comes from a Helm template, Kustomize build or values file: edit its source"
	rt := t
	rt.Rendered, rt.DocStart, rt.Template = false, 1, nil
	rendered := Parse(tmpl.File, t.Template.Text)
	obj, err := rendered.object(rt)
	if err != nil {
		return describeOnly(f(nil, nil, t), why)
	}
	fs := environmentRule(f(rendered, obj, rt), t.Hint)
	for i := range fs {
		if len(fs[i].Edits) == 0 {
			continue
		}
		edits, err := moveEdits(rendered, tmpl, t.Template.Line, fs[i].Edits)
		if err != nil {
			fs[i].Edits = nil
			if fs[i].Default {
				fs[i].Default, fs[i].NotDefault = false, why
			}
			continue
		}
		fs[i].Edits = edits
		if fs[i].Default {
			fs[i].Default = false
			fs[i].NotDefault = "the field is a literal line of the Helm template; a values override or another template may set it again, so check the chart before applying"
		}
	}
	return fs
}

// moveEdits carries edits of the rendered text to the template; all or none.
func moveEdits(rendered, tmpl *Source, line func(int) int, edits []Edit) ([]Edit, error) {
	out := make([]Edit, 0, len(edits))
	for _, e := range edits {
		m, err := moveEdit(rendered, tmpl, line, e)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// moveEdit carries one edit to the template. The edit must stay on one
// rendered line (an insertion at a line start is anchored on the line
// before it), and that line must map to a template line without actions
// holding the same text, shifted only in indentation.
func moveEdit(rendered, tmpl *Source, line func(int) int, e Edit) (Edit, error) {
	if e.Start.Line != e.End.Line {
		return Edit{}, errNotLiteral
	}
	anchor, atLineStart := e.Start.Line, false
	if e.Start == e.End && e.Start.Column == 1 {
		if anchor == 1 {
			return Edit{}, errNotLiteral
		}
		anchor, atLineStart = anchor-1, true
	}
	tl := line(anchor)
	rText, tText := rendered.lineText(anchor), tmpl.lineText(tl)
	if tl < 1 || tl > len(tmpl.lines) || strings.Contains(tText, "{{") || strings.Contains(tText, "}}") ||
		strings.TrimSpace(rText) != strings.TrimSpace(tText) || strings.TrimSpace(rText) == "" {
		return Edit{}, errNotLiteral
	}
	delta := indentOf(tText) - indentOf(rText)
	text, ok := shiftIndent(e.New, delta, atLineStart)
	if !ok {
		return Edit{}, errNotLiteral
	}
	text = strings.ReplaceAll(text, "\n", tmpl.eol)
	if atLineStart {
		at := tmpl.lineEnd(tl)
		if at == len(tmpl.Text) && (len(tmpl.Text) == 0 || tmpl.Text[len(tmpl.Text)-1] != '\n') {
			return Edit{}, errNotLiteral
		}
		return tmpl.edit(at, at, text), nil
	}
	base := tmpl.lines[tl-1] + delta - rendered.lines[anchor-1]
	return tmpl.edit(e.Start.Offset+base, e.End.Offset+base, text), nil
}

// shiftIndent moves every line of text that starts a line (all after the
// first, and the first too when the text is inserted at a line start) by
// delta spaces; false when a line has fewer spaces than it would lose.
func shiftIndent(text string, delta int, first bool) (string, bool) {
	if delta == 0 {
		return text, true
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if (i == 0 && !first) || strings.TrimSpace(l) == "" {
			continue
		}
		if delta > 0 {
			lines[i] = strings.Repeat(" ", delta) + l
			continue
		}
		if indentOf(l) < -delta {
			return "", false
		}
		lines[i] = l[-delta:]
	}
	return strings.Join(lines, "\n"), true
}
