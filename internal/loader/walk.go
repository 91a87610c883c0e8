package loader

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/exclude"
	"github.com/meshlint/meshlint/internal/finding"
)

var manifestExt = map[string]bool{".yaml": true, ".yml": true, ".json": true}

// walk lists the manifest files under root in lexical order. Hidden
// directories are skipped; symlinked directories are not followed, which also
// makes symlink loops harmless. Unreadable entries become Problems.
func walk(root, workDir string, ex *exclude.Matcher, roots *[]Root, emit func(input)) ([]finding.Problem, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", DisplayPath(root, workDir), confine.UnwrapPath(err))
	}
	if pat, excluded := ex.Match(root, info.IsDir()); excluded {
		// A path the user typed is excluded too: pre-commit passes every
		// changed file by name, and an excluded one must stay out.
		emit(input{path: root, display: DisplayPath(root, workDir), skip: pat.Reason()})
		return nil, nil
	}
	if !info.IsDir() {
		if r, ok := rootFile(root, workDir); ok && roots != nil {
			*roots = append(*roots, r)
			return nil, nil
		}
		emit(input{path: root, display: DisplayPath(root, workDir), inChartTemplates: inChartTemplates(root), typed: true})
		return nil, nil
	}
	w := &walker{root: root, workDir: workDir, ex: ex, roots: roots, emit: emit}
	self, err := os.Lstat(root)
	if err != nil {
		w.cannotRead(root, err)
		return w.problems, nil
	}
	w.visit(root, fs.FileInfoToDirEntry(self), place{display: DisplayPath(root, workDir), chartTemplates: dirInChartTemplates(filepath.Clean(root))})
	return w.problems, nil
}

// walker is one walk below a directory the user named. It visits entries
// as filepath.WalkDir does (lexical order, a directory before what it
// holds, symbolic links not followed) but reads a directory's listing
// before deciding whether it is a chart or a Kustomize root, so that the
// decision looks up names already read instead of asking the filesystem
// for four files in every directory (40,000 failed stat calls on a tree of
// 10,000 app folders).
type walker struct {
	root, workDir string
	ex            *exclude.Matcher
	roots         *[]Root // nil: roots are not detected, directories are walked
	emit          func(input)
	problems      []finding.Problem
}

// place is what an entry's names are derived from: its display path and
// whether it lies in a chart's templates, decided once per directory and
// carried down, rather than from its full path for every file (an
// absolute path made relative, and a climb to the top of the path, for
// each of 40,000 files).
type place struct {
	display        string // DisplayPath of the entry
	chartTemplates bool   // the entry, or a file in it when it is a directory, is inChartTemplates
}

// child is the place of the entry name, at path, in the directory p at
// pl. A directory is in a chart's templates when its parent is, or when it
// is the templates directory next to a Chart.yaml: inChartTemplates's
// climb, one step per directory.
func (w *walker) child(pl place, p, path, name string, isDir bool) place {
	c := place{chartTemplates: pl.chartTemplates}
	if aboveWorkDir(pl.display) {
		// A name in a directory above the work directory may lead back
		// into it (.. and then app, seen from app, is .): only DisplayPath
		// knows.
		c.display = DisplayPath(path, w.workDir)
	} else {
		c.display = displayJoin(pl.display, name, path)
	}
	if isDir && !c.chartTemplates && name == "templates" {
		c.chartTemplates = chartBeside(p)
	}
	return c
}

func (w *walker) visit(p string, d fs.DirEntry, pl place) {
	if !d.IsDir() {
		w.file(p, d, pl)
		return
	}
	if pat, excluded := w.ex.Match(p, true); excluded && p != w.root {
		w.emit(input{path: p, display: pl.display, skip: pat.Reason()})
		return
	}
	list, err := os.ReadDir(p)
	if w.roots != nil {
		r, ok := rootIn(p, w.workDir, list)
		if err != nil {
			// A directory that cannot be listed may still be searchable:
			// its root files are looked up by name, as before the listing.
			r, ok = rootAt(p, w.workDir)
		}
		if ok {
			*w.roots = append(*w.roots, r) // rendered, not walked
			return
		}
	}
	if err != nil {
		w.cannotRead(p, err)
		return
	}
	for _, e := range list {
		if !visited(e) {
			continue // no path or place made for what visit would pass over
		}
		path := filepath.Join(p, e.Name())
		w.visit(path, e, w.child(pl, p, path, e.Name(), e.IsDir()))
	}
}

