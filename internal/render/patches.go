package render

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/loader"
)

// A finding on a rendered object points at the file that wrote the
// offending field. When a Kustomize patch (or a Flux post-renderer patch)
// wrote it, that is the patch: the field's value in the patch equals its
// value in the built object. Otherwise it is the base file or template the
// object came from. Patches are matched by value rather than by replaying
// them, so a patch that wrote a value a later transformer changed is not
// blamed for it.

// lookupFunc locates a JSON pointer within a patch document or value.
type lookupFunc func(pointer string) (file string, r loader.Range)

// patchDoc is one strategic-merge patch document.
type patchDoc struct {
	value  any
	lookup lookupFunc
}

// patchOp is one JSON 6902 operation.
type patchOp struct {
	op, path string
	value    any
	hasValue bool
	lookup   lookupFunc // within the op's value
}

// selector is a kustomize patch target.
type selector struct {
	group, version, kind, name, namespace, labels, annotations string
}

// patchSource is one patch entry of a kustomization or post-renderer.
type patchSource struct {
	target *selector // nil: each strategic-merge document names its target
	docs   []patchDoc
	ops    []patchOp
}

// applies reports whether the patch targets obj, and for strategic-merge
// patches without a target, which of its documents do.
func (p *patchSource) applies(obj map[string]any) bool {
	if p.target != nil {
		return p.target.matches(obj)
	}
	for _, d := range p.docs {
		if sameObject(d.value, obj) {
			return true
		}
	}
	return false
}

// writes reports where the patch wrote the field at pointer of obj (or the
// nearest existing parent of it), if it did.
func (p *patchSource) writes(obj map[string]any, pointer string) (string, loader.Range, bool) {
	q := existingPrefix(obj, pointer)
	for a := q; a != ""; a = parentPointer(a) {
		want, _ := valueAt(obj, a)
		for i := len(p.ops) - 1; i >= 0; i-- {
			op := p.ops[i]
			if !op.hasValue || (op.op != "add" && op.op != "replace") || (a != op.path && !strings.HasPrefix(a, op.path+"/")) {
				continue
			}
			sub := a[len(op.path):]
			if v, ok := valueAt(op.value, sub); ok && equalValues(v, want) {
				f, r := op.lookup(sub)
				return f, r, true
			}
		}
		for i := len(p.docs) - 1; i >= 0; i-- {
			d := p.docs[i]
			if p.target == nil && !sameObject(d.value, obj) {
				continue
			}
			if v, ok := valueAt(d.value, a); ok && equalValues(v, want) && a != "/metadata/name" && a != "/kind" && a != "/apiVersion" {
				f, r := d.lookup(a)
				return f, r, true
			}
		}
	}
	return "", loader.Range{}, false
}

// sameObject reports whether a strategic-merge patch names obj: same kind
// and name (a name prefix or suffix added later is allowed).
func sameObject(patch any, obj map[string]any) bool {
	pm, ok := patch.(map[string]any)
	if !ok {
		return false
	}
	kind, _ := pm["kind"].(string)
	name, _ := dig(pm, "metadata", "name").(string)
	okind, _ := obj["kind"].(string)
	oname, _ := dig(obj, "metadata", "name").(string)
	return kind != "" && kind == okind && name != "" && strings.Contains(oname, name)
}

func (s *selector) matches(obj map[string]any) bool {
	kind, _ := obj["kind"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	group, version := "", apiVersion
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		group, version = apiVersion[:i], apiVersion[i+1:]
	}
	name, _ := dig(obj, "metadata", "name").(string)
	ns, _ := dig(obj, "metadata", "namespace").(string)
	switch {
	case s.kind != "" && s.kind != kind, s.group != "" && s.group != group, s.version != "" && s.version != version:
		return false
	case s.namespace != "" && ns != "" && s.namespace != ns:
		return false
	case s.name != "" && !nameMatches(s.name, name):
		return false
	}
	labels, _ := dig(obj, "metadata", "labels").(map[string]any)
	annotations, _ := dig(obj, "metadata", "annotations").(map[string]any)
	return selectorMatches(s.labels, labels) && selectorMatches(s.annotations, annotations)
}

