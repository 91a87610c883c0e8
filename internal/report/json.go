package report

import (
	"encoding/json"
	"io"

	"github.com/meshlint/meshlint/internal/finding"
)

// JSON writes the document described in README.md ("Usage"): tool, findings (sorted),
// summary. Suppressed findings appear only with --show-suppressed.
type JSON struct{}

type jsonDocument struct {
	Tool     Tool              `json:"tool"`
	Findings []finding.Finding `json:"findings"`
	Summary  Summary           `json:"summary"`
}

// Format implements Formatter.
func (JSON) Format(w io.Writer, r *Report) error {
	doc := jsonDocument{Tool: r.Tool, Findings: r.Visible(), Summary: r.Summary}
	for i := range doc.Findings {
		if doc.Findings[i].Related == nil {
			doc.Findings[i].Related = []finding.Related{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
