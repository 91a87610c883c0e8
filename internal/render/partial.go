package render

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/kyaml/resid"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// A Kustomize root whose guard left something out (a remote base, most
// often) is built from its local part. A strategic-merge patch written
// for an object of the remote base then matches nothing, and Kustomize
// fails the whole build on it; meshlint leaves such a patch out too, with
// a render-skipped note at its entry, and builds again. A root with
// nothing left out keeps Kustomize's error: there, a patch that matches
// nothing is a mistake.

// maxPatchDrops bounds the rebuilds of one root.
const maxPatchDrops = 64

// IncompleteBuild is the loader.Document Incomplete text of the objects of
// a root built without some of its entries.
const IncompleteBuild = "built by a Kustomize root that left out entries meshlint does not read (a remote base, say)"

var (
	unmatchedPatch  = regexp.MustCompile(`failed to find unique target for patch ([^\s"';]+)`)
	accumulatedPath = regexp.MustCompile(`accumulation of path '([^']+)'`)
)

// patchKey names entry index of field (lower case) in a kustomization
// file, as the build reads it.
func patchKey(file, field string, index int) string {
	return file + "\x00" + strings.ToLower(field) + "\x00" + strconv.Itoa(index)
}

// dropUnmatchedPatch leaves out the patch a failed build of a partial root
// could not match, with a note, and reports whether there was one: the
// patch of the innermost kustomization the error names (or any served
// kustomization) whose object is the one Kustomize did not find.
func (f *buildFS) dropUnmatchedPatch(buildErr error) bool {
	msg := buildErr.Error()
	m := unmatchedPatch.FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	id := resid.FromString(m[1])
	var files []string
	if paths := accumulatedPath.FindAllStringSubmatch(msg, -1); len(paths) > 0 {
		inner := paths[len(paths)-1][1]
		for _, k := range f.served {
			if filepath.Dir(k) == inner || strings.HasSuffix(filepath.ToSlash(filepath.Dir(k)), "/"+filepath.ToSlash(inner)) {
				files = append(files, k)
			}
		}
	}
	files = append(files, f.served...)
	for _, k := range files {
		if f.dropPatchOf(k, id) {
			return true
		}
	}
	return false
}

// entryPlace is where a finding about entry i of field in the
// kustomization file k points: the file as findings show it (the root's own
// name for the root's kustomization file) and the entry's range in it, or
// the file's first character when its source is not at hand.
func (f *buildFS) entryPlace(k string, src *loader.SourceDocument, field string, i int) (string, loader.Range) {
	r := loader.Range{Line: 1, Column: 1, EndLine: 1, EndColumn: 1}
	if src != nil {
		r, _ = src.Lookup("/" + field + "/" + strconv.Itoa(i))
	}
	display := f.x.display(k)
	if same, _ := filepath.Abs(k); same == f.rootFile {
		display = f.x.display(f.rootPath)
	}
	return display, r
}

// dropPatchOf drops the first strategic-merge patch entry of kustomization
// file k (without a target: those with one match by selector, and match
// nothing silently) that patches id.
func (f *buildFS) dropPatchOf(k string, id resid.ResId) bool {
	obj, src := f.x.readKustomization(k)
	if obj == nil {
		return false
	}
	dir := filepath.Dir(k)
	for _, field := range fieldsNamed(obj, "patches", "patchesstrategicmerge") {
		for i, e := range list(obj[field]) {
			key := patchKey(k, field, i)
			if f.dropped[key] {
				continue
			}
			text, name := f.patchText(dir, e)
			if name == "" || !patchesObject(text, id) {
				continue
			}
			if f.dropped == nil {
				f.dropped = map[string]bool{}
			}
			f.dropped[key] = true
			display, r := f.entryPlace(k, src, field, i)
			f.notes = append(f.notes, finding.Problem{Kind: finding.RenderSkipped, File: display, Line: r.Line, Column: r.Column,
				EndLine: r.EndLine, EndColumn: r.EndColumn, Path: "/" + field + "/" + strconv.Itoa(i),
				Message: fmt.Sprintf("%s of %s %s matches no object once the entries meshlint does not read are left out (the object presumably comes from a remote base); it is not applied, and the rest of the kustomization is linted",
					patchLabel(name), id.Kind, id.Name)})
			return true
		}
	}
	return false
}

// patchLabel names a patch entry in messages.
func patchLabel(name string) string {
	if name == inlinePatch {
		return "inline patch"
	}
	return "patch " + name
}

// inlinePatch is patchText's name of a patch written in the kustomization.
const inlinePatch = "(inline)"

