package lint

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
)

// duplicateResource is the rule that reports two different definitions of
// one object in one mesh. Its findings are produced here, in Go.
const duplicateResource = "duplicate-resource"

// duplicate is a document left out of a mesh because an earlier one
// defines the same object differently.
type duplicate struct {
	doc, kept *loader.Document
}

// dedupe keeps the first document of each object (group, kind, namespace,
// name) in one mesh. A later copy with the same content is dropped
// silently (the same file reached twice, a copy kept in step); a later
// copy that differs is dropped and returned: a cluster holds one of them,
// and which one depends on the order they are applied in.
func dedupe(docs []*loader.Document) ([]*loader.Document, []duplicate) {
	first := make(map[identity]*loader.Document, len(docs))
	content := contents{}
	var dups []duplicate
	var out []*loader.Document
	for _, d := range docs {
		id, ok := identityOf(d)
		if !ok || d.IsDerived() {
			out = append(out, d)
			continue
		}
		kept, seen := first[id]
		if !seen {
			first[id] = d
			out = append(out, d)
			continue
		}
		if content.of(kept) != content.of(d) {
			dups = append(dups, duplicate{doc: d, kept: kept})
		}
	}
	if len(dups) == 0 && len(out) == len(docs) {
		return docs, nil
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
		f := report.Finding{Rule: duplicateResource, Severity: b.severity(duplicateResource),
			Message: fmt.Sprintf("%s %s is also defined in %s:%d with different content; one cluster holds one of them, so only the copy in %s is linted. "+
				"Keep one definition, or declare the folders as separate environments under environments: in .meshlint.yaml", d.Kind, name, keptFile, keptRng.Line, keptFile),
			File: file, Line: rng.Line, Column: rng.Column, EndLine: rng.EndLine, EndColumn: rng.EndColumn, Path: "/metadata/name",
			Resource: &report.Resource{APIVersion: d.APIVersion, Kind: d.Kind, Namespace: d.Namespace, Name: d.Name},
			Related: []report.Related{{Message: "the copy that is linted", File: keptFile, Line: keptRng.Line, Column: keptRng.Column,
				EndLine: keptRng.EndLine, EndColumn: keptRng.EndColumn, Path: "/metadata/name"}}}
		b.add(f)
	}
}
