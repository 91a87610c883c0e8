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

// Format implements Formatter. Every rule's suite lists the same resources
// (or files), filtered by kind: they are named, keyed and sorted once
// (junitIndex), and each suite is written straight from that order merged
// with its findings' cases; building and sorting a case per resource and
// rule was most of the cost of a report of 10,000 apps.
func (JUnit) Format(w io.Writer, r *Report) error {
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
			rules = append(rules, RuleInfo{RuleDoc: finding.RuleDoc{ID: id, Severity: fs[0].Severity}})
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	var idx junitIndex
	suites := make([]junitRuleSuite, len(rules))
	tests, failures := 0, 0
	for i, rule := range rules {
		suites[i] = idx.suiteFor(rule, r, byRule[rule.ID])
		tests += suites[i].suite.Tests
		failures += suites[i].suite.Failures
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	doc := junitSuites{Name: r.Tool.Name, Tests: tests, Failures: failures}
	writeJUnitStart(bw, &doc)
	for i := range suites {
		suites[i].write(bw)
	}
	writeJUnitEnd(bw, len(suites) > 0)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// junitEntry is a test case every suite that checks it lists: a resource
// or a file, with its name, key and kind (for the categories' filter).
type junitEntry struct {
	name, key, kind string
	attr            string // name escaped for an attribute (writeAttr), once for every suite
}

// junitIndex is a report's resources and files as test cases, each list
// unique by key and sorted as a suite's cases are (by name, then key);
// built on first use.
type junitIndex struct {
	resources, files         []junitEntry
	resourceByKey, fileByKey map[string]int
}

func (x *junitIndex) list(r *Report, perFile bool) ([]junitEntry, map[string]int) {
	if x.resourceByKey == nil {
		x.resourceByKey, x.fileByKey = map[string]int{}, map[string]int{}
		for _, res := range r.Resources {
			if k := "file\x00" + res.File; x.fileByKey[k] == 0 {
				x.fileByKey[k] = 1
				x.files = append(x.files, junitEntry{name: res.File, key: k})
			}
			if k := resourceKey(&res.Resource); x.resourceByKey[k] == 0 {
				x.resourceByKey[k] = 1
				x.resources = append(x.resources, junitEntry{name: resourceName(&res.Resource), key: k, kind: res.Kind})
			}
		}
		for _, l := range [][]junitEntry{x.files, x.resources} {
			sort.Slice(l, func(i, j int) bool { return junitBefore(l[i].name, l[i].key, l[j].name, l[j].key) })
		}
		for i, e := range x.files {
			x.fileByKey[e.key] = i
			x.files[i].attr = attrText(e.name)
		}
		for i, e := range x.resources {
			x.resourceByKey[e.key] = i
			x.resources[i].attr = attrText(e.name)
		}
	}
	if perFile {
		return x.files, x.fileByKey
	}
	return x.resources, x.resourceByKey
}

func junitBefore(name1, key1, name2, key2 string) bool {
	if name1 != name2 {
		return name1 < name2
	}
	return key1 < key2
}

// junitRuleSuite is one rule's suite as Format writes it: the entries of
// the index it lists (in), the cases its findings made or added to (hit,
// by entry; extra, for keys the index lacks, sorted).
type junitRuleSuite struct {
	suite     junitSuite // without its cases
	classname string
	entries   []junitEntry
	in        func(e junitEntry) bool
	hit       map[int]*junitCase
	extra     []*junitCase
}

func (x *junitIndex) suiteFor(rule RuleInfo, r *Report, findings []finding.Finding) junitRuleSuite {
	rs := junitRuleSuite{classname: "meshlint." + rule.ID, hit: map[int]*junitCase{}}
	if rule.Category != "" {
		rs.classname = "meshlint." + rule.Category + "." + rule.ID
	}
	perFile := perFileRules[rule.ID]
	kinds, knownCategory := checkedKinds[rule.Category]
	rs.in = func(e junitEntry) bool { return perFile || !knownCategory || slices.Contains(kinds, e.kind) }
	var byKey map[string]int
	if len(r.Resources) > 0 {
		rs.entries, byKey = x.list(r, perFile)
	}
	extra := map[string]*junitCase{}
	caseFor := func(key, name string) *junitCase {
		if i, ok := byKey[key]; ok {
			if rs.hit[i] == nil {
				rs.hit[i] = &junitCase{Name: rs.entries[i].name, Classname: rs.classname, key: key}
			}
			return rs.hit[i]
		}
		if extra[key] == nil {
			extra[key] = &junitCase{Name: name, Classname: rs.classname, key: key}
			rs.extra = append(rs.extra, extra[key])
		}
		return extra[key]
	}
	for _, f := range findings {
		c := caseFor(findingCase(f, perFile))
		addToCase(c, f, r)
	}
	sort.Slice(rs.extra, func(i, j int) bool {
		return junitBefore(rs.extra[i].Name, rs.extra[i].key, rs.extra[j].Name, rs.extra[j].key)
	})

	s := junitSuite{Name: rule.ID, Properties: junitPropertiesOf(rule)}
	for i, e := range rs.entries {
		if rs.in(e) || rs.hit[i] != nil {
			s.Tests++
		}
	}
	s.Tests += len(rs.extra)
	for _, c := range rs.hit {
		if len(c.Failures) > 0 {
			s.Failures++
		}
	}
	for _, c := range rs.extra {
		if len(c.Failures) > 0 {
			s.Failures++
		}
	}
	rs.suite = s
	return rs
}

// addToCase records a finding in its test case: a failure when it fails
// the run, else a line of the case's <system-out>.
func addToCase(c *junitCase, f finding.Finding, r *Report) {
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

// junitPropertiesOf are a suite's properties: the rule's severity,
// category and tier, those it has.
func junitPropertiesOf(rule RuleInfo) *junitProperties {
	var props *junitProperties
	for _, p := range [][2]string{{"severity", rule.Severity}, {"category", rule.Category}, {"tier", rule.Tier}} {
		if p[1] != "" {
			if props == nil {
				props = &junitProperties{}
			}
			props.Property = append(props.Property, junitProperty{Name: p[0], Value: p[1]})
		}
	}
	return props
}

// write writes the suite, its cases in order: the index's entries it lists
// merged with the cases only its findings made.
func (rs *junitRuleSuite) write(w *bufio.Writer) {
	writeSuiteStart(w, &rs.suite)
	n, extra := 0, rs.extra
	class := attrText(rs.classname)
	for i, e := range rs.entries {
		c := rs.hit[i]
		if c == nil && !rs.in(e) {
			continue
		}
		for len(extra) > 0 && junitBefore(extra[0].Name, extra[0].key, e.name, e.key) {
			writeJUnitCase(w, extra[0])
			extra, n = extra[1:], n+1
		}
		n++
		if c != nil {
			writeJUnitCase(w, c)
			continue
		}
		// a case without findings, as writeJUnitCase writes it
		w.WriteString("\n    <testcase name=\"")
		w.WriteString(e.attr)
		w.WriteString(`" classname="`)
		w.WriteString(class)
		w.WriteString(`"></testcase>`)
	}
	for _, c := range extra {
		writeJUnitCase(w, c)
		n++
	}
	writeSuiteEnd(w, &rs.suite, n > 0)
}

// writeJUnit writes doc as encoding/xml's Encoder with Indent("", "  ")
// writes it, after xml.Header, and a final line break: the same bytes (a
// test holds it to the encoder), without reflection, which made a report
// of 10,000 apps' test cases cost more than the rest of the run's output.
// Attribute values are escaped as the encoder escapes them, and element
// text is CDATA split at "]]>" as the encoder splits it.
func writeJUnit(w *bufio.Writer, doc *junitSuites) {
	writeJUnitStart(w, doc)
	for i := range doc.Suites {
		s := &doc.Suites[i]
		writeSuiteStart(w, s)
		for j := range s.Cases {
			writeJUnitCase(w, &s.Cases[j])
		}
		writeSuiteEnd(w, s, len(s.Cases) > 0)
	}
	writeJUnitEnd(w, len(doc.Suites) > 0)
}

func writeJUnitStart(w *bufio.Writer, doc *junitSuites) {
	w.WriteString(xml.Header)
	w.WriteString(`<testsuites name="`)
	writeAttr(w, doc.Name)
	fmt.Fprintf(w, `" tests="%d" failures="%d" errors="%d">`, doc.Tests, doc.Failures, doc.Errors)
}

// writeJUnitEnd closes the document; suites is whether it has any.
func writeJUnitEnd(w *bufio.Writer, suites bool) {
	if suites {
		w.WriteString("\n")
	}
	w.WriteString("</testsuites>\n")
}

func writeSuiteStart(w *bufio.Writer, s *junitSuite) {
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
}

// writeSuiteEnd closes a suite; cases is whether any case was written.
func writeSuiteEnd(w *bufio.Writer, s *junitSuite, cases bool) {
	if s.Properties != nil || cases {
		w.WriteString("\n  ")
	}
	w.WriteString("</testsuite>")
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
	if plainAttr(s) {
		w.WriteString(s)
		return
	}
	xml.EscapeText(w, []byte(s)) //nolint:errcheck // bufio.Writer keeps its first error for Flush
}

// attrText is s as writeAttr writes it.
func attrText(s string) string {
	if plainAttr(s) {
		return s
	}
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) //nolint:errcheck // a strings.Builder does not fail
	return b.String()
}

// plainAttr reports whether writeAttr writes s as it is.
func plainAttr(s string) bool {
	return !strings.ContainsAny(s, "\"'&<>\t\n\r") && utf8.ValidString(s) && !needsReplacing(s)
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

// findingCase is the key and name of the test case a finding belongs to:
// its resource (once per set of environments), or its file, for a rule
// about files or a file that holds no object to name (broken YAML).
func findingCase(f finding.Finding, perFile bool) (key, name string) {
	if f.Resource != nil && !perFile {
		key = resourceKey(f.Resource)
		if len(f.Environments) > 0 {
			key += "\x00" + strings.Join(f.Environments, ",")
		}
		return key, resourceName(f.Resource) + EnvironmentSuffix(f)
	}
	return "file\x00" + f.File, f.File
}
