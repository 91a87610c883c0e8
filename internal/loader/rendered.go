package loader

import (
	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/k8s"

	"bytes"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// This file is the loader's side of rendering (internal/render): it finds
// Helm charts and Kustomize roots during the walk, and turns rendered text
// into Documents whose findings point at the files users edit. The loader
// itself never renders, so it does not depend on Helm or Kustomize.

// RootKind is what kind of renderable directory a Root is.
type RootKind string

// Kinds of Root.
const (
	HelmChart     RootKind = "helm"
	KustomizeRoot RootKind = "kustomize"
)

// Root is a Helm chart or Kustomize root found by the walk. The walk does not
// read the plain files under it: they are linted through its rendering.
type Root struct {
	Dir     string // filesystem path
	Display string // relative to the working directory, forward slashes
	Kind    RootKind
	File    string // display path of its Chart.yaml or kustomization file
}

// kustomizationFiles are the names kustomize reads, in its order.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// rootAt reports whether dir is a Helm chart (it holds Chart.yaml) or a
// Kustomize root (it holds a kustomization file). A chart wins when a
// directory holds both, as Helm charts sometimes carry a kustomization for
// post-rendering.
func rootAt(dir, workDir string) (Root, bool) {
	if isRegular(filepath.Join(dir, "Chart.yaml")) {
		return Root{Dir: dir, Display: DisplayPath(dir, workDir), Kind: HelmChart,
			File: DisplayPath(filepath.Join(dir, "Chart.yaml"), workDir)}, true
	}
	for _, name := range kustomizationFiles {
		if isRegular(filepath.Join(dir, name)) {
			return Root{Dir: dir, Display: DisplayPath(dir, workDir), Kind: KustomizeRoot,
				File: DisplayPath(filepath.Join(dir, name), workDir)}, true
		}
	}
	return Root{}, false
}

// rootFile reports whether a path the user typed is a chart's Chart.yaml or a
// kustomization file, which stands for its directory.
func rootFile(p, workDir string) (Root, bool) {
	base := filepath.Base(p)
	if base != "Chart.yaml" && base != "kustomization.yaml" && base != "kustomization.yml" && base != "Kustomization" {
		return Root{}, false
	}
	return rootAt(filepath.Dir(p), workDir)
}

func isRegular(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// Rendered is the rendered text of one source file (one Helm template, one
// Kustomize resource) to be parsed into Documents.
type Rendered struct {
	File string // display path of the source file: Document.File
	Text string
	// Origin is appended to the messages of findings on these documents,
	// e.g. "rendered from Helm chart charts/shop (release shop)".
	Origin string
	// Namespace is given to objects that have no metadata.namespace (the
	// Helm release namespace); "" leaves them to --namespace.
	Namespace string
	// Locate maps a span in Text to the span in the files users edit, for a
	// JSON pointer within the document d. Nil means the span in Text is a
	// span in File.
	Locate func(d *Document, pointer string, r Range) (file string, out Range)
	// Line maps a line of Text to a line of File, for problems found while
	// parsing the text. Nil means the identity.
	Line func(line int) int
	// TemplateLine, for a Helm template's output, maps a line of Text to
	// the template line that wrote it (the line map Locate uses); nil for
	// other renderings. Fixes use it to reach a literal template line.
	TemplateLine func(line int) int
}

// ParseRendered parses rendered text, decoding the objects of kinds (nil:
// all). Problems (the rendered text is not valid YAML, an object without a
// name) are located with r.Line.
func ParseRendered(r Rendered, limits Limits, kinds Kinds) ([]*Document, []finding.Problem) {
	if limits == (Limits{}) {
		limits = DefaultLimits
	}
	if int64(len(r.Text)) > limits.MaxFileBytes {
		return nil, []finding.Problem{{File: r.File, Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
			Message: "rendered output is larger than the --max-file-size limit"}}
	}
	pf := parseFile(r.File, []byte(r.Text), limits, kinds, nil, false)
	for i := range pf.problems {
		p := &pf.problems[i]
		if r.Line != nil {
			p.Line, p.EndLine = r.Line(p.Line), r.Line(p.EndLine)
			if p.EndLine < p.Line {
				p.EndLine = p.Line
			}
		}
		if r.Origin != "" {
			p.Message += " (" + r.Origin + ")"
		}
	}
	for _, d := range pf.docs {
		d.Origin = r.Origin
		d.locate = r.Locate
		d.templateLine = r.TemplateLine
		if d.Namespace == "" && r.Namespace != "" && !k8s.ClusterScoped(d.Kind) {
			d.Namespace = r.Namespace
		}
	}
	return pf.docs, pf.problems
}

// Locate is where a finding about pointer within d is shown: the file and
// span users edit. For plain files that is d.File and d.Position; rendered
// documents map their rendered position back to the template or base file.
func (d *Document) Locate(pointer string) (string, Range) {
	r, _ := d.Position(pointer)
	if d.locate == nil {
		return d.File, r
	}
	return d.locate(d, pointer, r)
}

// TemplateLine is the line of the Helm template that wrote line n of the
// rendered text (the text the document's StartLine counts in); false when
// the document is not a Helm template's output with a line map.
func (d *Document) TemplateLine(n int) (int, bool) {
	if d.templateLine == nil {
		return 0, false
	}
	return d.templateLine(n), true
}

// ReleaseObject drops the decoded object of a document read from a file,
// once the caller has read what it needs: at platform scale the decoded
// objects are the largest thing in memory, and keeping them through rule
// evaluation would double the peak. Decode still works afterwards, from the
// text. Rendered and derived documents keep theirs: locating a finding in
// them reads the object, and there are few of them.
func (d *Document) ReleaseObject() {
	if d.Object != nil && d.locate == nil && d.source == nil && (d.text != "" || d.file != nil) {
		d.Object, d.dropped = nil, true
	}
}

// ObjectReleased reports whether ReleaseObject dropped the decoded object:
// a caller that needs it again reads the file again (or Decode).
func (d *Document) ObjectReleased() bool { return d.dropped }

// Decode returns the object, decoding it from the text when the loader did
// not keep it (kinds no rule reads, such as ConfigMap and HelmRelease),
// kept only some of its fields (Options.Fields) or released it.
func (d *Document) Decode() (map[string]any, bool) {
	if d.Object != nil && !d.partial {
		return d.Object, true
	}
	var v any
	if err := yaml.Unmarshal([]byte(d.Text()), &v); err != nil {
		return nil, false
	}
	if d.Prefix != "" {
		for _, tok := range strings.Split(strings.TrimPrefix(d.Prefix, "/"), "/") {
			switch c := v.(type) {
			case map[string]any:
				v = c[tok]
			case []any:
				i := 0
				for _, ch := range tok {
					i = i*10 + int(ch-'0')
				}
				if i >= len(c) {
					return nil, false
				}
				v = c[i]
			default:
				return nil, false
			}
		}
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// SourceDocument is one YAML document of a source file (a Kustomize base or
// patch, a HelmRelease) indexed for positions, so that a rendered object's
// fields can be pointed at where they were written.
type SourceDocument struct {
	Value any // decoded: map[string]any, []any, string, int, float64, bool, nil
	index *PositionIndex
	col   int // added to columns: the indentation of an inline block scalar
}

// Lookup is the span of pointer in the source file, or of its nearest
// existing parent; exact reports whether pointer itself exists.
func (s *SourceDocument) Lookup(pointer string) (Range, bool) {
	r, exact := s.index.Lookup(pointer)
	if s.col != 0 {
		r.Column += s.col
		r.EndColumn += s.col
	}
	return r, exact
}

// ParseSource indexes the YAML documents of a source file. firstLine is the
// file line of the text's first line and column the columns to add (both
// matter for text embedded in another file, such as an inline patch); a
// plain file has firstLine 1 and column 0. Documents that are not valid
// YAML are left out.
func ParseSource(text string, firstLine, column int) []*SourceDocument {
	text = NormalizeLineEndings(strings.TrimPrefix(text, "\ufeff"))
	var out []*SourceDocument
	for _, c := range splitDocuments(text) {
		if strings.TrimSpace(stripComments(c.text)) == "" {
			continue
		}
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(c.text), &root); err != nil || root.Kind == 0 {
			continue
		}
		var v any
		if err := root.Decode(&v); err != nil {
			continue
		}
		lines := strings.Split(c.text, "\n")
		out = append(out, &SourceDocument{Value: v, index: buildPositions(&root, lines, c.startLine-1+firstLine-1), col: column})
	}
	return out
}

// ReadSource reads and indexes a source file inside root.
func ReadSource(root *confine.Root, path string, limits Limits) ([]*SourceDocument, error) {
	if limits == (Limits{}) {
		limits = DefaultLimits
	}
	data, err := root.ReadFile(path, limits.MaxFileBytes, "--max-file-size")
	if err != nil {
		return nil, err
	}
	return ParseSource(string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), 1, 0), nil
}
