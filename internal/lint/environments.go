package lint

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
)

// DeclaredEnvironment is an environment the config names (environments:):
// the documents under its path globs (filesystem paths; ** spans folders).
type DeclaredEnvironment struct {
	Name  string
	Paths []string
}

// Environment is one mesh of a run that holds several: the objects one
// cluster holds, linted on their own.
type Environment struct {
	Name string
	// How is how it was found: "declared", "Kustomize root", "folder".
	How string
	// Files are the files its objects come from, shared ones included,
	// sorted (for --verbose).
	Files []string
}

// environment is an Environment and the rule that decides which documents
// it holds.
type environment struct {
	Environment
	roots map[string]bool // display paths of the Kustomize roots whose builds it holds
	dirs  []string        // folders (display paths) whose files it holds
	// except are folders inside dirs whose files it does not hold: the
	// sibling environments of one nested in a colliding folder.
	except []string
	// leaf is the folder of an environment nested in a colliding folder
	// (the paths that would declare it); "" for the others.
	leaf  string
	globs []string        // declared path globs
	subs  []*substitution // the Flux post-build substitutions it applies (envsubst.go)
	// builds are the Flux Kustomizations it applies whose spec changes the
	// build of their path (envbuild.go).
	builds []*fluxKustomization
	skip   bool // not linted: --environment names another
	// whole is the one Flux entry point of an input that holds no other
	// environment: the run is one mesh, but the mesh Flux builds (its
	// patches, components and substitutions applied), so it is linted as
	// an environment and reported as none.
	whole bool
	docs  []*loader.Document
}

// holds reports whether d is one of env's own documents (not a shared one).
func (e *environment) holds(d *loader.Document) bool {
	p := d.File
	if root, ok := render.KustomizeRootOf(d); ok {
		if e.roots[root] {
			return true
		}
		p = root
	}
	for _, dir := range e.dirs {
		if under(p, dir) && !underAny(p, e.except) {
			return true
		}
	}
	for _, g := range e.globs {
		if matchGlob(g, p) {
			return true
		}
	}
	return false
}

func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if under(p, d) {
			return true
		}
	}
	return false
}

// under reports whether p is dir or inside it (display paths).
func under(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

// planEnvironments decides the environments of a run: the declared ones,
// or else those found in the input's layout. A run with fewer than two
// found is linted as one mesh, as it always was (nil), unless one is
// asked for by name. Stdin cannot be read twice, so a run reading it is
// one mesh.
func planEnvironments(loaded *loader.Result, opts Options, tooMany *int) ([]*environment, []finding.Problem, error) {
	for _, p := range opts.Paths {
		if p == "-" {
			if opts.Environment != "" {
				return nil, nil, fmt.Errorf("--environment %s: environments cannot be used with stdin (-)", opts.Environment)
			}
			return nil, nil, nil
		}
	}
	var envs []*environment
	var notes []finding.Problem
	wd := opts.WorkDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return nil, nil, fmt.Errorf("get working directory: %w", err)
		}
	}
	if len(opts.Environments) > 0 {
		for _, d := range opts.Environments {
			e := &environment{Environment: Environment{Name: d.Name, How: "declared"}}
			for _, g := range d.Paths {
				// Documents are matched by their display paths.
				e.globs = append(e.globs, loader.DisplayPath(g, wd))
			}
			envs = append(envs, e)
		}
	} else {
		envs, notes = foundEnvironments(loaded, sourceBases(opts, wd))
		if len(envs) > MaxFoundEnvironments {
			// Each environment is a graph and a rule evaluation over the
			// shared files too: a layout of thousands would cost thousands
			// of runs. It is linted as one mesh, and says so.
			*tooMany = len(envs)
			envs = nil
		}
		switch {
		case len(envs) == 1 && envs[0].How == "Flux entry point" && (len(envs[0].builds) > 0 || len(envs[0].subs) > 0):
			envs[0].whole = true
		case len(envs) < 2:
			envs, notes = nil, nil
		}
	}
	if opts.Environment != "" {
		var names []string
		for _, e := range envs {
			if e.Name == opts.Environment {
				// The others still decide which documents are shared.
				for _, o := range envs {
					o.skip = o != e
				}
				return envs, notes, nil
			}
			names = append(names, e.Name)
		}
		if len(names) == 0 {
			return nil, nil, fmt.Errorf("--environment %s: the input holds no environments (declare them under environments: in .meshlint.yaml)", opts.Environment)
		}
		return nil, nil, fmt.Errorf("--environment %s: no such environment; the input holds %s", opts.Environment, strings.Join(names, ", "))
	}
	return envs, notes, nil
}

