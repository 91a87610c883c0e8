package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/fix"
)

// SARIF writes a SARIF 2.1.0 log that GitHub code scanning ingests as is
// (README.md, "Output formats"): every enabled rule in tool.driver.rules, one result per
// finding with a real region, the Kubernetes object as a logical location,
// fingerprints that survive line moves, and suppressed findings marked
// rather than dropped, whatever --show-suppressed says.
type SARIF struct{}

const (
	// InformationURI is meshlint's home page, named in SARIF tool.driver.
	InformationURI = "https://github.com/meshlint/meshlint"
	// ruleDocBase is where docs/rules/<id>.md is read on GitHub.
	ruleDocBase = InformationURI + "/blob/main/docs/rules/"
	// srcRoot is the base of every artifact URI: the directory meshlint ran
	// in, which in CI is the checkout, so upload-sarif resolves the files.
	srcRoot = "%SRCROOT%"
)

// The wrappers below exist because go-sarif v2.3.3 cannot express three
// things the README promises: it drops an empty suppressions list (omitempty),
// writes null for a suppression's unset status/guid/location (the schema
// rejects null there), and drops exitCode 0 (omitempty). Fields declared
// here shadow the embedded ones of the same JSON name.
type sarifLog struct {
	*sarif.Report
	Runs []sarifRun `json:"runs"`
}

