// Package exclude decides which paths a run leaves out: the exclude: list
// of .meshlint.yaml and the --exclude flag, as gitignore patterns.
//
// The patterns are go-git's gitignore implementation
// (github.com/go-git/go-git/v5/plumbing/format/gitignore): it is what the
// pure-Go git tools use, it is maintained, and it follows git on what
// matters here — a pattern without a slash matches a name at any depth,
// one with a slash is anchored to its base directory, "dir/" matches
// directories only, "**" spans directories, "!" re-includes, and the last
// pattern that matches decides.
package exclude

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Pattern is one exclude pattern and the directory it is relative to.
type Pattern struct {
	Pattern string // as written, gitignore syntax
	Base    string // absolute directory the pattern is anchored to
	Source  string // where it was written, for --verbose: "--exclude", ".meshlint.yaml:12"
}

// Matcher holds the patterns of a run in the order they were given: the
// config file's first, the flags' after, so a flag can re-include what the
// config excludes.
type Matcher struct {
	patterns []Pattern
	parsed   []gitignore.Pattern
}

// New compiles the patterns. An empty or blank pattern, or a comment, is an
// error: it would exclude nothing, or be read as something it is not.
func New(patterns []Pattern) (*Matcher, error) {
	m := &Matcher{}
	for _, p := range patterns {
		if err := Check(p.Pattern); err != nil {
			return nil, fmt.Errorf("%s: %w", p.Source, err)
		}
		base, err := filepath.Abs(p.Base)
		if err != nil {
			return nil, fmt.Errorf("%s: exclude pattern %q: %w", p.Source, p.Pattern, err)
		}
		p.Base = base
		m.patterns = append(m.patterns, p)
		m.parsed = append(m.parsed, gitignore.ParsePattern(p.Pattern, components(base)))
	}
	return m, nil
}

// Check says what is wrong with a pattern as written, or nil.
func Check(pattern string) error {
	switch t := strings.TrimSpace(pattern); {
	case t == "" || t == "!":
		return fmt.Errorf("exclude pattern %q is empty: remove it, or write a path or glob such as 'testdata/' or '**/*.tmpl.yaml'", pattern)
	case strings.HasPrefix(t, "#"):
		return fmt.Errorf("exclude pattern %q starts with '#', which gitignore reads as a comment: write '\\#' for a name that starts with '#'", pattern)
	case strings.Contains(pattern, "\\") && filepath.Separator == '\\':
		return fmt.Errorf("exclude pattern %q contains '\\': write paths with '/'", pattern)
	}
	return nil
}

// Empty reports whether the matcher excludes nothing.
func (m *Matcher) Empty() bool { return m == nil || len(m.parsed) == 0 }

// Match reports whether the path (a file, or a directory when isDir) is
// excluded, and by which pattern. The last pattern that matches decides,
// as in a .gitignore; a "!" pattern that matches last includes the path.
func (m *Matcher) Match(path string, isDir bool) (Pattern, bool) {
	if m.Empty() {
		return Pattern{}, false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Pattern{}, false
	}
	parts := components(abs)
	for i := len(m.parsed) - 1; i >= 0; i-- {
		switch m.parsed[i].Match(parts, isDir) {
		case gitignore.Exclude:
			return m.patterns[i], true
		case gitignore.Include:
			return Pattern{}, false
		}
	}
	return Pattern{}, false
}

// Reason is what --verbose says of a path the pattern excluded.
func (p Pattern) Reason() string {
	return fmt.Sprintf("excluded by %q (%s)", p.Pattern, p.Source)
}

// components splits an absolute path into its names; the root's empty
// name comes first, the same for every path, so domains line up.
func components(abs string) []string {
	s := filepath.ToSlash(filepath.Clean(abs))
	if s == "/" {
		return []string{""}
	}
	return strings.Split(s, "/")
}