// nameMatches: kustomize reads a target name as an anchored regular
// expression; a name prefix or suffix added by an outer kustomization is
// allowed.
func nameMatches(pattern, name string) bool {
	if strings.Contains(name, pattern) {
		return true
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	return err == nil && re.MatchString(name)
}

// selectorMatches evaluates the equality-based requirements of a label
// selector ("a=b,c!=d,e,!f"); set-based ones ("a in (b)") are taken as met.
func selectorMatches(sel string, labels map[string]any) bool {
	if strings.TrimSpace(sel) == "" {
		return true
	}
	depth := 0
	start := 0
	var reqs []string
	for i, c := range sel {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				reqs = append(reqs, sel[start:i])
				start = i + 1
			}
		}
	}
	reqs = append(reqs, sel[start:])
	for _, r := range reqs {
		r = strings.TrimSpace(r)
		switch {
		case strings.Contains(r, " in ") || strings.Contains(r, " notin "):
			continue
		case strings.Contains(r, "!="):
			k, v, _ := strings.Cut(r, "!=")
			if got, ok := labels[strings.TrimSpace(k)].(string); ok && got == strings.TrimSpace(v) {
				return false
			}
		case strings.Contains(r, "="):
			k, v, _ := strings.Cut(r, "=")
			v = strings.TrimPrefix(v, "=")
			if got, _ := labels[strings.TrimSpace(k)].(string); got != strings.TrimSpace(v) {
				return false
			}
		case strings.HasPrefix(r, "!"):
			if _, ok := labels[strings.TrimSpace(r[1:])]; ok {
				return false
			}
		case r != "":
			if _, ok := labels[r]; !ok {
				return false
			}
		}
	}
	return true
}

func selectorFrom(v any) *selector {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	s := func(k string) string { x, _ := m[k].(string); return x }
	return &selector{group: s("group"), version: s("version"), kind: s("kind"), name: s("name"), namespace: s("namespace"),
		labels: s("labelSelector"), annotations: s("annotationSelector")}
}

// container is a file that holds patches inline (a kustomization, a
// HelmRelease): how to locate a pointer within it, and its text.
type container struct {
	locate func(pointer string) (string, loader.Range)
	x      *expander
}

var blockScalar = regexp.MustCompile(`[|>][-+0-9]*\s*(#.*)?$`)

// inline parses patch text held in a string field of the container. When
// the string is a block scalar ("patch: |"), positions inside it are exact;
// otherwise every field of the patch is located at the string itself.
func (c container) inline(pointer, text string) []patchDoc {
	file, at := c.locate(pointer)
	var docs []*loader.SourceDocument
	exact := false
	if lines := strings.Split(c.x.fileText(file), "\n"); at.Line >= 1 && at.Line <= len(lines) && blockScalar.MatchString(lines[at.Line-1]) {
		indent := 0
		for k := at.Line; k < len(lines); k++ {
			if strings.TrimSpace(lines[k]) != "" {
				indent = len(lines[k]) - len(strings.TrimLeft(lines[k], " "))
				break
			}
		}
		docs = loader.ParseSource(text, at.Line+1, indent)
		exact = true
	} else {
		docs = loader.ParseSource(text, 1, 0)
	}
	out := make([]patchDoc, 0, len(docs))
	for _, d := range docs {
		d := d
		lookup := func(string) (string, loader.Range) { return file, at }
		if exact {
			lookup = func(p string) (string, loader.Range) { r, _ := d.Lookup(p); return file, r }
		}
		out = append(out, patchDoc{value: d.Value, lookup: lookup})
	}
	return out
}

// field locates a value embedded as YAML in the container (not as a string).
func (c container) field(pointer string, v any) patchDoc {
	return patchDoc{value: v, lookup: func(p string) (string, loader.Range) { return c.locate(pointer + p) }}
}

// patchFile reads a patch file.
func (x *expander) patchFile(path string) []patchDoc {
	docs, err := loader.ReadSource(x.opts.Root, path, x.opts.Limits)
	if err != nil {
		return nil
	}
	file := x.display(path)
	out := make([]patchDoc, 0, len(docs))
	for _, d := range docs {
		d := d
		out = append(out, patchDoc{value: d.Value, lookup: func(p string) (string, loader.Range) { r, _ := d.Lookup(p); return file, r }})
	}
	return out
}

