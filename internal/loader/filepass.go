package loader

import (
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/parallel"
)

// Placing findings is one pass per file: every field a run's findings (and
// their related locations) point at in one file is looked up while that
// file's documents are parsed, once, and nothing is kept afterwards. Asking
// each document on its own (Document.Position) re-read, re-split and
// re-parsed it for each finding and kept a map of every field alive until
// exit, which at thousands of findings was most of a run's time and memory
// (docs/performance.md). Later per-finding work that needs the YAML nodes
// (suggested fixes, code snippets) belongs in the same pass.

// Lookup asks where the field at Pointer of Doc is shown.
type Lookup struct {
	Doc     *Document
	Pointer string
}

// FilePass is one file's documents, parsed once, while the lookups about
// them are answered. It is valid only during the call EachFile makes.
type FilePass struct {
	// File is the display path the documents were read from.
	File string
	// Lookups are the indices, into the slice given to EachFile, of the
	// lookups about this file's documents, in the order they were given.
	Lookups []int
	docs    map[*Document]*parsedDoc
	chunks  []chunk // the file's documents as read for this pass; nil for texts held in memory
	raw     []byte  // the file's bytes as read for this pass
	read    bool
	source  *fileText
}

// parsedDoc is one document of a FilePass.
type parsedDoc struct {
	text   string
	fast   *blockScan // the fields of plain block YAML, read without yaml.v3; nil when scanBlock declined
	parsed bool       // root, pos and index are set: yaml.v3 has parsed text
	root   *yaml.Node // the document's top node; nil when the text does not parse
	pos    positionBuilder
	index  *PositionIndex // for documents too large to look up directly (tooLargeToWalk)
}

// EachFile answers lookups file by file: fn is called once per file that
// the lookups' documents were read from (or, for rendered and derived
// documents, per display path). The file is read and each document with a
// lookup parsed once, for fn; all of it is released after fn returns.
//
// Passes over different files read from disk share nothing, so they run
// on every core (parallel.ForEach), each reading its file when it first
// needs it: one pass's open and read overlap another's work, where one
// pass after the other left a core idle and waited for each read. fn must
// therefore be safe to call for different files at once, writing only
// what belongs to its own lookups. The other passes (rendered, derived and
// standard-input texts, whose positions go through line maps their
// renderer fills on first use) then run one at a time, in the order of
// their first lookup.
func EachFile(lookups []Lookup, fn func(p *FilePass)) {
	type key struct {
		source *fileText
		name   string
	}
	var order []key
	groups := map[key][]int{}
	for i, l := range lookups {
		k := key{source: l.Doc.file}
		if l.Doc.file == nil {
			k.name = l.Doc.File
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	pass := func(k key) *FilePass {
		idx := groups[k]
		return &FilePass{File: lookups[idx[0]].Doc.File, Lookups: idx, docs: map[*Document]*parsedDoc{}, source: k.source}
	}
	var files, texts []key
	for _, k := range order {
		if k.source != nil {
			files = append(files, k)
		} else {
			texts = append(texts, k)
		}
	}
	parallel.ForEach(len(files), func(i int) { fn(pass(files[i])) })
	for _, k := range texts {
		fn(pass(k))
	}
}

// Root is the parsed top node of d (the mapping of a manifest, the whole
// List for an item of one), or nil when its text does not parse.
func (p *FilePass) Root(d *Document) *yaml.Node { return p.parsed(d).root }

// Text is d's text as this pass read it (Document.Text).
func (p *FilePass) Text(d *Document) string { return p.doc(d).text }

// Position is d.Position(pointer), from this pass's parse.
func (p *FilePass) Position(d *Document, pointer string) (Range, bool) {
	pd := p.doc(d)
	pointer = d.filePointer(pointer)
	if pd.fast != nil {
		return pd.fast.lookup(pointer)
	}
	pd = p.parsed(d)
	if pd.index != nil {
		return pd.index.Lookup(pointer)
	}
	if pd.root == nil {
		return Range{d.StartLine, 1, d.StartLine, 1}, false
	}
	return pd.pos.lookup(pd.root, pointer)
}

// Locate is d.Locate(pointer), from this pass's parse.
func (p *FilePass) Locate(d *Document, pointer string) (string, Range) {
	r, _ := p.Position(d, pointer)
	if d.locate == nil {
		return d.File, r
	}
	return d.locate(d, pointer, r)
}

// Snippet is d.Snippet(r), from this pass's text.
func (p *FilePass) Snippet(d *Document, r Range) (string, bool) {
	return d.snippetOf(p.doc(d).text, r)
}

func (p *FilePass) doc(d *Document) *parsedDoc {
	if pd, ok := p.docs[d]; ok {
		return pd
	}
	pd := &parsedDoc{text: p.textOf(d)}
	p.docs[d] = pd
	pd.fast = scanBlock(pd.text, strings.Split(pd.text, "\n"), d.StartLine-1)
	return pd
}

// BlockNodes is loader.BlockNodes of a document of the pass's file (its
// text and first line as a suggested fix splits the file's bytes), from the
// scan the pass made of it for its positions when it is the text of one
// (a file with CRLF or a byte order mark is not: its documents' texts here
// are normalized, and the scan declines it anyway).
func (p *FilePass) BlockNodes(text string, lineOffset int) (top *yaml.Node, line int) {
	for d, pd := range p.docs {
		if pd.fast != nil && d.StartLine-1 == lineOffset && pd.text == text {
			return pd.fast.nodes()
		}
	}
	return BlockNodes(text, lineOffset)
}

// parsed is d's document of this pass parsed by yaml.v3, for its nodes
// (Root) or where scanBlock declined.
func (p *FilePass) parsed(d *Document) *parsedDoc {
	pd := p.doc(d)
	if pd.parsed {
		return pd
	}
	pd.parsed = true
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(pd.text), &root); err != nil || root.Kind == 0 {
		return pd
	}
	lines := strings.Split(pd.text, "\n")
	if tooLargeToWalk(&root) {
		pd.index = buildPositions(&root, lines, d.StartLine-1)
		return pd
	}
	pd.root = &root
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		pd.root = root.Content[0]
	}
	pd.pos = positionBuilder{lines: lines, offset: d.StartLine - 1}
	return pd
}

