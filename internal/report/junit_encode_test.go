package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

// encodeJUnitReference is what Format wrote before writeJUnit: the
// encoding/xml Encoder, indented by two spaces.
func encodeJUnitReference(t testing.TB, doc *junitSuites) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	b.WriteString("\n")
	return b.Bytes()
}

var junitTexts = []string{"", "plain", "a \"quoted\" 'text' & <tag>", "two\nlines\r\n\tindented", "]]>", "x]]>y]]>", "]]", "\x00\x01bell\x07",
	"\ufffd valid replacement", "bad utf8 \xff\xfe", "\uffff\ufffe", "emoji 🚀", "trailing ]"}

// randomSuites makes a document with every optional part present and
// absent, and texts that need escaping or CDATA splitting.
func randomSuites(rng *rand.Rand) *junitSuites {
	text := func() string { return junitTexts[rng.Intn(len(junitTexts))] + junitTexts[rng.Intn(len(junitTexts))] }
	doc := &junitSuites{Name: text(), Tests: rng.Intn(100), Failures: rng.Intn(10), Errors: rng.Intn(3)}
	for i := rng.Intn(4); i > 0; i-- {
		s := junitSuite{Name: text(), Tests: rng.Intn(50), Failures: rng.Intn(5), Skipped: rng.Intn(2)}
		if rng.Intn(3) > 0 {
			s.Properties = &junitProperties{}
			for j := rng.Intn(3); j > 0; j-- {
				s.Properties.Property = append(s.Properties.Property, junitProperty{Name: text(), Value: text()})
			}
		}
		for j := rng.Intn(4); j > 0; j-- {
			c := junitCase{Name: text(), Classname: text()}
			for k := rng.Intn(3); k > 0; k-- {
				c.Failures = append(c.Failures, junitFailure{Message: text(), Type: text(), Text: text()})
			}
			if rng.Intn(2) == 0 {
				c.SystemOut = &junitText{Text: text()}
			}
			s.Cases = append(s.Cases, c)
		}
		doc.Suites = append(doc.Suites, s)
	}
	return doc
}

func TestWriteJUnitMatchesEncoder(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	for i := 0; i < 2000; i++ {
		doc := randomSuites(rng)
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		writeJUnit(w, doc)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if want := encodeJUnitReference(t, doc); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("document %d:\ngot:\n%s\nthe encoder:\n%s", i, got.Bytes(), want)
		}
	}
}

// bigReport is a report of 10,000 apps' resources (75,000, in the five
// categories' kinds) with 2,028 findings, each with a related location,
// over rules in the categories and numbers of meshlint's catalog.
func bigReport() *Report {
	r := &Report{Tool: Tool{Name: "meshlint"}, Rules: []RuleInfo{{RuleDoc: finding.RuleDoc{ID: "invalid-manifest", Category: "input", Severity: "error"}},
		{RuleDoc: finding.RuleDoc{ID: "plaintext-scrape-of-strict-port", Category: "scrape", Severity: "error"}}, {RuleDoc: finding.RuleDoc{ID: "podmonitor-under-strict", Category: "monitor", Severity: "error"}},
		{RuleDoc: finding.RuleDoc{ID: "peer-authentication-conflict", Category: "peerauthentication", Severity: "warning"}}, {RuleDoc: finding.RuleDoc{ID: "merged-metrics", Category: "merge", Severity: "warning"}}}}
	// the rest of the catalog's 40 rules, by category as it has them
	for cat, n := range map[string]int{"input": 4, "scrape": 7, "monitor": 2, "peerauthentication": 11, "merge": 3, "prometheus": 8} {
		for i := 0; i < n; i++ {
			r.Rules = append(r.Rules, RuleInfo{RuleDoc: finding.RuleDoc{ID: fmt.Sprintf("%s-%d", cat, i), Category: cat, Severity: "warning"}})
		}
	}
	kinds := []string{"Namespace", "PeerAuthentication", "ConfigMap", "ServiceAccount", "Deployment", "Service", "ServiceMonitor", "PodMonitor"}
	for i := 0; i < 75000; i++ {
		ns := fmt.Sprintf("app-%05d", i/8)
		res := finding.Resource{APIVersion: "v1", Kind: kinds[i%len(kinds)], Namespace: ns, Name: ns}
		r.Resources = append(r.Resources, LintedResource{File: "apps/" + ns + "/f.yaml", Line: 1, Resource: res})
		if i%37 == 0 {
			rc := res
			r.Findings = append(r.Findings, finding.Finding{Place: finding.Place{File: "apps/" + ns + "/f.yaml",
				Line: 3, Column: 5}, Rule: "plaintext-scrape-of-strict-port", Severity: "error",
				Message: "scraped in plaintext <under> STRICT", Resource: &rc,
				Related: []finding.Related{{Place: finding.Place{File: "p.yaml", Line: 1, Column: 1},
					Message: "the Prometheus"}}})
		}
	}
	return r
}

