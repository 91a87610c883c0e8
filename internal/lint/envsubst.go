package lint

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/k8s"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
)

// fluxVar is one ${...} of Flux's post-build substitution: $${...} is an
// escaped literal, ${name}, ${name:=default} and ${name:-default} are
// variables.
var fluxVar = regexp.MustCompile(`\$\$\{[^}]*\}|\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?:(:=|:-)([^}]*))?\}|\$\{[^}]*\}`)

// substitution is what one Flux Kustomization's postBuild substitutes in
// the objects of its path.
type substitution struct {
	k               *fluxKustomization
	vars            map[string]string // nil without postBuild
	targetNamespace string            // spec.targetNamespace, "" for none
}

// substitutions reads the postBuild of the Flux Kustomizations: the inline
// substitute map over the substituteFrom ConfigMaps and Secrets found in
// the input (in order, later ones winning), as Flux merges them. A
// substituteFrom object that is not in the input, and not optional, is a
// render-skipped note, and the Kustomization's objects are substituted
// with what was found.
func substitutions(ks []*fluxKustomization, docs []*loader.Document) ([]*substitution, []finding.Problem) {
	var out []*substitution
	var notes []finding.Problem
	for _, k := range ks {
		obj, _ := k.doc.Decode()
		post, _ := dig(obj, "spec", "postBuild").(map[string]any)
		target, _ := dig(obj, "spec", "targetNamespace").(string)
		if post == nil && target == "" {
			continue
		}
		s := &substitution{k: k, targetNamespace: target}
		out = append(out, s)
		if post == nil {
			continue
		}
		s.vars = map[string]string{}
		ns := k.doc.Namespace
		for i, from := range list(post["substituteFrom"]) {
			ref, _ := from.(map[string]any)
			kind, _ := ref["kind"].(string)
			name, _ := ref["name"].(string)
			optional, _ := ref["optional"].(bool)
			vals, found := objectData(docs, kind, ns, name)
			if !found && !optional {
				notes = append(notes, noteAt(k.doc, fmt.Sprintf("/spec/postBuild/substituteFrom/%d", i),
					fmt.Sprintf("Flux Kustomization %s substitutes variables from %s %s/%s, which is not in the input; its variables stay unresolved", k.doc.Name, kind, ns, name)))
			}
			for key, v := range vals {
				s.vars[key] = v
			}
		}
		inline, _ := post["substitute"].(map[string]any)
		for key, v := range inline {
			s.vars[key] = fmt.Sprint(v)
		}
	}
	return out, notes
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// objectData is the data of a ConfigMap or Secret of the input (a Secret's
// data decoded from base64, its stringData over it).
func objectData(docs []*loader.Document, kind, ns, name string) (map[string]string, bool) {
	for _, d := range docs {
		if d.Kind != kind || d.Name != name || d.Namespace != ns || (kind != "ConfigMap" && kind != "Secret") {
			continue
		}
		obj, ok := d.Decode()
		if !ok {
			continue
		}
		out := map[string]string{}
		data, _ := obj["data"].(map[string]any)
		for k, v := range data {
			s := fmt.Sprint(v)
			if kind == "Secret" {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					continue
				}
				s = string(b)
			}
			out[k] = s
		}
		if sd, ok := obj["stringData"].(map[string]any); ok && kind == "Secret" {
			for k, v := range sd {
				out[k] = fmt.Sprint(v)
			}
		}
		return out, true
	}
	return nil, false
}

func noteAt(d *loader.Document, pointer, msg string) finding.Problem {
	file, rng := d.Locate(pointer)
	return finding.Problem{Kind: finding.RenderSkipped, File: file, Line: rng.Line, Column: rng.Column,
		EndLine: rng.EndLine, EndColumn: rng.EndColumn, Path: pointer, Message: msg,
		Resource: &finding.Resource{APIVersion: d.APIVersion, Kind: d.Kind, Namespace: d.Namespace, Name: d.Name}}
}