// textOf is Document.Text, reading a released document's file once for the
// whole pass instead of keeping its documents for the rest of the run.
func (p *FilePass) textOf(d *Document) string {
	if !d.released || d.file != p.source {
		return d.Text()
	}
	p.readFile()
	if d.Index < 0 || d.Index >= len(p.chunks) {
		return ""
	}
	return p.chunks[d.Index].text
}

func (p *FilePass) readFile() {
	if !p.read {
		p.read = true
		p.raw, p.chunks = p.source.loadBytes()
	}
}

// Bytes is the file's content exactly as this pass read it (line endings
// and byte order mark kept), for edits of the file (suggested fixes); nil
// when the pass is not over a file (rendered and derived documents,
// standard input) or the file changed since it was linted. They are not
// to be written: the pass's documents share their memory.
func (p *FilePass) Bytes() []byte {
	if p.source == nil {
		return nil
	}
	p.readFile()
	return p.raw
}

// walkBudget is buildPositions' bound on the nodes it walks.
const walkBudget = 1 << 20

// tooLargeToWalk reports whether buildPositions would stop short of the
// end of the document (over walkBudget nodes), so that looking a pointer up
// directly could find a field that it leaves out.
func tooLargeToWalk(root *yaml.Node) bool {
	n := 0
	var count func(*yaml.Node, int) bool
	count = func(x *yaml.Node, depth int) bool {
		n++
		if n > walkBudget {
			return false
		}
		if depth > 1000 {
			return true
		}
		switch x.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(x.Content); i += 2 {
				if !count(x.Content[i+1], depth+1) {
					return false
				}
			}
		case yaml.SequenceNode:
			for _, item := range x.Content {
				if !count(item, depth+1) {
					return false
				}
			}
		}
		return true
	}
	top := root
	if top.Kind == yaml.DocumentNode && len(top.Content) > 0 {
		top = top.Content[0]
	}
	return !count(top, 0)
}

// lookup is PositionIndex.Lookup over the index buildPositions would make
// of the document whose top node is top, without making it: the pointer's
// tokens are followed down the tree, and when it is not there, its parent's.
func (b *positionBuilder) lookup(top *yaml.Node, pointer string) (Range, bool) {
	exact := true
	for {
		if pointer == "" {
			el, ec := b.end(top)
			return b.span(top.Line, top.Column, el, ec), exact
		}
		if pointer[0] == '/' {
			if r, ok := b.find(top, pointer, 0); ok {
				return r, exact
			}
		}
		exact = false
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			pointer = "" // not a pointer: the document
			continue
		}
		pointer = pointer[:i]
	}
}

// find is the span buildPositions gives rest (a pointer below n, starting
// with "/"). Where keys repeat, the index holds the last field walked with
// that pointer, so the keys are tried from the last.
func (b *positionBuilder) find(n *yaml.Node, rest string, depth int) (Range, bool) {
	if depth > 1000 {
		return Range{}, false // buildPositions stops there
	}
	tok, next := rest[1:], ""
	if i := strings.IndexByte(tok, '/'); i >= 0 {
		tok, next = tok[:i], tok[i:]
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := len(n.Content)&^1 - 2; i >= 0; i -= 2 {
			k, v := n.Content[i], n.Content[i+1]
			if EscapePointerToken(keyText(k)) != tok {
				continue
			}
			if next == "" {
				el, ec := b.end(v)
				return b.span(k.Line, k.Column, el, ec), true
			}
			if r, ok := b.find(v, next, depth+1); ok {
				return r, true
			}
		}
	case yaml.SequenceNode:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(n.Content) || strconv.Itoa(i) != tok {
			return Range{}, false
		}
		item := n.Content[i]
		if next == "" {
			el, ec := b.end(item)
			return b.span(item.Line, item.Column, el, ec), true
		}
		return b.find(item, next, depth+1)
	}
	return Range{}, false
}
