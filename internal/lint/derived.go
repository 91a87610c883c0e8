package lint

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
)

// DerivedProblem is something in an input that is not a manifest (a
// --prometheus-values file) that meshlint could not read (an error) or
// could not interpret without rendering the chart (Warning). Both are
// invalid-manifest findings.
type DerivedProblem struct {
	Problem loader.Problem
	Warning bool
}

func (b *builder) addDerivedProblems(ps []DerivedProblem) {
	for _, p := range ps {
		f := report.Finding{Rule: invalidManifest, Severity: b.severity(invalidManifest), Message: p.Problem.Message,
			File: p.Problem.File, Line: p.Problem.Line, Column: p.Problem.Column, EndLine: p.Problem.EndLine,
			EndColumn: p.Problem.EndColumn, Related: []report.Related{}}
		if p.Warning {
			f.Severity = "warning"
		}
		b.add(f)
	}
}

// describeDerived names the values key a finding on a derived object is
// about, in the values file's own terms, since the object itself is not in
// the file. A field of a derived object that the graph cannot read is a
// value meshlint cannot interpret without rendering the chart: a warning,
// and the object is left unchecked.
func describeDerived(r *graph.Resource, pointer string, f *report.Finding, problem bool) {
	if !r.Doc.IsDerived() {
		return
	}
	f.Message = r.Doc.Describe(pointer) + ": " + f.Message
	if problem {
		f.Severity = "warning"
	}
}

// relatedMessage adds to a related location in a derived object the values
// key it stands for.
func relatedMessage(r *graph.Resource, pointer, message string) string {
	if !r.Doc.IsDerived() {
		return message
	}
	return message + ": " + r.Doc.Describe(pointer)
}

// withDerived appends the derived documents without touching the loaded
// slice's backing array.
func withDerived(docs, derived []*loader.Document) []*loader.Document {
	if len(derived) == 0 {
		return docs
	}
	out := make([]*loader.Document, 0, len(docs)+len(derived))
	return append(append(out, docs...), derived...)
}

// derivedFiles counts the files the derived documents were read from.
func derivedFiles(derived []*loader.Document) int {
	seen := map[string]bool{}
	for _, d := range derived {
		for _, f := range d.SourceFiles() {
			seen[f] = true
		}
	}
	return len(seen)
}
