package loader

import (
	"bytes"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/finding"
)

// SourceMap ties a derived object to the file it was read from: the object
// is not written in the file (a custom resource that a Helm values file
// configures), so its JSON pointers have to be translated into pointers of
// the file before they can be located.
type SourceMap interface {
	// FilePointer is the pointer within the file that holds the object's
	// field at pointer. The field need not exist in the file: Position falls
	// back to its nearest existing parent.
	FilePointer(pointer string) string
	// Describe names the field at pointer for messages, in the file's own
	// terms (e.g. "server.spec.volumes[0]").
	Describe(pointer string) string
}

// LayeredSource is the SourceMap of an object read from several files laid
// over each other, as Helm lays the values files given with -f: each field
// is found in the file that set it last, not in the one file the Document
// names.
type LayeredSource interface {
	SourceMap
	// Locate is the file holding the field at pointer (or its nearest
	// parent) and the field's span there.
	Locate(pointer string) (file string, r Range)
	// Files are the display paths of the layered files, in order.
	Files() []string
}

// Derived makes a Document for an object that meshlint derives from a file
// that is not a manifest. text is the file's text (LF line endings), obj the
// derived object; m maps the object's pointers into the file. When m is a
// LayeredSource, file and text are one of its files and Locate asks m.
func Derived(file, text, apiVersion, kind, name, namespace string, obj map[string]any, m SourceMap) *Document {
	d := &Document{File: file, Item: -1, StartLine: 1, APIVersion: apiVersion, Kind: kind, Name: name,
		Namespace: namespace, Object: obj, text: text, source: m}
	if l, ok := m.(LayeredSource); ok {
		d.locate = func(_ *Document, pointer string, _ Range) (string, Range) { return l.Locate(pointer) }
	}
	return d
}

// SourceFiles are the files the document was read from: the files of a
// LayeredSource, else its own file.
func (d *Document) SourceFiles() []string {
	if l, ok := d.source.(LayeredSource); ok {
		return l.Files()
	}
	return []string{d.File}
}

// IsDerived reports whether the document was derived from a non-manifest
// file rather than read from a manifest.
func (d *Document) IsDerived() bool { return d.source != nil }

// Describe names the field at pointer in the terms of the file the document
// was derived from; "" for a document read from a manifest.
func (d *Document) Describe(pointer string) string {
	if d.source == nil {
		return ""
	}
	return d.source.Describe(pointer)
}

// FilePointer is the pointer within the document's file of the object's
// field at pointer (a values key for a derived object), for fixes that edit
// the file.
func (d *Document) FilePointer(pointer string) string { return d.filePointer(pointer) }

// filePointer maps a pointer of the object to a pointer of the file.
func (d *Document) filePointer(pointer string) string {
	if d.source == nil {
		return d.Prefix + pointer
	}
	return d.source.FilePointer(pointer)
}

// ReadYAMLValues decodes a YAML file that is not a manifest, such as a Helm
// values file, into the value types manifests decode to (map[string]any,
// []any, string, int64, float64, bool, nil), under the same limits. Only
// the first YAML document is read, as Helm does. It returns the root
// mapping (nil for an empty file), the text positions refer to, and a
// Problem when the file cannot be read as YAML.
func ReadYAMLValues(display string, data []byte, limits Limits) (map[string]any, string, *finding.Problem) {
	if limits == (Limits{}) {
		limits = DefaultLimits
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := NormalizeLineEndings(string(data))
	problem := func(line, col int, msg string) *finding.Problem {
		return &finding.Problem{File: display, Line: line, Column: col, EndLine: line, EndColumn: lineLen(text, line) + 1, Message: msg}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, text, problem(1, 1, "file contains NUL bytes: it is binary, not YAML")
	}
	if !utf8Valid(text) {
		line, col := firstInvalidUTF8(text)
		return nil, text, problem(line, col, "file is not valid UTF-8")
	}
	if int64(len(data)) > limits.MaxFileBytes {
		return nil, text, problem(1, 1, "file is larger than the --max-file-size limit")
	}
	var root yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&root); err != nil {
		if err.Error() == "EOF" {
			return nil, text, nil
		}
		msg, line := yamlErrorAt(err, strings.Split(text, "\n"), 0)
		return nil, text, problem(line, 1, "invalid YAML: "+msg)
	}
	v, err := newConverter(limits).convert(&root, 0)
	if err != nil {
		if ve, ok := err.(*ValueError); ok {
			return nil, text, problem(ve.Line, ve.Column, ve.Message)
		}
		return nil, text, problem(1, 1, err.Error())
	}
	if v == nil {
		return nil, text, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, text, problem(root.Line, root.Column, "file is not a YAML mapping")
	}
	return m, text, nil
}
