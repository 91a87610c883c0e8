package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// GitLab writes a GitLab Code Quality report: the JSON array GitLab reads
// from artifacts:reports:codequality and shows in the merge request widget
// and the pipeline's Code Quality tab. GitLab documents the format in prose
// only; each issue carries the fields it requires (description, check_name,
// fingerprint, severity, location.path, location.lines.begin).
//
// Suppressed findings are left out whatever --show-suppressed says: the
// format has no way to mark an issue as accepted, and an accepted finding
// shown as a new issue on every merge request would be noise.
type GitLab struct{}

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// Format implements Formatter.
func (GitLab) Format(w io.Writer, r *Report) error {
	// The fingerprints are computed over every finding, suppressed ones
	// included, so an issue keeps the fingerprint its SARIF result has.
	fingerprints := uniqueFingerprints(r.Findings)
	issues := []gitlabIssue{}
	for i, f := range r.Findings {
		if f.Suppressed {
			continue
		}
		start, end := normalizeRegion(f.Line, f.Column, f.EndLine, f.EndColumn)
		issues = append(issues, gitlabIssue{
			Description: sentence(f.Message),
			CheckName:   f.Rule,
			Fingerprint: fingerprints[i],
			Severity:    gitlabSeverity(f.Severity),
			Location:    gitlabLocation{Path: gitlabPath(f.File), Lines: gitlabLines{Begin: start[0], End: end[0]}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(issues); err != nil {
		return fmt.Errorf("encode gitlab code quality: %w", err)
	}
	return nil
}

// gitlabSeverity maps meshlint's three severities onto GitLab's five (info,
// minor, major, critical, blocker). An error is a target that is down or mTLS
// that is weakened, which the widget should rank above style issues of other
// tools (major) without claiming it blocks a release on its own (blocker);
// critical is left to the tools that measure exploitability.
func gitlabSeverity(severity string) string {
	switch severity {
	case "error":
		return "major"
	case "warning":
		return "minor"
	case "note":
		return "info"
	}
	return "minor"
}

// gitlabPath is location.path: the display path, which is relative to the
// directory meshlint ran in (in CI, the checkout, so the repository root).
// Stdin has no path in the repository; it is named as in SARIF.
func gitlabPath(file string) string {
	if file == "-" {
		return "stdin"
	}
	return file
}
