package lint

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
	"github.com/meshlint/meshlint/policies"
)

// duplicateResource is the rule that reports two different definitions of
// one object in one mesh. Its findings are produced here, in Go.
const duplicateResource = policies.DuplicateResource

// duplicate is a document that defines an object an earlier one of the
// same mesh defines differently.
type duplicate struct {
	doc, kept *loader.Document
}

// dedupe keeps the first document of each object (group, kind, namespace,
// name) in one mesh. A later copy with the same content is dropped
// silently (the same file reached twice, a copy kept in step). A later
// copy that differs is kept and returned: a cluster holds one of them,
// depending on the order they are applied in, so both are linted (neither
// copy's findings are hidden) and the duplicate is reported.
func dedupe(docs []*loader.Document) ([]*loader.Document, []duplicate) {
	first := newFirstCopies(len(docs))
	content := contents{}
	var dups []duplicate
	var out []*loader.Document // nil while every document is kept: docs[:i]
	for i, d := range docs {
		id, ok := identityOf(d)
		if !ok || d.IsDerived() {
			if out != nil {
				out = append(out, d)
			}
			continue
		}
		kept, seen := first.first(id, d)
		if !seen {
			if out != nil {
				out = append(out, d)
			}
			continue
		}
		if content.of(kept) != content.of(d) {
			if !sameSource(kept, d) && !alternativeInstalls(kept, d) {
				dups = append(dups, duplicate{doc: d, kept: kept})
			}
			if out != nil {
				out = append(out, d)
			}
			continue
		}
		if out == nil {
			out = append(make([]*loader.Document, 0, len(docs)-1), docs[:i]...)
		}
	}
	if out == nil {
		return docs, dups
	}
	return out, dups
}

// addDuplicates reports the differing copies dedupe left out.
func (b *builder) addDuplicates(dups []duplicate) {
	for _, dup := range dups {
		d := dup.doc
		file, rng := d.Locate("/metadata/name")
		keptFile, keptRng := dup.kept.Locate("/metadata/name")
		name := d.Name
		if d.Namespace != "" {
			name = d.Namespace + "/" + name
		}
		f := finding.Finding{Rule: duplicateResource, Severity: b.severity(duplicateResource),
			Message: fmt.Sprintf("%s %s is also defined in %s:%d with different content; a cluster holds only the copy applied last, and meshlint lints both. "+
				"Keep one definition, declare the folders as separate environments under environments: in .meshlint.yaml, "+
				"or leave out files no cluster gets (test data, samples) with exclude:", d.Kind, name, keptFile, keptRng.Line),
			Place:    placeAt(file, rng, "/metadata/name"),
			Resource: &finding.Resource{APIVersion: d.APIVersion, Kind: d.Kind, Namespace: d.Namespace, Name: d.Name},
			Related: []finding.Related{{Message: "the other definition",
				Place: placeAt(keptFile, keptRng, "/metadata/name")}}}
		b.add(f)
	}
}

// sameSource reports whether two rendered copies come from one place in one
// source file: a chart rendered on its own and again as another chart's
// file:// dependency, or by two releases with different values. Those are
// alternative installs of what was written once, not two definitions a user
// keeps in step; both are linted, and neither is a duplicate.
func sameSource(a, b *loader.Document) bool {
	return a.Origin != "" && b.Origin != "" && a.File == b.File && a.StartLine == b.StartLine
}

// alternativeInstalls reports whether two copies are two ways of installing
// one application that a repository keeps side by side: a Helm chart linted
// on its own (as helm template renders it, not through a Flux HelmRelease)
// beside a Kustomize install, plain manifests or another chart of the same
// objects (Kubeflow keeps experimental/helm/charts/katib beside
// applications/katib/upstream/installs). A cluster gets one of them; both
// are linted, and neither is a duplicate. Two copies from one release of
// one chart are still one (Helm refuses such a release).
func alternativeInstalls(a, b *loader.Document) bool {
	return a.Origin != b.Origin && (standaloneChart(a) || standaloneChart(b))
}

// standaloneChart reports whether d was rendered from a Helm chart found in
// the input, rather than for a Flux HelmRelease.
func standaloneChart(d *loader.Document) bool {
	_, release := render.HelmReleaseOf(d)
	return strings.HasPrefix(d.Origin, "rendered from Helm chart ") && !release
}
