package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/finding"
)

// JUnit writes JUnit XML as Jenkins and GitLab read it (the jenkins-junit
// XSD): one <testsuite> per enabled rule, one <testcase> per resource that
// rule checked (per file for invalid-manifest, which is about files: a case
// per resource would make a 75k-resource run a 95 MB report), and a
// <failure> per live finding that fails the run under --fail-on, with
// file:line:col in its text. The report does not lie: a run that exits 0
// shows green. Findings below --fail-on and suppressed findings are not
// failures; they are listed in the test case's <system-out>. No timestamps
// or durations: the same input gives the same bytes.
//
// Consumers that keep one failure per test case (Jenkins shows the first)
// show one finding of several on the same resource; SARIF and the github
// format carry every one.
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Failures  []junitFailure `xml:"failure"`
	SystemOut *junitText     `xml:"system-out"`
	key       string
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// junitText is element content kept as CDATA, so the multi-line text reads
// as it will be shown instead of as &#xA; entities.
type junitText struct {
	Text string `xml:",cdata"`
}

// checkedKinds approximates which resources a rule checks by the kinds its
// category reads (docs/rules/README.md): a rule's Rego sees the whole graph, so "checked"
// is not recorded per rule, but each category is about a known set of
// kinds. A resource with a finding is always a test case of its rule, so the
// approximation can only add passing cases, never hide a failure. The input
// category (invalid-manifest) and categories meshlint does not know (rules
// from --policy) check every resource. Self-managed Prometheus Deployments
// are checked by the prometheus category but are not told apart from other
// Deployments here; they appear when they have a finding.
var checkedKinds = map[string][]string{
	"scrape":             {"ServiceMonitor", "PodMonitor", "ScrapeConfig"},
	"monitor":            {"ServiceMonitor", "PodMonitor", "ScrapeConfig"},
	"prometheus":         {"Prometheus"},
	"peerauthentication": {"PeerAuthentication", "Policy", "MeshPolicy"},
	"merge":              {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"},
}

// Format implements Formatter.
func (JUnit) Format(w io.Writer, r *Report) error {
	doc := junitSuites{Name: r.Tool.Name}
	byRule := map[string][]finding.Finding{}
	for _, f := range r.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	rules := append([]RuleInfo(nil), r.Rules...)
	known := map[string]bool{}
	for _, rule := range rules {
		known[rule.ID] = true
	}
	for id, fs := range byRule {
		if !known[id] {
			rules = append(rules, RuleInfo{ID: id, Severity: fs[0].Severity})
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for _, rule := range rules {
		s := junitSuiteFor(rule, r, byRule[rule.ID])
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	writeJUnit(bw, &doc)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// writeJUnit writes doc as encoding/xml's Encoder with Indent("", "  ")
// writes it, after xml.Header, and a final line break: the same bytes (a
// test holds it to the encoder), without reflection, which made a report
// of 10,000 apps' test cases cost more than the rest of the run's output.
// Attribute values are escaped as the encoder escapes them, and element
// text is CDATA split at "]]>" as the encoder splits it.
func writeJUnit(w *bufio.Writer, doc *junitSuites) {
	w.WriteString(xml.Header)
	w.WriteString(`<testsuites name="`)
	writeAttr(w, doc.Name)
	fmt.Fprintf(w, `" tests="%d" failures="%d" errors="%d">`, doc.Tests, doc.Failures, doc.Errors)
	for i := range doc.Suites {
		s := &doc.Suites[i]
		w.WriteString("\n  <testsuite name=\"")
		writeAttr(w, s.Name)
		fmt.Fprintf(w, `" tests="%d" failures="%d" errors="%d" skipped="%d">`, s.Tests, s.Failures, s.Errors, s.Skipped)
		if s.Properties != nil {
			w.WriteString("\n    <properties>")
			for _, p := range s.Properties.Property {
				w.WriteString("\n      <property name=\"")
				writeAttr(w, p.Name)
				w.WriteString(`" value="`)
				writeAttr(w, p.Value)
				w.WriteString(`"></property>`)
			}
			if len(s.Properties.Property) > 0 {
				w.WriteString("\n    ")
			}
			w.WriteString("</properties>")
		}
		for j := range s.Cases {
			writeJUnitCase(w, &s.Cases[j])
		}
		if s.Properties != nil || len(s.Cases) > 0 {
			w.WriteString("\n  ")
		}
		w.WriteString("</testsuite>")
	}
	if len(doc.Suites) > 0 {
		w.WriteString("\n")
	}
	w.WriteString("</testsuites>\n")
}

func writeJUnitCase(w *bufio.Writer, c *junitCase) {
	w.WriteString("\n    <testcase name=\"")
	writeAttr(w, c.Name)
	w.WriteString(`" classname="`)
	writeAttr(w, c.Classname)
	w.WriteString(`">`)
	for _, f := range c.Failures {
		w.WriteString("\n      <failure message=\"")
		writeAttr(w, f.Message)
		w.WriteString(`" type="`)
		writeAttr(w, f.Type)
		w.WriteString(`">`)
		writeCDATA(w, f.Text)
		w.WriteString("</failure>")
	}
	if c.SystemOut != nil {
		w.WriteString("\n      <system-out>")
		writeCDATA(w, c.SystemOut.Text)
		w.WriteString("</system-out>")
	}
	if len(c.Failures) > 0 || c.SystemOut != nil {
		w.WriteString("\n    ")
	}
	w.WriteString("</testcase>")
}

// writeAttr escapes an attribute value as xml.EscapeText does.
func writeAttr(w *bufio.Writer, s string) {
	if !strings.ContainsAny(s, "\"'&<>\t\n\r") && utf8.ValidString(s) && !needsReplacing(s) {
		w.WriteString(s)
		return
	}
	xml.EscapeText(w, []byte(s)) //nolint:errcheck // bufio.Writer keeps its first error for Flush
}

// needsReplacing reports whether s holds a character XML cannot hold,
// which xml.EscapeText writes as U+FFFD.
func needsReplacing(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r > 0xD7FF && r < 0xE000) || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// writeCDATA writes text as the encoder's CDATA: nothing when empty, and
// "]]>" split across two sections.
func writeCDATA(w *bufio.Writer, s string) {
	if s == "" {
		return
	}
	w.WriteString("<![CDATA[")
	w.WriteString(strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>"))
	w.WriteString("]]>")
}

// perFileRules are the rules about files rather than objects: their test
// cases are the files read.
var perFileRules = map[string]bool{"invalid-manifest": true}

func junitSuiteFor(rule RuleInfo, r *Report, findings []finding.Finding) junitSuite {
	classname := "meshlint." + rule.ID
	if rule.Category != "" {
		classname = "meshlint." + rule.Category + "." + rule.ID
	}
	cases := map[string]*junitCase{}
	caseFor := func(key, name string) *junitCase {
		c := cases[key]
		if c == nil {
			c = &junitCase{Name: name, Classname: classname, key: key}
			cases[key] = c
		}
		return c
	}
	perFile := perFileRules[rule.ID]
	kinds, knownCategory := checkedKinds[rule.Category]
	for _, res := range r.Resources {
		switch {
		case perFile:
			caseFor("file\x00"+res.File, res.File)
		case !knownCategory || slices.Contains(kinds, res.Kind):
			caseFor(resourceKey(&res.Resource), resourceName(&res.Resource))
		}
	}
	for _, f := range findings {
		var c *junitCase
		if f.Resource != nil && !perFile {
			key := resourceKey(f.Resource)
			if len(f.Environments) > 0 {
				key += "\x00" + strings.Join(f.Environments, ",")
			}
			c = caseFor(key, resourceName(f.Resource)+EnvironmentSuffix(f))
		} else {
			// A file that holds no object to name (broken YAML), or a rule
			// about files.
			c = caseFor("file\x00"+f.File, f.File)
		}
		switch {
		case f.Suppressed:
			line := "suppressed: " + findingLine(f)
			if f.Suppression != nil && f.Suppression.Justification != "" {
				line += " (" + f.Suppression.Justification + ")"
			}
			c.systemOut(line + "\n")
		case !r.FailsRun(f.Severity):
			c.systemOut("below --fail-on " + orDefault(r.FailOn, "error") + ": " + failureText(f))
		default:
			c.Failures = append(c.Failures, junitFailure{Message: f.Message, Type: f.Severity, Text: xmlSafe(failureText(f))})
		}
	}

	s := junitSuite{Name: rule.ID}
	for _, p := range [][2]string{{"severity", rule.Severity}, {"category", rule.Category}, {"tier", rule.Tier}} {
		if p[1] != "" {
			if s.Properties == nil {
				s.Properties = &junitProperties{}
			}
			s.Properties.Property = append(s.Properties.Property, junitProperty{Name: p[0], Value: p[1]})
		}
	}
	for _, c := range cases {
		s.Cases = append(s.Cases, *c)
		if len(c.Failures) > 0 {
			s.Failures++
		}
	}
	sort.Slice(s.Cases, func(i, j int) bool {
		if s.Cases[i].Name != s.Cases[j].Name {
			return s.Cases[i].Name < s.Cases[j].Name
		}
		return s.Cases[i].key < s.Cases[j].key
	})
	s.Tests = len(s.Cases)
	return s
}

// systemOut appends text to the case's <system-out>.
func (c *junitCase) systemOut(text string) {
	if c.SystemOut == nil {
		c.SystemOut = &junitText{}
	}
	c.SystemOut.Text += xmlSafe(text)
}

// resourceKey identifies an object across the findings and the resource
// list; the apiVersion keeps same-named kinds of different groups apart.
func resourceKey(r *finding.Resource) string {
	return strings.Join([]string{r.APIVersion, r.Kind, r.Namespace, r.Name}, "\x00")
}

// resourceName is a test case name: "Kind namespace/name", or "Kind name"
// for cluster-scoped objects. It holds no line number, so CI test history
// follows the object when lines move.
func resourceName(r *finding.Resource) string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// findingLine is "file:line:col: message", the form editors and CI logs link.
func findingLine(f finding.Finding) string {
	return fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Column, f.Message)
}

func failureText(f finding.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s: %s [%s]%s\n", f.File, f.Line, f.Column, f.Severity, f.Message, f.Rule, EnvironmentSuffix(f))
	for _, rel := range f.Related {
		fmt.Fprintf(&b, "    %s:%d:%d: %s\n", rel.File, rel.Line, rel.Column, rel.Message)
	}
	return b.String()
}

// xmlSafe replaces the characters XML 1.0 cannot hold at all (most control
// characters), which CDATA, unlike escaped text, passes through unchanged.
// Manifest text reaches the messages, so it must not break the document.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}
