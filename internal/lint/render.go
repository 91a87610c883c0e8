package lint

import (
	"context"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
	"github.com/meshlint/meshlint/internal/report"
)

// expand renders the Helm charts, Kustomize roots and Flux HelmReleases the
// loader found, adding what they render to loaded. Rendering problems are
// findings (render-error, render-skipped), never a failed run; the error is
// for options that cannot be used (a --values file that cannot be read).
func expand(ctx context.Context, loaded *loader.Result, opts Options) ([]render.Finding, error) {
	ro := opts.Render
	ro.Paths, ro.WorkDir, ro.Limits, ro.Root = opts.Paths, opts.WorkDir, opts.Limits, opts.Root
	ro.Kinds = graph.ReadsKind
	ro.DefaultNamespace = opts.Settings.DefaultNamespace
	return render.Expand(ctx, loaded, ro)
}

// addRendered reports the findings of rendering itself.
func (b *builder) addRendered(findings []render.Finding) {
	for _, rf := range findings {
		f := report.Finding{Rule: rf.Rule, Severity: b.severity(rf.Rule), Message: rf.Message, File: rf.File,
			Line: rf.Line, Column: rf.Column, EndLine: rf.EndLine, EndColumn: rf.EndColumn, Path: rf.Path,
			Related: []report.Related{}}
		if f.EndLine < f.Line || (f.EndLine == f.Line && f.EndColumn < f.Column) {
			f.EndLine, f.EndColumn = f.Line, f.Column
		}
		if rf.Resource != nil {
			f.Resource = &report.Resource{APIVersion: rf.Resource.APIVersion, Kind: rf.Resource.Kind,
				Namespace: rf.Resource.Namespace, Name: rf.Resource.Name}
		}
		b.add(f)
	}
}

// renderedFrom says in a message where a rendered object came from.
func renderedFrom(r *graph.Resource) string {
	if r.Doc.Origin == "" {
		return ""
	}
	return " (" + r.Doc.Origin + ")"
}