// foundEnvironments finds environments without configuration, in this
// order: Flux entry points; every other leaf Kustomize root; then the
// folders whose plain files define the same objects differently. Names
// are paths below the deepest folder that holds them all (overlays/dev,
// overlays/prod: dev, prod). It also returns render-skipped notes for the
// substituteFrom objects of Flux Kustomizations that are not in the input.
func foundEnvironments(loaded *loader.Result, bases []string) ([]*environment, []finding.Problem) {
	ks := fluxKustomizations(loaded.Documents, bases)
	envs := fluxEnvironments(ks)
	var notes []finding.Problem
	subs, subNotes := substitutions(ks, loaded.Documents)
	for _, e := range envs {
		for _, sub := range subs {
			if reachedFolder(sub.k.folder, []*environment{e}) {
				e.subs = append(e.subs, sub)
			}
		}
		for _, k := range ks {
			if k.rebuild && reachedFolder(k.folder, []*environment{e}) {
				e.builds = append(e.builds, k)
			}
		}
	}
	if len(envs) > 0 {
		notes = append(notes, subNotes...)
	}
	var roots []*environment
	built := map[string]bool{}
	for _, d := range loaded.Documents {
		if root, ok := render.KustomizeRootOf(d); ok {
			built[root] = true
		}
	}
	for _, root := range leafKustomizeRoots(loaded) {
		// A root that built nothing (it failed, and says so in a
		// render-error) would be an environment of shared files only.
		if built[root] && !reachedFolder(root, envs) {
			roots = append(roots, &environment{Environment: Environment{Name: root, How: "Kustomize root"}, roots: map[string]bool{root: true}})
		}
	}
	plain := make([]*loader.Document, 0, len(loaded.Documents)) // mostly all: grown by appending, twice that allocated
	for _, d := range loaded.Documents {
		if d.Origin == "" && !d.IsDerived() && !heldByAny(envs, d) {
			plain = append(plain, d)
		}
	}
	folders, roots := folderEnvironments(collidingFolders(plain), envs, roots)
	if len(envs)+len(roots) >= 2 {
		envs = append(envs, roots...)
	}
	envs = append(envs, folders...)
	nameBelowCommonFolder(envs)
	sort.Slice(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	return envs, notes
}

// folderEnvironments are the environments of the folders whose plain
// files collide, and the Kustomize roots left environments of their own.
// A folder inside what a Flux entry point reaches, or inside a root's
// folder, is part of that environment (its collisions are duplicates
// there). A root inside such a folder is part of the folder's environment
// (clusters/prod/apps in clusters/prod), not one of its own; a root whose
// folder is the colliding one also holds that folder's plain files. A
// colliding folder with colliding folders inside is split among them
// (nestedEnvironments).
func folderEnvironments(dirs []string, flux, roots []*environment) (folders, rest []*environment) {
	rootOf := func(e *environment) string {
		for r := range e.roots {
			return r
		}
		return ""
	}
	absorbed := map[*environment]bool{}
	for _, dir := range dirs {
		if outer := outermost(dir, dirs); outer != dir || overlapsBuilt(dir, flux) {
			continue
		}
		inside := false
		for _, r := range roots {
			if root := rootOf(r); dir != root && under(dir, root) {
				inside = true
			}
		}
		if inside {
			continue
		}
		var same *environment
		for _, r := range roots {
			switch root := rootOf(r); {
			case root == dir:
				same = r
				absorbed[r] = true
			case under(root, dir):
				absorbed[r] = true
			}
		}
		if same != nil {
			same.dirs = []string{dir}
			folders = append(folders, same)
			continue
		}
		folders = append(folders, nestedEnvironments(dir, dirs)...)
	}
	for _, r := range roots {
		if !absorbed[r] {
			rest = append(rest, r)
		}
	}
	return folders, rest
}

// nestedEnvironments are the environments of one colliding folder: the
// folder, or, when copies inside it collide too (steps 01, 02 and 03 of a
// tutorial, each a copy of one app), each innermost colliding folder inside
// it, holding its own files and those of the folders around it up to dir,
// and none of its siblings'. Collisions split environments at every depth,
// as they do at the top: linted as one, the copies' policies would all
// apply to each copy's workloads.
func nestedEnvironments(dir string, found []string) []*environment {
	var inner []string
	for _, f := range found {
		if f != dir && under(f, dir) {
			inner = append(inner, f)
		}
	}
	var envs []*environment
	for _, leaf := range inner {
		if hasInside(leaf, inner) {
			continue
		}
		var except []string
		for _, f := range inner {
			if !under(leaf, f) {
				except = append(except, f)
			}
		}
		envs = append(envs, &environment{Environment: Environment{Name: leaf, How: "folder"}, dirs: []string{dir}, except: except, leaf: leaf})
	}
	if len(envs) == 0 {
		return []*environment{{Environment: Environment{Name: dir, How: "folder"}, dirs: []string{dir}}}
	}
	return envs
}

// hasInside reports whether another of dirs is inside dir.
func hasInside(dir string, dirs []string) bool {
	for _, d := range dirs {
		if d != dir && under(d, dir) {
			return true
		}
	}
	return false
}

// outermost is the outermost of dirs holding dir (dir itself when none does).
func outermost(dir string, dirs []string) string {
	out := dir
	for _, d := range dirs {
		if under(out, d) {
			out = d
		}
	}
	return out
}

// reachedFolder reports whether a folder is one an environment holds.
func reachedFolder(folder string, envs []*environment) bool {
	for _, e := range envs {
		for _, d := range e.dirs {
			if under(folder, d) {
				return true
			}
		}
	}
	return false
}

// overlapsBuilt reports whether dir holds, or is inside, what a Flux or
// Kustomize environment builds.
func overlapsBuilt(dir string, envs []*environment) bool {
	for _, e := range envs {
		for root := range e.roots {
			if under(root, dir) || under(dir, root) {
				return true
			}
		}
		for _, d := range e.dirs {
			if under(d, dir) || under(dir, d) {
				return true
			}
		}
	}
	return false
}

func heldByAny(envs []*environment, d *loader.Document) bool {
	for _, e := range envs {
		if e.holds(d) {
			return true
		}
	}
	return false
}

// sourceBases are the folders a Flux spec.path may be relative to, as
// display paths: each linted folder (the repository's root, when meshlint
// is run on it), then the repository's root.
func sourceBases(opts Options, wd string) []string {
	root := opts.Root
	if root == nil {
		root = confine.Unconfined()
	}
	var out []string
	for _, p := range opts.Paths {
		if !root.IsDir(p) {
			p = filepath.Dir(p)
		}
		out = append(out, loader.DisplayPath(p, wd))
	}
	if top, err := confine.RepositoryRoot(wd); err == nil {
		out = append(out, loader.DisplayPath(top, wd))
	}
	return out
}

// leafKustomizeRoots are the Kustomize roots render built as they are:
// those no other root in the input builds on (render skips the others, and
// components, with a reason).
func leafKustomizeRoots(loaded *loader.Result) []string {
	skipped := map[string]bool{}
	for _, s := range loaded.Skipped {
		skipped[s.File] = true
	}
	var out []string
	for _, r := range loaded.Roots {
		if r.Kind == loader.KustomizeRoot && !skipped[r.File] {
			out = append(out, r.Display)
		}
	}
	sort.Strings(out)
	return out
}

// nameBelowCommonFolder names each environment by its path below the
// deepest folder that holds all of them.
func nameBelowCommonFolder(envs []*environment) {
	if len(envs) < 2 {
		return
	}
	common := strings.Split(envs[0].Name, "/")
	for _, e := range envs[1:] {
		segs := strings.Split(e.Name, "/")
		n := 0
		for n < len(common) && n < len(segs) && common[n] == segs[n] {
			n++
		}
		common = common[:n]
	}
	for _, e := range envs {
		segs := strings.Split(e.Name, "/")
		if len(segs) > len(common) {
			e.Name = strings.Join(segs[len(common):], "/")
		}
	}
}

// MaxFoundEnvironments is the most environments found in a layout that
// are linted apart; declared ones are not limited.
const MaxFoundEnvironments = 64

// identity is what makes two documents the same object in one cluster.
type identity struct{ group, kind, namespace, name string }

func identityOf(d *loader.Document) (identity, bool) {
	if d.Kind == "" || d.Name == "" {
		return identity{}, false
	}
	group := ""
	if i := strings.IndexByte(d.APIVersion, '/'); i >= 0 {
		group = d.APIVersion[:i]
	}
	return identity{group, d.Kind, d.Namespace, d.Name}, true
}

// contents caches each document's content, as canonical JSON, so that
// many copies of one object are decoded once each and compared by key.
type contents map[*loader.Document]string

func (c contents) of(d *loader.Document) string {
	if k, ok := c[d]; ok {
		return k
	}
	k := "\x00undecodable " + d.File // never equal to another document's
	if obj, ok := d.Decode(); ok {
		if data, err := json.Marshal(obj); err == nil {
			k = string(data)
		}
	}
	c[d] = k
	return k
}

// collidingFolders are the folders that hold, each, a copy of an object
// another holds differently: below the deepest folder holding all copies
// of the object, the child folder of each copy. Some may be inside others
// (nestedEnvironments).
func collidingFolders(docs []*loader.Document) []string {
	// Most objects have one copy: only the second and later copies make
	// a group, so a large repository costs one map entry per object.
	first := newFirstCopies(len(docs))
	copies := map[identity][]*loader.Document{}
	var order []identity
	for _, d := range docs {
		id, ok := identityOf(d)
		if !ok || d.File == "-" {
			continue
		}
		f, seen := first.first(id, d)
		if !seen {
			continue
		}
		if copies[id] == nil {
			order = append(order, id)
			copies[id] = []*loader.Document{f}
		}
		copies[id] = append(copies[id], d)
	}
	found := map[string]bool{}
	for _, id := range order {
		for _, dir := range envFoldersOf(copies[id]) {
			found[dir] = true
		}
	}
	out := make([]string, 0, len(found))
	for dir := range found {
		out = append(out, dir)
	}
	sort.Strings(out)
	return out
}

// envFoldersOf are the child folders of the copies of one object, below
// the deepest folder holding them all, when copies in two of them differ.
func envFoldersOf(copies []*loader.Document) []string {
	if len(copies) < 2 {
		return nil
	}
	common := strings.Split(path.Dir(copies[0].File), "/")
	for _, d := range copies[1:] {
		segs := strings.Split(path.Dir(d.File), "/")
		n := 0
		for n < len(common) && n < len(segs) && common[n] == segs[n] {
			n++
		}
		common = common[:n]
	}
	child := func(d *loader.Document) string {
		segs := strings.Split(path.Dir(d.File), "/")
		if len(segs) <= len(common) || (len(common) == 1 && common[0] == "." && len(segs) == 1 && segs[0] == ".") {
			return ""
		}
		return strings.Join(segs[:len(common)+1], "/")
	}
	// Copies differ across folders when two folders hold different
	// contents: counted, not compared pairwise.
	byChild := map[string]map[string]bool{}
	content := contents{}
	for _, d := range copies {
		if c := child(d); c != "" {
			if byChild[c] == nil {
				byChild[c] = map[string]bool{}
			}
			byChild[c][content.of(d)] = true
		}
	}
	if !differAcross(byChild) {
		return nil
	}
	var out []string
	for _, d := range copies {
		if c := child(d); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// differAcross reports whether two folders hold different contents.
func differAcross(byChild map[string]map[string]bool) bool {
	if len(byChild) < 2 {
		return false
	}
	all := map[string]bool{}
	for _, set := range byChild {
		for k := range set {
			all[k] = true
		}
	}
	if len(all) > 1 {
		return true
	}
	return false
}

// matchGlob matches a display path, or a folder holding it, against a
// path glob: path.Match syntax, where ** matches any number of folders.
func matchGlob(glob, p string) bool {
	glob = strings.TrimSuffix(path.Clean(filepath.ToSlash(glob)), "/")
	segs := strings.Split(p, "/")
	g := strings.Split(glob, "/")
	for n := len(segs); n >= 1; n-- {
		if matchSegments(g, segs[:n]) {
			return true
		}
	}
	return glob == "."
}

func matchSegments(g, p []string) bool {
	if len(g) == 0 {
		return len(p) == 0
	}
	if g[0] == "**" {
		for i := 0; i <= len(p); i++ {
			if matchSegments(g[1:], p[i:]) {
				return true
			}
		}
		return false
	}
	if len(p) == 0 {
		return false
	}
	ok, err := path.Match(g[0], p[0])
	return err == nil && ok && matchSegments(g[1:], p[1:])
}

// FoundEnvironment is an environment found in a tree's layout, with the
// paths (relative to opts.WorkDir) that would declare it under
// environments: in .meshlint.yaml.
type FoundEnvironment struct {
	Environment
	Paths []string
}

// FindEnvironments reads and renders the inputs as a lint would, and
// returns the environments their layout holds (none for one mesh); meshlint
// init writes them into the starter config.
func FindEnvironments(ctx context.Context, opts Options) ([]FoundEnvironment, error) {
	sup := &suppressionIndex{byDoc: map[*loader.Document]map[string]any{}}
	loaded, err := loader.Load(opts.Paths, loadOptions(opts, sup, graph.NewBuilder(opts.Settings)))
	if err != nil {
		return nil, err
	}
	if _, err := expand(ctx, loaded, opts); err != nil {
		return nil, err
	}
	var tooMany int
	envs, _, err := planEnvironments(loaded, opts, &tooMany)
	if err != nil {
		return nil, err
	}
	var out []FoundEnvironment
	for _, e := range envs {
		if e.whole {
			continue // one mesh: nothing to declare
		}
		paths := append([]string{}, e.dirs...)
		if e.leaf != "" {
			// Globs cannot leave out the sibling folders: the files
			// around them become shared by all.
			paths = []string{e.leaf}
		}
		for r := range e.roots {
			paths = append(paths, r)
		}
		sort.Strings(paths)
		out = append(out, FoundEnvironment{Environment: e.Environment, Paths: paths})
	}
	return out, nil
}
