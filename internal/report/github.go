package report

import (
	"fmt"
	"io"
	"strings"
)

// GitHub writes GitHub Actions workflow commands, one per finding, which the
// runner turns into annotations on the pull request's diff:
//
//	::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::MESSAGE
//
// Warnings become ::warning and notes ::notice. Suppressed findings appear
// only with --show-suppressed, as notices, so they never read as failures.
type GitHub struct{}

// Format implements Formatter.
func (GitHub) Format(w io.Writer, r *Report) error {
	var b strings.Builder
	for _, f := range r.Visible() {
		// Control characters other than line breaks (which escapeData
		// turns into %0A, so they cannot end the command) become visible
		// escapes, as in the text format: no ANSI sequence from a manifest
		// reaches the log.
		command, title := githubCommand(f.Severity), Sanitize(f.Rule)
		message := sanitizeLines(f.Message + EnvironmentSuffix(f))
		if f.Suppressed {
			command, title = "notice", Sanitize(f.Rule)+" (suppressed)"
			if f.Suppression != nil && f.Suppression.Justification != "" {
				message += "\nsuppressed: " + sanitizeLines(f.Suppression.Justification)
			}
		}
		// The runner shows only the message, so the rest of the chain goes
		// on the following lines of the annotation.
		for _, rel := range f.Related {
			message += fmt.Sprintf("\n%s:%d:%d: %s", Sanitize(rel.File), rel.Line, rel.Column, Sanitize(rel.Message))
		}
		start, end := normalizeRegion(f.Line, f.Column, f.EndLine, f.EndColumn)
		fmt.Fprintf(&b, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
			command, escapeProperty(Sanitize(f.File)), start[0], start[1], end[0], end[1], escapeProperty(title), escapeData(message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sanitizeLines is Sanitize that keeps line feeds.
func sanitizeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Sanitize(l)
	}
	return strings.Join(lines, "\n")
}

func githubCommand(severity string) string {
	switch severity {
	case "error":
		return "error"
	case "warning":
		return "warning"
	}
	return "notice"
}

// escapeData escapes a command's message the way the Actions runner
// unescapes it (toolkit's command.ts escapeData): % first, then CR and LF,
// so no manifest text can end the command or start another one.
func escapeData(s string) string {
	return dataEscaper.Replace(s)
}

// escapeProperty escapes a property value (file, title), where ':' and ','
// also separate properties and the message.
func escapeProperty(s string) string {
	return propertyEscaper.Replace(s)
}

// strings.Replacer scans once, so "%" is never escaped twice.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)
