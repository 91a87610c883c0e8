package lint

import (
	"context"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
)

// expand renders the Helm charts, Kustomize roots and Flux HelmReleases the
// loader found, adding what they render to loaded. Rendering problems are
// findings (render-error, render-skipped), never a failed run; the error is
// for options that cannot be used (a --values file that cannot be read).
func expand(ctx context.Context, loaded *loader.Result, opts Options) ([]finding.Problem, error) {
	ro := opts.Render
	ro.Paths, ro.WorkDir, ro.Limits, ro.Root = opts.Paths, opts.WorkDir, opts.Limits, opts.Root
	ro.Kinds = graph.ReadsKind
	ro.DefaultNamespace = opts.Settings.DefaultNamespace
	return render.Expand(ctx, loaded, ro)
}

// addRendered reports the problems of rendering itself.
func (b *builder) addRendered(problems []finding.Problem) {
	for _, p := range problems {
		b.addProblem(p)
	}
}

// renderedFrom says in a message where a rendered object came from.
func renderedFrom(r *graph.Resource) string {
	if r.Doc.Origin == "" {
		return ""
	}
	return " (" + r.Doc.Origin + ")"
}