// BenchmarkJUnit: the JUnit report of bigReport, written by hand and by
// encoding/xml, and its JSON report.
func BenchmarkJUnit(b *testing.B) {
	r := bigReport()
	b.Run("writeJUnit", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var buf bytes.Buffer
			if err := (JUnit{}).Format(&buf, r); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			doc := junitSuites{Name: r.Tool.Name}
			for _, rule := range r.Rules {
				var fs []finding.Finding
				for _, f := range r.Findings {
					if f.Rule == rule.ID {
						fs = append(fs, f)
					}
				}
				doc.Suites = append(doc.Suites, junitSuiteFor(rule, r, fs))
			}
			b.SetBytes(int64(len(encodeJUnitReference(b, &doc))))
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var buf bytes.Buffer
			if err := (JSON{}).Format(&buf, r); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
		}
	})
}

// junitSuiteFor is how Format built a rule's suite before junitIndex: a
// case per resource (or file) it checks and per finding, sorted. It is the
// reference TestJUnitMatchesSuites holds Format to.
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
		addToCase(caseFor(findingCase(f, perFile)), f, r)
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

// junitReference is the report Format wrote with junitSuiteFor.
func junitReference(t testing.TB, r *Report) []byte {
	doc := junitSuites{Name: r.Tool.Name}
	byRule := map[string][]finding.Finding{}
	for _, f := range r.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	rules := append([]RuleInfo(nil), r.Rules...)
	for id, fs := range byRule {
		if !slices.ContainsFunc(rules, func(ri RuleInfo) bool { return ri.ID == id }) {
			rules = append(rules, RuleInfo{RuleDoc: finding.RuleDoc{ID: id, Severity: fs[0].Severity}})
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for _, rule := range rules {
		s := junitSuiteFor(rule, r, byRule[rule.ID])
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	return encodeJUnitReference(t, &doc)
}

// randomReport has resources of every category's kinds and others, some
// repeated (the same object in two files, or in two apiVersions), and
// findings on them, on objects not in the list, on files, in environments,
// suppressed and below --fail-on, for rules known and not.
func randomReport(rng *rand.Rand) *Report {
	pick := func(l ...string) string { return l[rng.Intn(len(l))] }
	r := &Report{Tool: Tool{Name: "meshlint"}, FailOn: pick("", "warning", "note"), Rules: []RuleInfo{
		{RuleDoc: finding.RuleDoc{ID: "invalid-manifest", Category: "input", Severity: "error"}},
		{RuleDoc: finding.RuleDoc{ID: "plaintext-scrape-of-strict-port", Category: "scrape", Severity: "error", Tier: "core"}},
		{RuleDoc: finding.RuleDoc{ID: "merged-metrics", Category: "merge", Severity: "warning"}},
		{RuleDoc: finding.RuleDoc{ID: "custom", Severity: "note"}}}}
	resource := func() finding.Resource {
		return finding.Resource{APIVersion: pick("v1", "apps/v1"), Kind: pick("Service", "ServiceMonitor", "Deployment", "Pod", "ConfigMap", "Namespace"),
			Namespace: pick("", "a", "b"), Name: pick("x", "y", "z", "a b", "<q&>")}
	}
	for i := rng.Intn(30); i > 0; i-- {
		r.Resources = append(r.Resources, LintedResource{File: pick("f1.yaml", "f2.yaml", "d/f3.yaml", "a&b.yaml"), Line: 1, Resource: resource()})
	}
	for i := rng.Intn(15); i > 0; i-- {
		f := finding.Finding{Place: finding.Place{File: pick("f1.yaml", "f9.yaml", "a&b.yaml"), Line: rng.Intn(9),
			Column: 1}, Rule: pick("invalid-manifest", "plaintext-scrape-of-strict-port", "merged-metrics", "custom",
			"unknown-rule"), Severity: pick("error", "warning", "note"), Message: pick("m1", "m]]>2", "m\x01")}
		switch rng.Intn(3) {
		case 0:
			if len(r.Resources) > 0 {
				res := r.Resources[rng.Intn(len(r.Resources))].Resource
				f.Resource = &res
			}
		case 1:
			res := resource()
			f.Resource = &res
		}
		if rng.Intn(4) == 0 {
			f.Environments = []string{"dev", "prod"}[:1+rng.Intn(2)]
		}
		if rng.Intn(4) == 0 {
			f.Suppressed = true
			if rng.Intn(2) == 0 {
				f.Suppression = &finding.Suppression{Kind: "inSource", Justification: "why"}
			}
		}
		if rng.Intn(3) == 0 {
			f.Related = []finding.Related{{Place: finding.Place{File: "p.yaml", Line: 2, Column: 3}, Message: "rel"}}
		}
		r.Findings = append(r.Findings, f)
	}
	return r
}

// TestJUnitMatchesSuites holds Format, which writes the suites from one
// sorted index of resources, to the suites built case by case.
func TestJUnitMatchesSuites(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	for i := 0; i < 3000; i++ {
		r := randomReport(rng)
		var got bytes.Buffer
		if err := (JUnit{}).Format(&got, r); err != nil {
			t.Fatal(err)
		}
		if want := junitReference(t, r); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("report %d:\ngot:\n%s\nthe suites:\n%s", i, got.Bytes(), want)
		}
	}
	r := bigReport()
	var got bytes.Buffer
	if err := (JUnit{}).Format(&got, r); err != nil {
		t.Fatal(err)
	}
	if want := junitReference(t, r); !bytes.Equal(got.Bytes(), want) || !strings.Contains(got.String(), "<failure") {
		t.Fatalf("the big report differs from its suites")
	}
}
