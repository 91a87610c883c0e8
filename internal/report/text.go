package report

import (
	"fmt"
	"io"
	"strings"
)

// Text writes one line per finding, `file:line:col: severity: message [rule]`,
// the format editors and CI logs link to, with related locations indented
// below it.
type Text struct {
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

// Format implements Formatter.
func (t *Text) Format(w io.Writer, r *Report) error {
	var b strings.Builder
	for _, f := range r.Visible() {
		sev := Sanitize(f.Severity)
		if f.Suppressed {
			sev += " (suppressed)"
		}
		// A file named ":" would make "::1:1:" a line the Actions runner
		// reads as a workflow command; the location starts every line.
		loc := escapeLeadingCommand(fmt.Sprintf("%s:%d:%d:", Sanitize(f.File), f.Line, f.Column))
		rule := "[" + Sanitize(f.Rule) + "]"
		if t.Color {
			loc = ansiBold + loc + ansiReset
			sev = severityColor(f.Severity) + sev + ansiReset
			rule = ansiDim + rule + ansiReset
		}
		fmt.Fprintf(&b, "%s %s: %s %s%s\n", loc, sev, Sanitize(f.Message), rule, Sanitize(EnvironmentSuffix(f)))
		for _, rel := range f.Related {
			rloc := escapeLeadingCommand(fmt.Sprintf("%s:%d:%d:", Sanitize(rel.File), rel.Line, rel.Column))
			if t.Color {
				rloc = ansiCyan + rloc + ansiReset
			}
			fmt.Fprintf(&b, "    %s %s\n", rloc, Sanitize(rel.Message))
		}
		for _, fx := range f.Fixes {
			label := "fix:"
			if !fx.Default {
				label = "fix (option):"
			}
			if t.Color {
				label = ansiDim + label + ansiReset
			}
			fmt.Fprintf(&b, "    %s %s\n", label, Sanitize(fx.Description))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func severityColor(s string) string {
	switch s {
	case "error":
		return ansiBold + ansiRed
	case "warning":
		return ansiBold + ansiYellow
	}
	return ansiBold + ansiCyan
}

// SummaryLine is the human summary meshlint prints to stderr.
func SummaryLine(s Summary) string {
	parts := []string{plural(s.Errors, "error"), plural(s.Warnings, "warning"), plural(s.Notes, "note")}
	line := strings.Join(parts, ", ")
	if s.Suppressed > 0 {
		line += fmt.Sprintf(" (%d suppressed)", s.Suppressed)
	}
	return fmt.Sprintf("%s in %s (%s)", line, plural(s.Files, "file"), plural(s.Resources, "resource"))
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
