// Package report renders findings. Each output format lives in its own file
// behind the Formatter interface; all of them are deterministic.
package report

import (
	"cmp"
	"io"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/finding"
)

// EnvironmentSuffix is how text formats name a finding's environments:
// " [env: dev, prod]", or "" when it has none.
func EnvironmentSuffix(f finding.Finding) string {
	if len(f.Environments) == 0 {
		return ""
	}
	return " [env: " + strings.Join(f.Environments, ", ") + "]"
}

// Summary counts what was linted and found.
type Summary struct {
	Files      int `json:"files"`
	Resources  int `json:"resources"`
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Notes      int `json:"notes"`
	Suppressed int `json:"suppressed"`
}

// Tool names meshlint in reports.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// RuleInfo documents one enabled rule, for the formats that describe what
// they checked: SARIF lists the rules in tool.driver.rules, JUnit writes one
// test suite per rule.
type RuleInfo struct {
	finding.RuleDoc
	// Tags and SecuritySeverity are the rule's code scanning tags and, for
	// rules tagged security, the score GitHub ranks their alerts by.
	Tags             []string `json:"tags,omitempty"`
	SecuritySeverity string   `json:"securitySeverity,omitempty"`
}

// LintedResource is a Kubernetes object that was read, with where it starts,
// so formats can list what was checked and not only what failed.
type LintedResource struct {
	finding.Resource
	File string `json:"file"`
	Line int    `json:"line"`
}

// Report is everything a formatter renders.
type Report struct {
	Tool           Tool
	Findings       []finding.Finding // sorted; suppressed ones included
	Summary        Summary
	ShowSuppressed bool
	// Rules are the enabled rules, sorted by id.
	Rules []RuleInfo
	// Resources are the objects linted, in input order.
	Resources []LintedResource
	// ExitCode is the exit code meshlint ends this run with; SARIF records
	// it in its invocation.
	ExitCode int
	// FailOn is the run's --fail-on (error, warning, note, none; empty
	// means error, the default): JUnit makes a failure only of what fails
	// the run.
	FailOn string
	// SARIFCategory (--sarif-category) names this run in SARIF's
	// automationDetails, so runs over several environments upload side by
	// side instead of replacing each other's alerts.
	SARIFCategory string
	// BrokenPaths is the Mermaid picture of the scrape paths with findings
	// that the markdown format shows; nil draws none (markdown.go).
	BrokenPaths *Diagram
	// Links make the markdown format's file:line links to the file at the
	// commit CI builds; the zero value writes plain text.
	Links SourceLinks
}

// severityRank orders severities for FailOn; an unknown severity ranks with
// error, so a finding is never quietly demoted.
var severityRank = map[string]int{"note": 1, "warning": 2, "error": 3}

// FailsRun reports whether an unsuppressed finding of this severity makes the
// run exit 1 under r.FailOn.
func (r *Report) FailsRun(severity string) bool {
	min := r.FailOn
	switch min {
	case "none":
		return false
	case "":
		min = "error"
	}
	rank, ok := severityRank[severity]
	if !ok {
		rank = severityRank["error"]
	}
	return rank >= severityRank[min]
}

// Formatter writes a report in one format.
type Formatter interface {
	Format(w io.Writer, r *Report) error
}

// Options configure formatters that depend on the terminal.
type Options struct {
	Color bool
}

// Sort orders findings by file, line, column, rule and message, so output
// never depends on the order files were read in.
func Sort(fs []finding.Finding) {
	slices.SortStableFunc(fs, func(a, b finding.Finding) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
	})
}

// Visible returns the findings a human-facing format shows.
func (r *Report) Visible() []finding.Finding {
	if r.ShowSuppressed {
		return r.Findings
	}
	out := make([]finding.Finding, 0, len(r.Findings))
	for _, f := range r.Findings {
		if !f.Suppressed {
			out = append(out, f)
		}
	}
	return out
}
