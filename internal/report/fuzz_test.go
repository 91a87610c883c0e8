package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/finding"
)

// The fuzz targets feed every formatter findings whose file names, resource
// names, messages, rule ids and justifications are arbitrary bytes, as a
// hostile pull request can make them, and check what each format promises:
// no panic; JSON and SARIF parse back as JSON, JUnit as XML; text and github
// lines hold no raw control, bidi or invisible character, and no line is a
// workflow command meshlint did not write. Run one with
//
//	go test ./internal/report -run '^$' -fuzz FuzzText -fuzztime 60s

// fuzzSeeds are hostile strings every target starts from.
var fuzzSeeds = []string{
	"deploy/cart.yaml",
	"::error file=x::pwned.yaml",
	"  ::add-mask::secret",
	"::stop-commands::token\n::error::after",
	"x ##[error]legacy",
	"\x1b[2J\x1b]0;title\x07",
	"admin\u202e\u2066lmay.yaml",
	"ca\u200d\u200brt\ufeff",
	"line\r\nforged: a, b 100%",
	"bad\xff\xfe\x9b utf-8",
	"]]><!-- cdata --><x/>&amp;\"'",
	"\x00\x01\x0b\x0c\ufffe\uffff",
}

func addFuzzSeeds(f *testing.F) {
	for i, s := range fuzzSeeds {
		next := fuzzSeeds[(i+1)%len(fuzzSeeds)]
		f.Add(s, next, s, next, "plaintext-scrape-of-strict-port", i%2 == 0, i)
	}
}

// fuzzReport builds a report of three findings from the fuzzed strings: a
// live one with a related location, a suppressed one, and one on a file
// that holds no object.
func fuzzReport(file, text, name, other, rule string, showSuppressed bool, line int) *Report {
	res := &finding.Resource{APIVersion: "v1/" + other, Kind: name, Namespace: other, Name: name}
	related := []finding.Related{{Place: finding.Place{File: other, Line: line, Column: 1, EndLine: line, EndColumn: 2,
		Path: "/" + name}, Message: other, Resource: res}}
	r := &Report{
		Tool: Tool{Name: "meshlint", Version: "v0.0.0-" + other},
		Findings: []finding.Finding{
			{Place: finding.Place{File: file, Line: line, Column: 2, EndLine: line + 1, EndColumn: 1,
				Path: "/spec/" + name}, Rule: rule, Severity: "error", Message: text, Resource: res, Related: related},
			{Place: finding.Place{File: file, Line: 1, Column: 1}, Rule: rule, Severity: "warning", Message: other,
				Resource: res, Related: []finding.Related{}, Suppressed: true,
				Suppression: &finding.Suppression{Kind: "inSource", Justification: text}},
			{Place: finding.Place{File: other, Line: 0, Column: -1}, Rule: name, Severity: "note",
				Message: text + other, Related: []finding.Related{}},
		},
		ShowSuppressed: showSuppressed,
		Rules:          []RuleInfo{{RuleDoc: finding.RuleDoc{ID: rule, Title: text, Description: other, Severity: "error", Category: name, Tier: other, Fix: text}}},
		Resources:      []LintedResource{{Resource: *res, File: file, Line: line}},
		ExitCode:       1,
	}
	Sort(r.Findings)
	return r
}

func formatFuzzed(t *testing.T, format string, color bool, r *Report) string {
	t.Helper()
	fm, err := New(format, Options{Color: color})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fm.Format(&buf, r); err != nil {
		t.Fatalf("format %s: %v", format, err)
	}
	return buf.String()
}

// checkLogLines fails when a line of a text or github report could fool a
// terminal or the Actions runner: a byte Sanitize escapes, or a workflow
// command meshlint did not write (commands is how its own lines may start).
func checkLogLines(t *testing.T, format, out string, commands ...string) {
	t.Helper()
	if !strings.HasSuffix(out, "\n") && out != "" {
		t.Errorf("%s: output does not end in a line feed: %q", format, out)
	}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !utf8.ValidString(line) {
			t.Errorf("%s line %d is not UTF-8: %q", format, i+1, line)
		}
		for _, r := range line {
			if hidden(r) {
				t.Errorf("%s line %d holds raw %U: %q", format, i+1, r, line)
				break
			}
		}
		if strings.Contains(line, "##[") {
			t.Errorf("%s line %d holds a legacy workflow command: %q", format, i+1, line)
		}
		ours := false
		for _, c := range commands {
			ours = ours || strings.HasPrefix(line, c)
		}
		if startsWithCommand(line) && !ours {
			t.Errorf("%s line %d is a workflow command: %q", format, i+1, line)
		}
	}
}

// stripColor removes the escape sequences the text format writes itself.
var stripColor = strings.NewReplacer(ansiReset, "", ansiBold, "", ansiRed, "", ansiYellow, "", ansiCyan, "", ansiDim, "")

func FuzzText(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, file, text, name, other, rule string, showSuppressed bool, line int) {
		r := fuzzReport(file, text, name, other, rule, showSuppressed, line)
		checkLogLines(t, "text", formatFuzzed(t, "text", false, r))
		checkLogLines(t, "text (colour)", stripColor.Replace(formatFuzzed(t, "text", true, r)))
	})
}

func FuzzGitHub(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, file, text, name, other, rule string, showSuppressed bool, line int) {
		r := fuzzReport(file, text, name, other, rule, showSuppressed, line)
		out := formatFuzzed(t, "github", false, r)
		checkLogLines(t, "github", out, "::error file=", "::warning file=", "::notice file=")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		visible := r.Visible()
		if len(lines) != len(visible) {
			t.Fatalf("%d lines for %d findings:\n%s", len(lines), len(visible), out)
		}
		for i, f := range visible {
			cmd := parseWorkflowCommand(t, lines[i])
			if got, want := cmd.props["file"], Sanitize(f.File); got != want {
				t.Errorf("line %d: file=%q, want %q", i+1, got, want)
			}
			if len(cmd.props) != 6 {
				t.Errorf("line %d: properties %v, want 6", i+1, cmd.props)
			}
		}
	})
}

func FuzzJSON(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, file, text, name, other, rule string, showSuppressed bool, line int) {
		out := formatFuzzed(t, "json", false, fuzzReport(file, text, name, other, rule, showSuppressed, line))
		var doc struct {
			Findings []finding.Finding `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("json output does not parse: %v\n%s", err, out)
		}
		if !utf8.ValidString(out) {
			t.Errorf("json output is not UTF-8")
		}
	})
}

func FuzzSARIF(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, file, text, name, other, rule string, showSuppressed bool, line int) {
		out := formatFuzzed(t, "sarif", false, fuzzReport(file, text, name, other, rule, showSuppressed, line))
		var doc struct {
			Runs []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("sarif output does not parse: %v\n%s", err, out)
		}
		if len(doc.Runs) != 1 || len(doc.Runs[0].Results) != 3 {
			t.Errorf("sarif output has not one run of 3 results:\n%s", out)
		}
	})
}

func FuzzJUnit(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, file, text, name, other, rule string, showSuppressed bool, line int) {
		out := formatFuzzed(t, "junit", false, fuzzReport(file, text, name, other, rule, showSuppressed, line))
		dec := xml.NewDecoder(strings.NewReader(out))
		depth, suites := 0, 0
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("junit output is not XML: %v\n%s", err, out)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				depth++
				if tok.Name.Local == "testsuite" {
					suites++
				}
			case xml.EndElement:
				depth--
			}
		}
		if depth != 0 || suites == 0 {
			t.Errorf("junit output is unbalanced (depth %d) or has no test suite:\n%s", depth, out)
		}
	})
}
