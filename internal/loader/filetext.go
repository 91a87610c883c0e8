package loader

import (
	"github.com/meshlint/meshlint/internal/confine"

	"bytes"
	"hash/maphash"
	"strings"
	"sync"
	"unsafe"
)

// With Options.ReleaseTexts, a document read from a file keeps no text: the
// texts of a platform repository are tens of MB, and a few hundred
// documents at most are ever asked where a field is. Text, Position and
// Decode read the file again when asked, and check that it is the file
// that was linted.

// fileText reads a file's documents again, once, for all its documents.
type fileText struct {
	path string        // as opened when it was read
	sum  uint64        // of the normalized text read then
	root *confine.Root // the run's confinement, as when the file was first read
	max  int64         // Limits.MaxFileBytes: a file grown past it is not the one linted

	once   sync.Once
	chunks []chunk // nil when the file is gone or has changed
}

var textSeed = maphash.MakeSeed()

func newFileText(root *confine.Root, path, text string, max int64) *fileText {
	return &fileText{root: root, path: path, sum: maphash.String(textSeed, text), max: max}
}

// chunk is the text of the file's document at index, as splitDocuments
// cut it when the file was read; ok is false when the file can no longer
// be read or no longer holds that text.
func (f *fileText) chunk(index int) (string, bool) {
	f.once.Do(func() { f.chunks = f.load() })
	if index < 0 || index >= len(f.chunks) {
		return "", false
	}
	return f.chunks[index].text, true
}

// load reads the file's documents again; nil when the file can no longer
// be read or no longer holds the text that was linted.
func (f *fileText) load() []chunk {
	_, chunks := f.loadBytes()
	return chunks
}

// loadBytes is load, with the file's bytes as read (line endings and byte
// order mark kept); both nil when load's would be.
func (f *fileText) loadBytes() ([]byte, []chunk) {
	data, err := f.root.ReadFile(f.path, f.max, "--max-file-size")
	if err != nil || int64(len(data)) > f.max {
		return nil, nil
	}
	// the documents share data's memory: the pass reads it, no one writes it
	text := normalizeOwnedText(data)
	if maphash.String(textSeed, text) != f.sum {
		return nil, nil
	}
	return data, splitDocuments(text)
}

// normalizeText is a file's text as meshlint reads it: without a byte
// order mark, and with every line ending as LF (NormalizeLineEndings).
func normalizeText(data []byte) string {
	return NormalizeLineEndings(string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
}

// normalizeOwnedText is normalizeText of bytes no one writes to again (a
// file just read, for parseFile): the text shares their memory instead of
// copying them. Each file's text was copied once more than it was read, 29
// MB at 10,000 apps; what the documents keep of it is detached anyway.
func normalizeOwnedText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) == 0 {
		return ""
	}
	return NormalizeLineEndings(unsafe.String(&data[0], len(data)))
}

// NormalizeLineEndings writes every line ending (CRLF, LF, a lone CR) as LF,
// the way YAML and editors count lines, so that line numbers of one file
// agree wherever they are computed.
func NormalizeLineEndings(text string) string {
	return strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
}

// releaseText drops the text of a document that can read it again.
func (d *Document) releaseText() {
	if d.file != nil {
		d.text, d.released = "", true
	}
}

// Text is the YAML text of the document (for an item of a List, of the whole
// List), as rendered or read. It is "" when the document's text was released
// and its file has changed or gone since.
func (d *Document) Text() string {
	if !d.released {
		return d.text
	}
	t, _ := d.file.chunk(d.Index)
	return t
}
