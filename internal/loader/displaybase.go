package loader

import (
	"os"
	"path/filepath"
)

// DisplayBase is the directory every path meshlint writes is relative to
// (DisplayPath's base), so SARIF's %SRCROOT% is the checkout whatever
// directory meshlint ran in:
//   - the --root directory when given;
//   - else the Git top level of the working directory, when every linted
//     path is inside it: run from a superproject, a file in a submodule (or
//     below a .git a pull request planted in a subdirectory) is still named
//     from the superproject's top, where code scanning looks for it;
//   - else the Git top level of the linted paths when they all have the
//     same one (meshlint -f sarif ../repo);
//   - else (paths in several repositories, or in none, or only standard
//     input) the working directory, what a user reading a terminal expects.
//
// The top level is found as confine.RepositoryRoot finds it, by looking
// for .git, but on the path as named rather than resolved: display paths
// are made from the named paths, and a link in the working directory's
// path must not turn every file into ../ (the confinement itself still
// works on real paths).
func DisplayBase(root string, paths []string, wd string) string {
	if root != "" {
		if abs, err := filepath.Abs(root); err == nil {
			return abs
		}
	}
	var named []string
	for _, p := range paths {
		if p == "-" {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return wd
		}
		named = append(named, abs)
	}
	if len(named) == 0 {
		return wd
	}
	if top := GitTopLevel(wd); top != "" && allWithin(named, top) {
		return top
	}
	top := ""
	for _, p := range named {
		t := GitTopLevel(p)
		if t == "" || (top != "" && t != top) {
			return wd
		}
		top = t
	}
	return top
}

func allWithin(paths []string, dir string) bool {
	for _, p := range paths {
		if rel, err := filepath.Rel(dir, p); err != nil || !filepath.IsLocal(rel) && rel != "." {
			return false
		}
	}
	return true
}

// GitTopLevel is the nearest directory at or above p holding .git, or "".
func GitTopLevel(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	for dir := abs; ; {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