// substituted gives an environment's documents as Flux applies them: the
// objects under the path of a Kustomization with postBuild have its
// variables substituted (the innermost such path decides). An object left
// with an unresolved ${var} is not linted, with a render-skipped note: a
// guessed value would be linted as if it were real.
func substituted(docs []*loader.Document, subs []*substitution, limits loader.Limits) ([]*loader.Document, []finding.Problem) {
	if len(subs) == 0 {
		return docs, nil
	}
	var out []*loader.Document
	var notes []finding.Problem
	for _, d := range docs {
		s := substitutionOf(d, subs)
		if s == nil {
			out = append(out, d)
			continue
		}
		text, unresolved := d.Text(), []string(nil)
		obj, _ := d.Decode()
		if v, _ := dig(obj, "metadata", "annotations", "kustomize.toolkit.fluxcd.io/substitute").(string); s.vars != nil && v != "disabled" {
			text, unresolved = substitute(text, s.vars)
		}
		if len(unresolved) > 0 {
			notes = append(notes, noteAt(d, "", fmt.Sprintf("%s %s is applied by Flux Kustomization %s with variables it does not define (%s), so meshlint does not lint it; define them in postBuild.substitute or a substituteFrom object in the input",
				d.Kind, d.Name, s.k.doc.Name, strings.Join(unresolved, ", "))))
			continue
		}
		out = append(out, asApplied(d, text, s.targetNamespace, limits))
	}
	return out, notes
}

// asApplied is d as Flux applies it: its text after substitution, in the
// Kustomization's targetNamespace. Findings on it point at d's own file
// and lines, which the user edits.
func asApplied(d *loader.Document, text, targetNamespace string, limits loader.Limits) *loader.Document {
	fresh, _ := loader.ParseRendered(loader.Rendered{File: d.File, Text: text, Origin: d.Origin,
		Line: func(l int) int { return l + d.StartLine - 1 },
		Locate: func(_ *loader.Document, pointer string, _ loader.Range) (string, loader.Range) {
			return d.Locate(pointer)
		}}, limits, graph.ReadsKind)
	var applied *loader.Document
	for _, f := range fresh {
		if f.Item == d.Item && f.Prefix == d.Prefix {
			applied = f
		}
	}
	if applied == nil {
		return d // the substituted text no longer holds it: lint it as written
	}
	if targetNamespace == "" || k8s.ClusterScoped(applied.Kind) || applied.Namespace == targetNamespace {
		return applied
	}
	obj, ok := applied.Decode()
	if !ok {
		return applied
	}
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		return applied
	}
	meta["namespace"] = targetNamespace
	data, err := yaml.Marshal(obj)
	if err != nil {
		return applied
	}
	moved, _ := loader.ParseRendered(loader.Rendered{File: d.File, Text: string(data), Origin: d.Origin,
		Line: func(int) int { return d.StartLine },
		Locate: func(_ *loader.Document, pointer string, _ loader.Range) (string, loader.Range) {
			return d.Locate(pointer)
		}}, limits, graph.ReadsKind)
	if len(moved) != 1 {
		return applied
	}
	return moved[0]
}

// substitutionOf is the substitution whose path holds d, the innermost.
func substitutionOf(d *loader.Document, subs []*substitution) *substitution {
	p := d.File
	if root, ok := render.KustomizeRootOf(d); ok {
		p = root
	}
	var best *substitution
	for _, s := range subs {
		if under(p, s.k.path) && (best == nil || len(s.k.path) > len(best.k.path)) {
			best = s
		}
	}
	return best
}

// substitute replaces Flux variables in text; it returns the names left
// unresolved, sorted.
func substitute(text string, vars map[string]string) (string, []string) {
	missing := map[string]bool{}
	out := fluxVar.ReplaceAllStringFunc(text, func(m string) string {
		if strings.HasPrefix(m, "$$") {
			return m[1:]
		}
		sub := fluxVar.FindStringSubmatch(m)
		name, op, def := sub[1], sub[2], sub[3]
		if name == "" {
			missing[m] = true
			return m
		}
		// As in the shell: a default stands for an unset or empty variable.
		if v, ok := vars[name]; ok && (v != "" || op == "") {
			return v
		}
		if op != "" {
			return def
		}
		missing[name] = true
		return m
	})
	var names []string
	for n := range missing {
		names = append(names, n)
	}
	sort.Strings(names)
	return out, names
}
