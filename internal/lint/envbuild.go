package lint

import (
	"context"
	"sort"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
)

// fluxBuilt is the build of one Flux Kustomization's path, made once and
// used by every environment that applies it.
type fluxBuilt struct {
	docs []*loader.Document
}

// fluxBuilds builds the path of each Flux Kustomization whose spec changes
// it (patches, components, a name prefix or suffix) that an environment
// applies, as kustomize-controller builds it, once each.
func fluxBuilds(ctx context.Context, envs []*environment, opts Options) (map[*fluxKustomization]*fluxBuilt, []finding.Problem) {
	out := map[*fluxKustomization]*fluxBuilt{}
	var notes []finding.Problem
	ro := opts.Render
	ro.Paths, ro.WorkDir, ro.Limits, ro.Root = opts.Paths, opts.WorkDir, opts.Limits, opts.Root
	ro.Kinds = graph.ReadsKind
	ro.DefaultNamespace = opts.Settings.DefaultNamespace
	for _, e := range envs {
		if e.skip {
			continue
		}
		for _, k := range e.builds {
			if out[k] != nil {
				continue
			}
			d := k.doc
			b := render.FluxBuild{Name: d.Namespace + "/" + d.Name, Path: k.path, Spec: k.spec,
				Locate:   func(pointer string) (string, loader.Range) { return d.Locate(pointer) },
				Resource: &finding.Resource{APIVersion: d.APIVersion, Kind: d.Kind, Namespace: d.Namespace, Name: d.Name}}
			docs, found := render.BuildFlux(ctx, b, ro)
			out[k] = &fluxBuilt{docs: docs}
			notes = append(notes, found...)
		}
	}
	return out, notes
}

// rebuilt gives an environment's documents with the objects of each Flux
// Kustomization it rebuilds (outermost path first) in place of those built
// or read from that path as they are. A build that failed leaves the
// objects as they are: its render-error says why.
func rebuilt(docs []*loader.Document, builds []*fluxKustomization, made map[*fluxKustomization]*fluxBuilt) []*loader.Document {
	ks := append([]*fluxKustomization(nil), builds...)
	sort.SliceStable(ks, func(i, j int) bool { return len(ks[i].path) < len(ks[j].path) })
	for _, k := range ks {
		b := made[k]
		if b == nil || b.docs == nil {
			continue
		}
		kept := docs[:0:0]
		for _, d := range docs {
			if !fromFluxPath(d, k.path) {
				kept = append(kept, d)
			}
		}
		docs = append(kept, b.docs...)
	}
	return docs
}

// fromFluxPath reports whether d is an object Flux builds from path: a
// plain file under it, or an object a Kustomize root under it built. What
// a Helm chart or a HelmRelease renders is not (Flux does not render it
// from the path), nor is a derived object.
func fromFluxPath(d *loader.Document, path string) bool {
	if d.IsDerived() {
		return false
	}
	p := d.File
	if root, ok := render.KustomizeRootOf(d); ok {
		p = root
	} else if d.Origin != "" {
		return false
	}
	return under(p, path)
}
