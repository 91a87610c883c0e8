package report

import (
	"fmt"
	"strings"
)

// Format is one output format: the name -f takes, the line the README's
// formats table shows for it, and how to make its formatter.
type Format struct {
	Name    string
	Summary string
	New     func(Options) Formatter
}

// Registry is every output format, in the order the --format help, shell
// completion and the README list them; the first is the default. A new
// format is a new row here, its formatter's file, and its row in the README
// table (a test holds the README to this list).
var Registry = []Format{
	{"text", "findings for a terminal or a CI log, each with the chain of related locations that explains it",
		func(o Options) Formatter { return &Text{Color: o.Color} }},
	{"json", "one JSON document: tool, findings (with positions, resource, related locations, suppression) and summary",
		func(Options) Formatter { return JSON{} }},
	{"sarif", "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers",
		func(Options) Formatter { return SARIF{} }},
	{"junit", "JUnit XML for Jenkins, GitLab and other test report views: a suite per rule, a case per resource",
		func(Options) Formatter { return JUnit{} }},
	{"github", "GitHub Actions workflow commands, so findings show on the pull request's diff",
		func(Options) Formatter { return GitHub{} }},
	{"gitlab", "a GitLab Code Quality report for the merge request widget",
		func(Options) Formatter { return GitLab{} }},
	{"markdown", "a summary for a CI step summary or a merge-request note: counts per rule, findings with file:line links, the broken scrape paths drawn in Mermaid",
		func(Options) Formatter { return Markdown{} }},
}

// Formats lists the format names of Registry, in order.
var Formats = func() []string {
	names := make([]string, len(Registry))
	for i, f := range Registry {
		names[i] = f.Name
	}
	return names
}()

// New returns the formatter for a format name.
func New(format string, opts Options) (Formatter, error) {
	for _, f := range Registry {
		if f.Name == format {
			return f.New(opts), nil
		}
	}
	return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// FormatsHelp names the formats for --format's help: "text (default),
// json, ...".
func FormatsHelp() string {
	return Formats[0] + " (default), " + strings.Join(Formats[1:], ", ")
}