type sarifRun struct {
	*sarif.Run
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifInvocation struct {
	*sarif.Invocation
	ExitCode int `json:"exitCode"`
}

type sarifResult struct {
	*sarif.Result
	Suppressions []sarifSuppression `json:"suppressions"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

// Format implements Formatter. The results are encoded one at a time
// into the log's place for them: building every result first and encoding
// the whole log held all of them, as go-sarif values and as JSON, at once.
// The bytes are those of encoding the whole log (a test holds them to it).
func (SARIF) Format(w io.Writer, r *Report) error {
	log, index, err := sarifEnvelope(r)
	if err != nil {
		return err
	}
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("encode sarif: %w", err)
	}
	// The results are the last field of the one run, the last field of the
	// log; keys are never escaped, so this is that field.
	at := bytes.LastIndex(head.Bytes(), []byte(`"results": [`))
	if at < 0 {
		return fmt.Errorf("encode sarif: no results in the log")
	}
	at += len(`"results": [`)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head.Bytes()[:at])
	var one bytes.Buffer
	renc := json.NewEncoder(&one)
	renc.SetIndent("        ", "  ") // inside "runs": [ { "results": [
	renc.SetEscapeHTML(false)
	fingerprints := uniqueFingerprints(r.Findings)
	for n, f := range r.Findings {
		one.Reset()
		if err := renc.Encode(sarifFinding(f, index[f.Rule], fingerprints[n])); err != nil {
			return fmt.Errorf("encode sarif result: %w", err)
		}
		if n > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n        ")
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	if len(r.Findings) > 0 {
		bw.WriteString("\n      ")
	}
	bw.Write(head.Bytes()[at:])
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

// buildSARIF is the whole log, results included.
func buildSARIF(r *Report) (*sarifLog, error) {
	log, index, err := sarifEnvelope(r)
	if err != nil {
		return nil, err
	}
	fingerprints := uniqueFingerprints(r.Findings)
	for n, f := range r.Findings {
		log.Runs[0].Results = append(log.Runs[0].Results, sarifFinding(f, index[f.Rule], fingerprints[n]))
	}
	return log, nil
}

// sarifEnvelope is the log with no results yet, and the index of each
// finding's rule in tool.driver.rules.
func sarifEnvelope(r *Report) (*sarifLog, map[string]int, error) {
	doc, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, nil, fmt.Errorf("start sarif log: %w", err)
	}
	run := sarif.NewRunWithInformationURI(r.Tool.Name, InformationURI)
	version := strings.TrimPrefix(r.Tool.Version, "v")
	run.Tool.Driver.Version = &version
	run.Tool.Driver.SemanticVersion = &version
	// Columns count characters (loader.Range), not UTF-16 units.
	run.ColumnKind = "unicodeCodePoints"
	run.OriginalUriBaseIDs = map[string]*sarif.ArtifactLocation{
		srcRoot: {Description: textMessage("The repository root: the Git top level of the linted paths, or --root; every artifact URI is relative to it.")},
	}

	index := map[string]int{}
	for _, rule := range r.Rules {
		index[rule.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule(rule))
	}
	for _, f := range r.Findings {
		if _, ok := index[f.Rule]; !ok {
			// A finding of a rule that the report does not describe (a
			// caller that filled no Rules): describe it minimally, because
			// every result must point at a rule in tool.driver.rules.
			index[f.Rule] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule(RuleInfo{RuleDoc: finding.RuleDoc{ID: f.Rule, Title: f.Rule, Severity: f.Severity}}))
		}
	}
	out := sarifRun{Run: run, Results: []sarifResult{}}
	// Exit code 2 means meshlint could not do its job; 0 and 1 are a
	// finished lint, with or without findings.
	success := r.ExitCode == 0 || r.ExitCode == 1
	if r.SARIFCategory != "" {
		out.AutomationDetails = &sarif.RunAutomationDetails{ID: ptr(automationID(r.SARIFCategory))}
	}
	out.Invocations = []sarifInvocation{{Invocation: &sarif.Invocation{ExecutionSuccessful: &success}, ExitCode: r.ExitCode}}
	return &sarifLog{Report: doc, Runs: []sarifRun{out}}, index, nil
}

// automationID is runAutomationDetails.id for a category. GitHub takes the
// part before the last slash as the analysis category, so the id ends with
// one: "prod" -> "prod/" (the category prod, no run id).
func automationID(category string) string {
	if strings.HasSuffix(category, "/") {
		return category
	}
	return category + "/"
}

func ptr[T any](v T) *T { return &v }

// sarifRule describes a rule with everything code scanning shows in its
// rule help panel.
func sarifRule(rule RuleInfo) *sarif.ReportingDescriptor {
	name := pascalCase(rule.ID)
	title := orDefault(rule.Title, rule.ID)
	description := orDefault(rule.Description, title)
	helpURI := ruleDocBase + url.PathEscape(rule.ID) + ".md"
	helpText := title + "\n\n" + description
	helpMarkdown := "**" + title + "**\n\n" + description
	if rule.Fix != "" {
		helpText += "\n\nFix: " + rule.Fix
		helpMarkdown += "\n\n**Fix:** " + rule.Fix
	}
	helpText += "\n\nDocumentation: " + helpURI
	helpMarkdown += "\n\n[Documentation](" + helpURI + ")"
	d := &sarif.ReportingDescriptor{
		ID:                   rule.ID,
		Name:                 &name,
		ShortDescription:     &sarif.MultiformatMessageString{Text: &title},
		FullDescription:      &sarif.MultiformatMessageString{Text: &description},
		Help:                 &sarif.MultiformatMessageString{Text: &helpText, Markdown: &helpMarkdown},
		HelpURI:              &helpURI,
		DefaultConfiguration: &sarif.ReportingConfiguration{Level: sarifLevel(rule.Severity)},
	}
	var tags []string
	for _, t := range append(append([]string{}, rule.Tags...), rule.Category, rule.Tier) {
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		d.Properties = sarif.Properties{"tags": tags}
	}
	// GitHub reads security-severity only on rules tagged security; the
	// engine makes the two go together for the built-in rules.
	if rule.SecuritySeverity != "" && slices.Contains(tags, "security") {
		d.Properties["security-severity"] = rule.SecuritySeverity
	}
	return d
}

func sarifFinding(f finding.Finding, ruleIndex int, fp string) sarifResult {
	res := sarif.NewRuleResult(f.Rule).WithRuleIndex(ruleIndex).WithLevel(sarifLevel(f.Severity))
	res.Message = *textMessage(sentence(f.Message))
	loc := sarifLocation(f.File, f.Line, f.Column, f.EndLine, f.EndColumn, f.Resource)
	if f.Snippet != "" {
		text := xmlSafe(f.Snippet) // no control characters from the file into the log
		loc.PhysicalLocation.Region.Snippet = &sarif.ArtifactContent{Text: &text}
	}
	res.Locations = []*sarif.Location{loc}
	for i, rel := range f.Related {
		rl := sarifLocation(rel.File, rel.Line, rel.Column, rel.EndLine, rel.EndColumn, rel.Resource)
		id := uint(i + 1)
		rl.Id = &id
		rl.Message = textMessage(sentence(rel.Message))
		res.RelatedLocations = append(res.RelatedLocations, rl)
	}
	res.PartialFingerprints = map[string]interface{}{FingerprintKey: fp}
	res.Fixes = sarifFixes(f.Fixes)
	if len(f.Environments) > 0 {
		res.Properties = sarif.Properties{"environments": f.Environments}
	}
	out := sarifResult{Result: res, Suppressions: []sarifSuppression{}}
	if f.Suppressed {
		s := sarifSuppression{Kind: "external", Status: "accepted"}
		if f.Suppression != nil {
			s.Justification = f.Suppression.Justification
			if f.Suppression.Kind == "inSource" {
				s.Kind = "inSource"
			}
		}
		out.Suppressions = append(out.Suppressions, s)
	}
	return out
}

// sarifFixes are the fixes that have edits, each edit a replacement of its
// region (empty for an insertion) in its file; a fix that is only
// described has no artifact change, which SARIF requires, and is left to
// the text and JSON outputs.
func sarifFixes(fixes []fix.Fix) []*sarif.Fix {
	var out []*sarif.Fix
	for _, fx := range fixes {
		if len(fx.Edits) == 0 {
			continue
		}
		desc := fx.Description
		if !fx.Default {
			desc = "Option: " + desc
		}
		sf := sarif.NewFix().WithDescriptionText(sentence(desc))
		byFile := map[string]*sarif.ArtifactChange{}
		for _, e := range fx.Edits {
			ch := byFile[e.File]
			if ch == nil {
				uri, base := artifactURI(e.File), srcRoot
				ch = sarif.NewArtifactChange(&sarif.ArtifactLocation{URI: &uri, URIBaseId: &base})
				byFile[e.File] = ch
				sf.AddArtifactChanges(ch)
			}
			sl, sc, el, ec := e.Start.Line, e.Start.Column, e.End.Line, e.End.Column
			text := e.New
			ch.WithReplacement(sarif.NewReplacement(&sarif.Region{StartLine: &sl, StartColumn: &sc, EndLine: &el, EndColumn: &ec}).
				WithInsertedContent(&sarif.ArtifactContent{Text: &text}))
		}
		out = append(out, sf)
	}
	return out
}

// sarifLocation is a file region plus, when known, the Kubernetes object it
// belongs to, named namespace/Kind/name (Kind/name when cluster-scoped).
func sarifLocation(file string, line, col, endLine, endCol int, res *finding.Resource) *sarif.Location {
	uri, base := artifactURI(file), srcRoot
	start, end := normalizeRegion(line, col, endLine, endCol)
	loc := &sarif.Location{PhysicalLocation: &sarif.PhysicalLocation{
		ArtifactLocation: &sarif.ArtifactLocation{URI: &uri, URIBaseId: &base},
		Region:           &sarif.Region{StartLine: &start[0], StartColumn: &start[1], EndLine: &end[0], EndColumn: &end[1]},
	}}
	if res != nil {
		name, fqn, kind := res.Name, objectName(res), "object"
		loc.LogicalLocations = []*sarif.LogicalLocation{{Name: &name, FullyQualifiedName: &fqn, Kind: &kind}}
	}
	return loc
}

// normalizeRegion keeps a region valid when a position is unknown (zero):
// SARIF lines and columns are 1-based and the end never precedes the start.
func normalizeRegion(line, col, endLine, endCol int) (start, end [2]int) {
	start = [2]int{max(line, 1), max(col, 1)}
	end = [2]int{max(endLine, start[0]), max(endCol, 1)}
	if end[0] == start[0] && end[1] < start[1] {
		end[1] = start[1]
	}
	return start, end
}

// artifactURI turns a display path (relative, forward slashes) into a
// relative URI reference: spaces and the like percent-encoded, and a colon
// in the first segment kept from reading as a scheme.
func artifactURI(file string) string {
	if file == "-" {
		return "stdin"
	}
	return (&url.URL{Path: file}).String()
}

// objectName is the logical location of a Kubernetes object.
func objectName(r *finding.Resource) string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Namespace + "/" + r.Kind + "/" + r.Name
}

func sarifLevel(severity string) string {
	switch severity {
	case "error", "warning", "note":
		return severity
	}
	return "warning"
}

// sentence ends a message with a period, as SARIF asks of plain-text
// messages (the Multitool's SARIF2001).
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

func textMessage(s string) *sarif.Message {
	return &sarif.Message{Text: &s}
}

// pascalCase turns a rule id into the rule's SARIF name:
// plaintext-scrape-of-strict-port -> PlaintextScrapeOfStrictPort.
func pascalCase(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' }) {
		first, size := utf8.DecodeRuneInString(part)
		b.WriteRune(unicode.ToUpper(first))
		b.WriteString(part[size:])
	}
	return b.String()
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