// visited reports whether visit does anything with an entry below the
// walk's root: a directory not hidden, or a file with a manifest's
// extension.
func visited(e fs.DirEntry) bool {
	if e.IsDir() {
		return !strings.HasPrefix(e.Name(), ".")
	}
	return isManifestName(e.Name())
}

func isManifestName(name string) bool { return manifestExt[strings.ToLower(filepath.Ext(name))] }

func (w *walker) cannotRead(p string, err error) {
	w.problems = append(w.problems, finding.Problem{File: DisplayPath(p, w.workDir), Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
		Message: fmt.Sprintf("cannot read: %v", confine.UnwrapPath(err))})
}

// file emits the file p of the directory entry d, at pl.
func (w *walker) file(p string, d fs.DirEntry, pl place) {
	display := pl.display
	if !isManifestName(d.Name()) {
		return
	}
	if pat, excluded := w.ex.Match(p, false); excluded {
		w.emit(input{path: p, display: display, skip: pat.Reason()})
		return
	}
	if d.Type()&fs.ModeSymlink != 0 {
		target, err := os.Stat(p)
		if err != nil {
			// A dangling link or a loop: skipped (README.md, "Usage"), and listed
			// by --verbose.
			w.emit(input{path: p, display: display,
				skip: fmt.Sprintf("symbolic link that cannot be followed (%v)", confine.UnwrapPath(err))})
			return
		}
		if !target.Mode().IsRegular() {
			return
		}
	} else if !d.Type().IsRegular() {
		return
	}
	w.emit(input{path: p, display: display, inChartTemplates: pl.chartTemplates})
}

// aboveWorkDir reports whether a display path names a directory above the
// work directory: nothing but "..".
func aboveWorkDir(display string) bool {
	for {
		rest, ok := strings.CutPrefix(display, "..")
		if !ok || (rest != "" && rest[0] != '/') {
			return false
		}
		if rest == "" {
			return true
		}
		display = rest[1:]
	}
}

// displayJoin is the display path of the entry name, at path, in a
// directory shown as dir: DisplayPath of path, without making it relative
// again, when dir is not above the work directory (aboveWorkDir). A name
// read from a listing holds no separator, so it needs no ToSlash. Where
// path ends with what DisplayPath would make (a tree below the work
// directory, with / for a separator), the display path is that end of
// path, which is kept anyway: no string is made for it.
func displayJoin(dir, name, path string) string {
	switch {
	case dir == ".":
		if strings.HasSuffix(path, name) {
			return path[len(path)-len(name):]
		}
		return name
	case strings.HasSuffix(dir, "/"):
		return dir + name
	}
	if n := len(dir) + 1 + len(name); len(path) >= n {
		tail := path[len(path)-n:]
		if tail[len(dir)] == '/' && tail[:len(dir)] == dir && tail[len(dir)+1:] == name {
			return tail
		}
	}
	return dir + "/" + name
}

// rootIn decides rootAt from dir's listing: the same names in the same
// order, a name counting when it is a regular file or a link to one.
func rootIn(dir, workDir string, list []fs.DirEntry) (Root, bool) {
	has := func(name string) bool {
		// os.ReadDir sorts the listing by name.
		i := sort.Search(len(list), func(i int) bool { return list[i].Name() >= name })
		if i == len(list) || list[i].Name() != name {
			return false
		}
		if list[i].Type()&fs.ModeSymlink != 0 {
			return isRegular(filepath.Join(dir, name))
		}
		return list[i].Type().IsRegular()
	}
	if has("Chart.yaml") {
		return Root{Dir: dir, Display: DisplayPath(dir, workDir), Kind: HelmChart,
			File: DisplayPath(filepath.Join(dir, "Chart.yaml"), workDir)}, true
	}
	for _, name := range kustomizationFiles {
		if has(name) {
			return Root{Dir: dir, Display: DisplayPath(dir, workDir), Kind: KustomizeRoot,
				File: DisplayPath(filepath.Join(dir, name), workDir)}, true
		}
	}
	return Root{}, false
}
