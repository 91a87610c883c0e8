package lint

import (
	"path"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
)

// fluxKustomization is a Flux Kustomization of the input: the folder it
// applies, and what Flux would change in it that meshlint does not.
type fluxKustomization struct {
	doc    *loader.Document
	folder string // display path of the folder holding its document (or of the root that built it)
	path   string // display path of spec.path, once resolved
	spec   map[string]any
	// rebuild says the spec changes the build of its path (patches,
	// components, a name prefix or suffix): its objects are built again as
	// kustomize-controller builds them (envbuild.go). postBuild and
	// targetNamespace alone are applied to the objects as built
	// (envsubst.go).
	rebuild bool
}

const fluxKustomizeGroup = "kustomize.toolkit.fluxcd.io/"

// fluxKustomizations finds the Flux Kustomizations among the documents
// whose spec.path names a folder of the input.
func fluxKustomizations(docs []*loader.Document, bases []string) []*fluxKustomization {
	var out []*fluxKustomization
	var held map[string]bool // folders holding documents, built on first need
	for _, d := range docs {
		if d.Kind != "Kustomization" || !strings.HasPrefix(d.APIVersion, fluxKustomizeGroup) {
			continue
		}
		obj, ok := d.Decode()
		if !ok {
			continue
		}
		spec, _ := obj["spec"].(map[string]any)
		p, _ := spec["path"].(string)
		folder := path.Dir(d.File)
		if root, ok := render.KustomizeRootOf(d); ok {
			folder = root
		}
		if held == nil {
			held = foldersHolding(docs)
		}
		target, ok := inputFolder(p, bases, held)
		if !ok {
			continue
		}
		k := &fluxKustomization{doc: d, folder: folder, path: target, spec: spec}
		for _, field := range []string{"patches", "components", "patchesStrategicMerge", "patchesJson6902", "namePrefix", "nameSuffix"} {
			if v, set := spec[field]; set && v != nil && v != "" {
				k.rebuild = true
			}
		}
		out = append(out, k)
	}
	return out
}

// inputFolder resolves a Flux spec.path (relative to the source's root)
// against each folder the repository may be rooted at, and keeps the first
// that holds documents of the input.
func inputFolder(p string, bases []string, held map[string]bool) (string, bool) {
	if p == "" || strings.Contains(p, "..") {
		return "", false
	}
	for _, base := range bases {
		cand := path.Clean(path.Join(base, strings.TrimPrefix(p, "/")))
		if held[cand] {
			return cand, true
		}
	}
	return "", false
}

// foldersHolding are the folders (display paths) that hold a document of
// the input, or the Kustomize root that built one, at any depth.
func foldersHolding(docs []*loader.Document) map[string]bool {
	held := map[string]bool{}
	for _, d := range docs {
		dir := path.Dir(d.File)
		if root, ok := render.KustomizeRootOf(d); ok {
			dir = root
		}
		for {
			held[dir] = true
			if !strings.Contains(dir, "/") || dir == "/" {
				break
			}
			dir = path.Dir(dir)
		}
	}
	return held
}

// fluxEnvironments are the Flux entry points of the input: the folders
// holding Flux Kustomizations that are neither inside another such folder
// nor applied by another entry point. Each holds everything its
// Kustomizations reach, recursively.
func fluxEnvironments(ks []*fluxKustomization) []*environment {
	folders := map[string][]*fluxKustomization{}
	for _, k := range ks {
		folders[k.folder] = append(folders[k.folder], k)
	}
	var candidates []string
	for f := range folders {
		inside := false
		for g := range folders {
			if g != f && under(f, g) {
				inside = true
			}
		}
		if !inside {
			candidates = append(candidates, f)
		}
	}
	sort.Strings(candidates)
	reach := func(entry string) []string {
		seen := map[string]bool{entry: true}
		queue := []string{entry}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for f, list := range folders {
				if !under(f, cur) {
					continue
				}
				for _, k := range list {
					if !seen[k.path] {
						seen[k.path] = true
						queue = append(queue, k.path)
					}
				}
			}
		}
		out := make([]string, 0, len(seen))
		for f := range seen {
			out = append(out, f)
		}
		sort.Strings(out)
		return out
	}
	var envs []*environment
	for _, c := range candidates {
		reachedByOther := false
		for _, o := range candidates {
			if o == c {
				continue
			}
			for _, f := range reach(o) {
				if f != o && under(c, f) {
					reachedByOther = true
				}
			}
		}
		if !reachedByOther {
			envs = append(envs, &environment{Environment: Environment{Name: c, How: "Flux entry point"}, dirs: reach(c)})
		}
	}
	return envs
}
