package docgen

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/engine"
)

// externalCitation matches references to documents that are not in the
// repository: the design notes meshlint was first written from, their
// numbered sections (a section sign), and the shared directory beside the
// checkout. A reader of a comment, a rule's METADATA or `meshlint explain`
// has none of them; the domain model they cite is docs/model.md. The
// pattern is written so that this file does not match it: docs/architecture.md
// is allowed, the bare name is not.
var externalCitation = regexp.MustCompile(`(semantics|rules|cli)\.md|(^|[^/])architecture\.md|performance-note[s]|\x{00A7}|/work/share[d]`)

// sectionCitation matches a link to a section of the domain model or the
// README, however the citing file reaches it (docs/model.md#<anchor>,
// ../model.md#<anchor>, ../../README.md#<anchor>).
var sectionCitation = regexp.MustCompile(`(model|README)\.md#([a-z0-9][a-z0-9_-]*)`)

// repoTextFiles returns the repository's text files (relative, slash
// separated) with their contents, skipping .git, what .gitignore keeps out
// (built binaries, profiles) and binary files.
func repoTextFiles(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	ignored := map[string]bool{"meshlint": true, "benchgen": true, "cpu.prof": true, "mem.prof": true}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch rel {
			case ".git", "dist", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || ignored[rel] || strings.HasSuffix(rel, ".test") || strings.HasSuffix(rel, ".out") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0 {
			return nil // binary
		}
		out[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("found only %d files under %s; is root the repository?", len(out), root)
	}
	return out
}

// TestNoCitationOfExternalDocuments keeps every reference in the repository
// followable: nothing may cite the external design notes or their section
// numbers.
func TestNoCitationOfExternalDocuments(t *testing.T) {
	files := repoTextFiles(t)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		for i, line := range strings.Split(string(files[name]), "\n") {
			if externalCitation.MatchString(line) {
				t.Errorf("%s:%d cites a document that is not in the repository; cite docs/model.md#<anchor> or the README instead:\n\t%s",
					name, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// headingAnchors returns the anchors GitHub gives the headings of a
// Markdown file of the repository.
func headingAnchors(t *testing.T, name string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	inFence := false
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		a := headingAnchor(strings.TrimLeft(line, "#"))
		if anchors[a] && name == "docs/model.md" {
			t.Errorf("%s: two headings have the anchor #%s", name, a)
		}
		anchors[a] = true
	}
	return anchors
}

// headingAnchor is GitHub's anchor for a Markdown heading: lower case,
// spaces to hyphens, punctuation other than hyphens and underscores dropped.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestHeadingAnchor(t *testing.T) {
	for heading, want := range map[string]string{
		" peer-authentication-precedence":       "peer-authentication-precedence",
		" How the sidecar enforces a mode":      "how-the-sidecar-enforces-a-mode",
		" Data plane: sidecar, ambient or none": "data-plane-sidecar-ambient-or-none",
	} {
		if got := headingAnchor(heading); got != want {
			t.Errorf("headingAnchor(%q) = %q, want %q", heading, got, want)
		}
	}
}

// TestSectionCitationsResolve holds every docs/model.md#<anchor> and
// README.md#<anchor> cited anywhere in the repository (comments, METADATA,
// fixtures, generated pages, and the model's own cross-references) to a
// heading of that file.
func TestSectionCitationsResolve(t *testing.T) {
	anchors := map[string]map[string]bool{
		"model":  headingAnchors(t, "docs/model.md"),
		"README": headingAnchors(t, "README.md"),
	}
	if n := len(anchors["model"]); n < 40 {
		t.Fatalf("docs/model.md has only %d headings", n)
	}
	files := repoTextFiles(t)
	cited := map[string]bool{}
	selfLink := regexp.MustCompile(`\]\(#([a-z0-9][a-z0-9_-]*)\)`)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		for i, line := range strings.Split(string(files[name]), "\n") {
			matches := sectionCitation.FindAllStringSubmatch(line, -1)
			if name == "docs/model.md" {
				for _, m := range selfLink.FindAllStringSubmatch(line, -1) {
					matches = append(matches, []string{m[0], "model", m[1]})
				}
			}
			for _, m := range matches {
				cited[m[1]+"#"+m[2]] = true
				if !anchors[m[1]][m[2]] {
					t.Errorf("%s:%d cites %s.md#%s, which is no heading there", name, i+1, m[1], m[2])
				}
			}
		}
	}
	if len(cited) < 40 {
		t.Errorf("only %d sections are cited; the citation pattern no longer finds them", len(cited))
	}
}

// TestBuiltinRulesCiteTheModel requires a built-in rule's METADATA
// "semantics" to list docs/model.md sections (or, for the input rules that
// are about meshlint itself, README sections), so that `explain` and the
// rule page point at something a reader has; TestSectionCitationsResolve
// checks that those sections exist.
func TestBuiltinRulesCiteTheModel(t *testing.T) {
	eng, err := engine.New(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, r := range eng.Rules {
		for ref := range strings.SplitSeq(r.Semantics, ",") {
			ref = strings.TrimSpace(ref)
			if !strings.HasPrefix(ref, "docs/model.md#") && !(r.Category == "input" && strings.HasPrefix(ref, "README.md#")) {
				bad = append(bad, r.ID+": "+ref)
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("METADATA semantics of %s: cite docs/model.md#<anchor>, comma-separated", b)
	}
}
