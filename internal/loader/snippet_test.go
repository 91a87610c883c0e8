package loader

import "testing"

func TestSnippet(t *testing.T) {
	// A document that starts on line 3 of its file.
	text := "apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\nspec:\n  ports: [{port: 80}]"
	d := &Document{File: "a.yaml", StartLine: 3, text: text}
	// Columns count characters, not bytes.
	u := &Document{File: "u.yaml", StartLine: 1, text: "name: \"grüße\" # x"}
	if got, ok := u.Snippet(Range{Line: 1, Column: 7, EndLine: 1, EndColumn: 14}); !ok || got != "\"grüße\"" {
		t.Errorf("unicode snippet %q, %v", got, ok)
	}
	for _, c := range []struct {
		r    Range
		want string
		ok   bool
	}{
		{Range{Line: 3, Column: 1, EndLine: 3, EndColumn: 11}, "apiVersion", true},
		{Range{Line: 5, Column: 1, EndLine: 6, EndColumn: 13}, "metadata:\n  name: cart", true},
		{Range{Line: 8, Column: 3, EndLine: 8, EndColumn: 23}, "ports: [{port: 80}]", true},
		{Range{Line: 6, Column: 9, EndLine: 6, EndColumn: 99}, "cart", true}, // end clamped to the line
		{Range{Line: 2, Column: 1, EndLine: 3, EndColumn: 1}, "", false},     // before the document
		{Range{Line: 8, Column: 1, EndLine: 9, EndColumn: 1}, "", false},     // past its end
		{Range{Line: 3, Column: 1, EndLine: 40, EndColumn: 1}, "", false},    // too long
	} {
		got, ok := d.Snippet(c.r)
		if got != c.want || ok != c.ok {
			t.Errorf("Snippet(%+v) = %q, %v; want %q, %v", c.r, got, ok, c.want, c.ok)
		}
	}
	// Rendered documents are located in other files: no snippet.
	d.locate = func(d *Document, p string, r Range) (string, Range) { return "tpl.yaml", r }
	if _, ok := d.Snippet(Range{Line: 3, EndLine: 3}); ok {
		t.Error("a rendered document gave a snippet of its rendered text")
	}
}
