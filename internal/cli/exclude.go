package cli

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/meshlint/meshlint/internal/exclude"
	"github.com/meshlint/meshlint/internal/loader"
)

// excludeMatcher compiles the config file's exclude: patterns, then the
// --exclude flags, so a flag's "!pattern" can take back what the config
// leaves out. The flags are anchored to the repository of each linted
// path (excludeBases): in the usual run that is the directory output paths
// are relative to, so a path copied from a report is a pattern that
// matches it, whatever the working directory.
func excludeMatcher(lc *lintConfig, flags []string, bases []string) (*exclude.Matcher, error) {
	var patterns []exclude.Pattern
	if lc != nil && lc.cfg != nil {
		for _, e := range lc.cfg.Exclude {
			patterns = append(patterns, exclude.Pattern{Pattern: e.Pattern, Base: e.Base,
				Source: lc.cfg.File + ":" + strconv.Itoa(e.Line)})
		}
	}
	for _, p := range flags {
		if err := exclude.Check(p); err != nil {
			return nil, usagef("--exclude: %v", err)
		}
		for _, base := range bases {
			patterns = append(patterns, exclude.Pattern{Pattern: p, Base: base, Source: "--exclude"})
		}
	}
	return exclude.New(patterns)
}

// excludeBases are the directories --exclude patterns are anchored to: the
// --root directory when given; else, for each linted path, its Git top
// level, or when it is in no Git work tree the path itself (its directory
// for a file), as confine.RepositoryRoot decides what the run may read.
func excludeBases(root string, paths []string) []string {
	if root != "" {
		return []string{root}
	}
	var bases []string
	seen := map[string]bool{}
	for _, p := range paths {
		if p == "-" {
			continue
		}
		base := gitTopLevel(p)
		if base == "" {
			base = p
			if info, err := os.Stat(p); err == nil && !info.IsDir() {
				base = filepath.Dir(p)
			}
			if abs, err := filepath.Abs(base); err == nil {
				base = abs
			}
		}
		if !seen[base] {
			seen[base] = true
			bases = append(bases, base)
		}
	}
	return bases
}

// pathBase is the directory every path meshlint writes is relative to
// (loader.DisplayBase).
func pathBase(root string, paths []string, wd string) string {
	return loader.DisplayBase(root, paths, wd)
}

// gitTopLevel is the nearest directory at or above p holding .git, or "".
func gitTopLevel(p string) string { return loader.GitTopLevel(p) }
