package report

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/finding"
)

// Diagram is a Mermaid flowchart of some scrape paths, drawn by
// internal/scrapegraph, with how many paths it leaves out.
type Diagram struct {
	Mermaid string // every label already escaped for Mermaid
	Drawn   int
	Omitted int
}

// SourceLinks turns a finding's file:line into a link to that line of the
// file at the commit CI builds. Blob is the URL of the repository's tree
// at that commit ("https://github.com/o/r/blob/SHA"); Prefix is the
// directory meshlint ran in, relative to the repository's top, since
// finding paths are relative to it. Empty Blob: plain text.
type SourceLinks struct {
	Blob   string
	Prefix string
}

// SourceLinksFromEnv reads the CI's variables: GitHub Actions'
// GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA (with GITHUB_WORKSPACE,
// the checkout), else GitLab CI's CI_PROJECT_URL and CI_COMMIT_SHA (with
// CI_PROJECT_DIR). wd is the directory meshlint runs in.
func SourceLinksFromEnv(getenv func(string) string, wd string) SourceLinks {
	var l SourceLinks
	top := ""
	switch {
	case getenv("GITHUB_SERVER_URL") != "" && getenv("GITHUB_REPOSITORY") != "" && getenv("GITHUB_SHA") != "":
		l.Blob = strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/") + "/" + getenv("GITHUB_REPOSITORY") + "/blob/" + getenv("GITHUB_SHA")
		top = getenv("GITHUB_WORKSPACE")
	case getenv("CI_PROJECT_URL") != "" && getenv("CI_COMMIT_SHA") != "":
		l.Blob = strings.TrimSuffix(getenv("CI_PROJECT_URL"), "/") + "/-/blob/" + getenv("CI_COMMIT_SHA")
		top = getenv("CI_PROJECT_DIR")
	default:
		return l
	}
	if top != "" && wd != "" {
		if rel, err := filepath.Rel(top, wd); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			l.Prefix = filepath.ToSlash(rel)
		}
	}
	return l
}

// Link is the URL of a line of a file, or "" when the file is not in the
// repository (an absolute path, one above it, stdin) or no CI is known.
func (l SourceLinks) Link(file string, line int) string {
	if l.Blob == "" || file == "" || file == "-" {
		return ""
	}
	p := path.Clean(filepath.ToSlash(file))
	if path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
		return ""
	}
	if l.Prefix != "" {
		p = path.Join(l.Prefix, p)
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		// Parentheses would end a Markdown link destination.
		segs[i] = strings.NewReplacer("(", "%28", ")", "%29").Replace(url.PathEscape(s))
	}
	u := l.Blob + "/" + strings.Join(segs, "/")
	if line > 0 {
		u += fmt.Sprintf("#L%d", line)
	}
	return u
}

// Markdown writes a summary for a GitHub job summary ($GITHUB_STEP_SUMMARY),
// a GitLab merge request note or a chat message: the counts per rule and
// severity, each finding with file:line (a link when the CI is known), and
// a Mermaid picture of the broken scrape paths. Every text from the input
// is escaped (mdText), so a name or message cannot add Markdown or HTML:
// no link, image, heading, table cell, list item, code block or tag.
type Markdown struct{}

// Format implements Formatter.
func (Markdown) Format(w io.Writer, r *Report) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "## meshlint: %s\n\n", SummaryLine(s))
	visible := r.Visible()
	if len(visible) == 0 {
		b.WriteString("No findings.\n")
	} else {
		writeRuleCounts(&b, visible)
		b.WriteString("\n### Findings\n\n")
		for _, f := range visible {
			writeMarkdownFinding(&b, f, r.Links)
		}
	}
	if d := r.BrokenPaths; d != nil && d.Drawn > 0 {
		fmt.Fprintf(&b, "\n### Broken scrape paths\n\n```mermaid\n%s```\n", d.Mermaid)
		if d.Omitted > 0 {
			fmt.Fprintf(&b, "\nand %d more (`meshlint graph --broken` draws them all)\n", d.Omitted)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRuleCounts writes a table of findings per rule and severity.
func writeRuleCounts(b *strings.Builder, fs []finding.Finding) {
	type counts struct{ errors, warnings, notes, suppressed int }
	byRule := map[string]*counts{}
	for _, f := range fs {
		c := byRule[f.Rule]
		if c == nil {
			c = &counts{}
			byRule[f.Rule] = c
		}
		switch {
		case f.Suppressed:
			c.suppressed++
		case f.Severity == "error":
			c.errors++
		case f.Severity == "warning":
			c.warnings++
		default:
			c.notes++
		}
	}
	rules := make([]string, 0, len(byRule))
	for id := range byRule {
		rules = append(rules, id)
	}
	sort.Strings(rules)
	b.WriteString("| rule | errors | warnings | notes | suppressed |\n|---|---:|---:|---:|---:|\n")
	for _, id := range rules {
		c := byRule[id]
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d |\n", mdText(id), c.errors, c.warnings, c.notes, c.suppressed)
	}
}

func writeMarkdownFinding(b *strings.Builder, f finding.Finding, links SourceLinks) {
	sev := f.Severity
	if f.Suppressed {
		sev += ", suppressed"
	}
	fmt.Fprintf(b, "- **%s** %s: %s \\[%s\\]%s\n", mdText(sev), mdLocation(f.File, f.Line, links),
		mdText(f.Message), mdText(f.Rule), mdText(EnvironmentSuffix(f)))
	for _, rel := range f.Related {
		fmt.Fprintf(b, "  - %s: %s\n", mdLocation(rel.File, rel.Line, links), mdText(rel.Message))
	}
	if f.Suppressed && f.Suppression != nil && f.Suppression.Justification != "" {
		fmt.Fprintf(b, "  - suppressed: %s\n", mdText(f.Suppression.Justification))
	}
}

// mdLocation is file:line, linked when links know the repository.
func mdLocation(file string, line int, links SourceLinks) string {
	text := mdText(fmt.Sprintf("%s:%d", file, line))
	if u := links.Link(file, line); u != "" {
		return "[" + text + "](" + u + ")"
	}
	return text
}

// mdText escapes text for Markdown: control characters become visible
// (Sanitize), so text stays on its line; &, < and > become entities, so no
// HTML tag, entity or autolink is written; and the punctuation Markdown
// reads mid-line is backslash-escaped (CommonMark lets any ASCII
// punctuation be): brackets (links, images), emphasis, code spans, table
// cells, strike-through, GitHub's math ($), issue references (#) and
// mentions (@). Bare URLs have their "://" and "www." broken, since GitHub
// links those too. Text never starts a line, so list and heading markers
// need no escape.
func mdText(s string) string {
	s = Sanitize(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '{', '}', '[', ']', '#', '!', '|', '~', '$', '@':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	out := strings.ReplaceAll(b.String(), "://", ":&#47;&#47;")
	return strings.ReplaceAll(out, "www.", "www&#46;")
}
