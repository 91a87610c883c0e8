package scrapegraph

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/report"
)

// Formats are the formats of `meshlint graph`.
var Formats = []string{"mermaid", "dot"}

// Filter narrows a picture; a zero Filter keeps every path.
type Filter struct {
	Namespaces []string // paths whose monitor, Service or workload is in one of these
	Rules      []string // paths with a finding of one of these rules
	Broken     bool     // paths with a finding (broken or at risk)
}

// Keep returns the paths the filter lets through.
func (f Filter) Keep(paths []Path) []Path {
	var out []Path
	for _, p := range paths {
		if f.Broken && p.Verdict == Works {
			continue
		}
		if len(f.Namespaces) > 0 && !anyIn(f.Namespaces, p.Monitor.Namespace, p.Service.Namespace, p.Workload.Namespace) {
			continue
		}
		if len(f.Rules) > 0 && !anyIn(f.Rules, p.Rules...) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func anyIn(set []string, values ...string) bool {
	for _, v := range values {
		if v == "" {
			continue
		}
		for _, s := range set {
			if s == v {
				return true
			}
		}
	}
	return false
}

// Write renders paths in a format of Formats.
func Write(w io.Writer, format string, paths []Path) error {
	switch format {
	case "mermaid":
		return Mermaid(w, paths)
	case "dot":
		return DOT(w, paths)
	}
	return fmt.Errorf("unknown graph format %q (want %s)", format, strings.Join(Formats, ", "))
}

// The colours of verdicts, GitHub's Primer palette: they read on light and
// dark backgrounds.
var verdictColor = map[Verdict]string{Works: "#1a7f37", AtRisk: "#9a6700", Broken: "#cf222e"}

const neutralColor = "#6e7781"

// roleFill tells the kinds of node apart.
var roleFill = map[string]string{"scraper": "#ddf4ff", "monitor": "#fbefff", "service": "#fff8c5",
	"workload": "#dafbe1", "policy": "#ffebe9"}

// Mermaid's default limits (maxTextSize and maxEdges in mermaid's
// packages/mermaid/src/schemas/config.schema.yaml): GitHub and GitLab draw
// nothing for a bigger flowchart.
const (
	mermaidMaxText  = 50000
	mermaidMaxEdges = 500
)

// MermaidTooBig says why Mermaid with its default settings would refuse to
// draw these paths, or "" when it would draw them.
func MermaidTooBig(paths []Path) string {
	var b strings.Builder
	_ = Mermaid(&b, paths)
	if n := len(draw(paths).edges); n > mermaidMaxEdges {
		return fmt.Sprintf("%d edges, and Mermaid draws at most %d", n, mermaidMaxEdges)
	}
	if b.Len() > mermaidMaxText {
		return fmt.Sprintf("%d characters, and Mermaid draws at most %d", b.Len(), mermaidMaxText)
	}
	return ""
}

// Mermaid writes a Mermaid flowchart, left to right. Names come from the
// manifests, which a pull request controls: every label is quoted and every
// character outside a small safe set is written as a Mermaid entity code
// (#NNN;), which Mermaid shows as that character and never parses as
// syntax or markup. Node and group ids are generated, never taken from the
// input.
func Mermaid(w io.Writer, paths []Path) error {
	d := draw(paths)
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	if len(d.nodes) == 0 {
		b.WriteString("  none[\"no scrape paths\"]\n")
	}
	groupID := 0
	var writeGroup func(g *group, indent string)
	writeGroup = func(g *group, indent string) {
		groupID++
		fmt.Fprintf(&b, "%ssubgraph g%d[\"%s\"]\n", indent, groupID, mermaidText(g.label))
		for _, sub := range g.groups {
			writeGroup(sub, indent+"  ")
		}
		for _, n := range g.nodes {
			fmt.Fprintf(&b, "%s  %s[\"%s\"]:::%s\n", indent, n.id, mermaidLines(n.lines), n.role)
		}
		fmt.Fprintf(&b, "%send\n", indent)
	}
	for _, g := range d.groups {
		writeGroup(g, "  ")
	}
	byColor := map[string][]string{}
	for i, e := range d.edges {
		arrow := "-->"
		if e.dashed {
			arrow = "-.->"
		}
		if len(e.lines) == 0 {
			fmt.Fprintf(&b, "  %s %s %s\n", e.from.id, arrow, e.to.id)
		} else {
			fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", e.from.id, arrow, mermaidLines(e.lines), e.to.id)
		}
		color := neutralColor
		if e.scrape {
			color = verdictColor[e.verdict]
		}
		byColor[color] = append(byColor[color], fmt.Sprint(i))
	}
	colors := make([]string, 0, len(byColor))
	for c := range byColor {
		colors = append(colors, c)
	}
	sort.Strings(colors)
	for _, c := range colors {
		fmt.Fprintf(&b, "  linkStyle %s stroke:%s,stroke-width:2px,color:%s\n", strings.Join(byColor[c], ","), c, c)
	}
	roles := make([]string, 0, len(roleFill))
	for r := range roleFill {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	for _, r := range roles {
		fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:%s,color:#1f2328\n", r, roleFill[r], neutralColor)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidLines joins label lines with Mermaid's line break.
func mermaidLines(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = mermaidText(l)
	}
	return strings.Join(out, "<br>")
}

// mermaidText escapes one line of a label: control and invisible
// characters become visible escapes first (report.Sanitize), then anything
// but letters, digits and a few punctuation marks becomes #NNN;.
func mermaidText(s string) string {
	s = report.Sanitize(s)
	var b strings.Builder
	for _, r := range s {
		if mermaidSafe(r) {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "#%d;", r)
	}
	return b.String()
}

func mermaidSafe(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune(" .,/()-_:=", r)
}

// DOT writes a Graphviz digraph, left to right, with a cluster per
// namespace. Every id is generated and every label is a quoted string in
// which backslashes, quotes and line breaks are escaped (after
// report.Sanitize made control characters visible), so no name can end the
// string or use Graphviz's escape sequences (\N, \G, \l).
func DOT(w io.Writer, paths []Path) error {
	d := draw(paths)
	var b strings.Builder
	b.WriteString("digraph scrape_paths {\n")
	b.WriteString("  rankdir=LR;\n")
	b.WriteString("  graph [fontname=\"Helvetica\", fontsize=12];\n")
	b.WriteString("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9];\n")
	cluster := 0
	var writeGroup func(g *group, indent string)
	writeGroup = func(g *group, indent string) {
		cluster++
		fmt.Fprintf(&b, "%ssubgraph cluster_%d {\n", indent, cluster)
		fmt.Fprintf(&b, "%s  label=%s;\n", indent, dotString([]string{g.label}))
		for _, sub := range g.groups {
			writeGroup(sub, indent+"  ")
		}
		for _, n := range g.nodes {
			fmt.Fprintf(&b, "%s  %s [label=%s, fillcolor=\"%s\"];\n", indent, n.id, dotString(n.lines), roleFill[n.role])
		}
		fmt.Fprintf(&b, "%s}\n", indent)
	}
	for _, g := range d.groups {
		writeGroup(g, "  ")
	}
	for _, e := range d.edges {
		color := neutralColor
		if e.scrape {
			color = verdictColor[e.verdict]
		}
		style := "solid"
		if e.dashed {
			style = "dashed"
		}
		width := "1"
		if e.scrape {
			width = "2"
		}
		label := ""
		if len(e.lines) > 0 {
			label = "label=" + dotString(e.lines) + ", "
		}
		fmt.Fprintf(&b, "  %s -> %s [%scolor=\"%s\", fontcolor=\"%s\", style=%s, penwidth=%s];\n",
			e.from.id, e.to.id, label, color, color, style, width)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// dotString is a DOT quoted string of label lines.
func dotString(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		s := report.Sanitize(l)
		s = strings.ReplaceAll(s, `\`, `\\`)
		s = strings.ReplaceAll(s, `"`, `\"`)
		out[i] = s
	}
	return `"` + strings.Join(out, `\n`) + `"`
}