// newPatch classifies patch documents: a list is a JSON 6902 patch, mappings
// are strategic-merge patches.
func newPatch(target *selector, docs []patchDoc) *patchSource {
	p := &patchSource{target: target}
	if len(docs) == 1 {
		if ops, ok := docs[0].value.([]any); ok {
			for i, o := range ops {
				m, ok := o.(map[string]any)
				if !ok {
					continue
				}
				op, _ := m["op"].(string)
				path, _ := m["path"].(string)
				v, has := m["value"]
				base := "/" + strconv.Itoa(i) + "/value"
				lookup := docs[0].lookup
				p.ops = append(p.ops, patchOp{op: op, path: path, value: v, hasValue: has,
					lookup: func(sub string) (string, loader.Range) { return lookup(base + sub) }})
			}
			return p
		}
	}
	for _, d := range docs {
		if _, ok := d.value.(map[string]any); ok {
			p.docs = append(p.docs, d)
		}
	}
	return p
}

// kustomizationPatches lists the patches of a kustomization: patches,
// patchesStrategicMerge and patchesJson6902, from files or inline.
func (x *expander) kustomizationPatches(dir string, k map[string]any, c container) []*patchSource {
	var out []*patchSource
	fromEntry := func(pointer string, target *selector, pathV, patchV any) {
		if p, ok := pathV.(string); ok && p != "" {
			out = append(out, newPatch(target, x.patchFile(filepath.Join(dir, filepath.FromSlash(p)))))
			return
		}
		if s, ok := patchV.(string); ok && s != "" {
			out = append(out, newPatch(target, c.inline(pointer+"/patch", s)))
		}
	}
	for i, e := range list(k["patches"]) {
		m, _ := e.(map[string]any)
		fromEntry("/patches/"+strconv.Itoa(i), selectorFrom(m["target"]), m["path"], m["patch"])
	}
	for i, e := range list(k["patchesJson6902"]) {
		m, _ := e.(map[string]any)
		fromEntry("/patchesJson6902/"+strconv.Itoa(i), selectorFrom(m["target"]), m["path"], m["patch"])
	}
	for i, e := range list(k["patchesStrategicMerge"]) {
		s, _ := e.(string)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "\n") {
			if p := filepath.Join(dir, filepath.FromSlash(strings.TrimSpace(s))); x.opts.Root.IsFile(p) {
				out = append(out, newPatch(nil, x.patchFile(p)))
				continue
			}
		}
		out = append(out, newPatch(nil, c.inline("/patchesStrategicMerge/"+strconv.Itoa(i), s)))
	}
	return out
}

// patchFiles lists the patch files a kustomization reads.
func (x *expander) patchFiles(dir string, k map[string]any) []string {
	var out []string
	for _, key := range []string{"patches", "patchesJson6902"} {
		for _, e := range list(k[key]) {
			m, _ := e.(map[string]any)
			if p, ok := m["path"].(string); ok && p != "" {
				out = append(out, filepath.Join(dir, filepath.FromSlash(p)))
			}
		}
	}
	for _, e := range list(k["patchesStrategicMerge"]) {
		if s, ok := e.(string); ok && !strings.Contains(s, "\n") {
			if p := filepath.Join(dir, filepath.FromSlash(strings.TrimSpace(s))); x.opts.Root.IsFile(p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// dig is loader.Dig under the short name this package reads.
func dig(v any, keys ...string) any { return loader.Dig(v, keys...) }

// valueAt resolves a JSON pointer ("" is v itself).
func valueAt(v any, pointer string) (any, bool) {
	if pointer == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[tok]
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// existingPrefix is the longest prefix of pointer that exists in v.
func existingPrefix(v any, pointer string) string {
	for p := pointer; p != ""; p = parentPointer(p) {
		if _, ok := valueAt(v, p); ok {
			return p
		}
	}
	return ""
}

func parentPointer(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return ""
}

// equalValues compares decoded YAML values; numbers compare by value
// whatever their Go type.
func equalValues(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	case int32:
		return float64(n), true
	}
	return 0, false
}
