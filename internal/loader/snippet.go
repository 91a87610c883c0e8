package loader

import (
	"strings"
	"unicode/utf8"
)

// maxSnippetLines bounds a code snippet: a finding on a whole object (say, a
// 300-line Deployment) shows its place, not a copy of the file.
const maxSnippetLines = 20

// Snippet is the text of region r of the file d was read from (columns
// count characters; the end column is exclusive), for SARIF's region
// snippets. It reads the document's own text,
// read again from its file when it was released (FilePass.Snippet reads
// it once per file for all findings). ok is
// false for rendered and derived documents, whose positions are in other
// files (templates, values files), for regions outside the document, and
// for regions over maxSnippetLines.
func (d *Document) Snippet(r Range) (string, bool) {
	if d.locate != nil || d.source != nil || r.Line < d.StartLine || r.EndLine < r.Line || r.EndLine-r.Line >= maxSnippetLines {
		return "", false
	}
	return d.snippetOf(d.Text(), r)
}

// snippetOf is Snippet over text, the document's text.
func (d *Document) snippetOf(text string, r Range) (string, bool) {
	if d.locate != nil || d.source != nil || r.Line < d.StartLine || r.EndLine < r.Line || r.EndLine-r.Line >= maxSnippetLines {
		return "", false
	}
	// Skip to the first line of the region.
	for skip := r.Line - d.StartLine; skip > 0; skip-- {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return "", false
		}
		text = text[i+1:]
	}
	end := 0
	for n := r.EndLine - r.Line; ; n-- {
		i := strings.IndexByte(text[end:], '\n')
		if i < 0 {
			if n > 0 {
				return "", false
			}
			end = len(text)
			break
		}
		if n == 0 {
			end += i
			break
		}
		end += i + 1
	}
	s := cutColumns(text[:end], r)
	if strings.TrimSpace(s) == "" {
		return "", false
	}
	return s, true
}

// cutColumns trims the region's lines to its columns: the first line from
// r.Column, the last up to r.EndColumn (exclusive), both clamped to the line.
func cutColumns(lines string, r Range) string {
	last := strings.LastIndexByte(lines, '\n') + 1 // start of the last line
	if r.EndColumn > 0 {
		lines = lines[:last+byteOffset(lines[last:], r.EndColumn-1)]
	}
	return lines[byteOffset(lines, r.Column-1):]
}

// byteOffset is the byte offset of the n-th character of s's first line,
// or the line's end.
func byteOffset(s string, n int) int {
	off := 0
	for ; n > 0 && off < len(s) && s[off] != '\n'; n-- {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off
}