// patchText is the text of a patch entry (a file, read through the Root,
// or inline) and how to name it; name is "" for an entry with a target or
// that cannot be read.
func (f *buildFS) patchText(dir string, e any) (string, string) {
	var p, inline string
	switch v := e.(type) {
	case string:
		if inlineConfig(v) {
			inline = v
		} else {
			p = v
		}
	case map[string]any:
		if _, targeted := v["target"]; targeted {
			return "", ""
		}
		p, _ = v["path"].(string)
		inline, _ = v["patch"].(string)
	}
	if inline != "" {
		return inline, inlinePatch
	}
	if p == "" || f.x.refusal(dir, "patch", p) != "" {
		return "", ""
	}
	data, err := f.x.opts.Root.ReadFile(filepath.Join(dir, filepath.FromSlash(p)), f.x.opts.Limits.MaxFileBytes, "--max-file-size")
	if err != nil {
		return "", ""
	}
	return string(data), p
}

// patchesObject reports whether a strategic-merge patch's text holds a
// document for the object id names (kind and name; a namespace when both
// give one).
func patchesObject(text string, id resid.ResId) bool {
	dec := yaml.NewDecoder(strings.NewReader(text))
	for n := 0; n < 100; n++ {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return false
		}
		kind, _ := doc["kind"].(string)
		name, _ := dig(doc, "metadata", "name").(string)
		ns, _ := dig(doc, "metadata", "namespace").(string)
		idNS := id.Namespace
		if idNS == resid.TotallyNotANamespace {
			idNS = ""
		}
		if kind == id.Kind && name == id.Name && (ns == "" || idNS == "" || ns == idNS) {
			return true
		}
	}
	return false
}

// dropPatches removes the entries dropUnmatchedPatch left out from a
// kustomization's patch field, before the guard walks it.
func (f *buildFS) dropPatches(file, field string, v *yaml.Node) bool {
	if len(f.dropped) == 0 || v.Kind != yaml.SequenceNode {
		return false
	}
	kept := v.Content[:0]
	for i, e := range v.Content {
		if !f.dropped[patchKey(file, field, i)] {
			kept = append(kept, e)
		}
	}
	changed := len(kept) != len(v.Content)
	v.Content = kept
	return changed
}

// unmatchedTargets notes the targeted patches of a partial root's
// kustomizations whose target matches no object it built: Kustomize
// applies them to nothing, silently, and the object they were written for
// presumably is in what was left out. A target is matched by kind, group,
// version and name (a regular expression, as Kustomize reads it, or a part
// of the name, which a prefix or suffix may have grown); a target with a
// label or annotation selector is taken to match.
func (f *buildFS) unmatchedTargets(built []map[string]any) []finding.Problem {
	var out []finding.Problem
	for _, k := range f.served {
		obj, src := f.x.readKustomization(k)
		if obj == nil {
			continue
		}
		for _, field := range fieldsNamed(obj, "patches", "patchesjson6902") {
			for i, e := range list(obj[field]) {
				target, _ := dig(e, "target").(map[string]any)
				if target == nil || target["labelSelector"] != nil || target["annotationSelector"] != nil || targetMatches(target, built) {
					continue
				}
				kind, _ := target["kind"].(string)
				name, _ := target["name"].(string)
				label := inlinePatch
				if p, ok := dig(e, "path").(string); ok && p != "" {
					label = p
				}
				display, r := f.entryPlace(k, src, field, i)
				out = append(out, finding.Problem{Kind: finding.RenderSkipped, File: display, Line: r.Line, Column: r.Column,
					EndLine: r.EndLine, EndColumn: r.EndColumn, Path: "/" + field + "/" + strconv.Itoa(i),
					Message: fmt.Sprintf("%s targets %s %s, which no object matches once the entries meshlint does not read are left out (the object presumably comes from a remote base); it applies to nothing, and the rest of the kustomization is linted",
						patchLabel(label), orAny(kind), orAny(name))})
			}
		}
	}
	return out
}

func orAny(s string) string {
	if s == "" {
		return "(any)"
	}
	return s
}

// targetMatches reports whether a patch target selects one of the objects.
func targetMatches(target map[string]any, built []map[string]any) bool {
	kind, _ := target["kind"].(string)
	name, _ := target["name"].(string)
	group, _ := target["group"].(string)
	version, _ := target["version"].(string)
	nameRE, err := regexp.Compile("^(?:" + name + ")$")
	if err != nil {
		return true // Kustomize reports a bad expression itself
	}
	for _, o := range built {
		apiVersion, _ := o["apiVersion"].(string)
		g, v := "", apiVersion
		if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
			g, v = apiVersion[:i], apiVersion[i+1:]
		}
		okind, _ := o["kind"].(string)
		oname, _ := dig(o, "metadata", "name").(string)
		if (kind == "" || kind == okind) && (group == "" || group == g) && (version == "" || version == v) &&
			(name == "" || nameRE.MatchString(oname) || strings.Contains(oname, name)) {
			return true
		}
	}
	return false
}

// fieldsNamed are the keys of a kustomization that spell one of names
// (lower case), sorted: Kustomize decodes field names case-insensitively.
func fieldsNamed(obj map[string]any, names ...string) []string {
	var fields []string
	for field := range obj {
		for _, n := range names {
			if strings.ToLower(field) == n {
				fields = append(fields, field)
			}
		}
	}
	sort.Strings(fields)
	return fields
}
