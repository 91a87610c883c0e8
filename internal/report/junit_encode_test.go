package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"math/rand"
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
// categories' kinds) with 2,028 findings, each with a related location.
func bigReport() *Report {
	r := &Report{Tool: Tool{Name: "meshlint"}, Rules: []RuleInfo{{ID: "invalid-manifest", Category: "input", Severity: "error"},
		{ID: "plaintext-scrape-of-strict-port", Category: "scrape", Severity: "error"}, {ID: "podmonitor-under-strict", Category: "monitor", Severity: "error"},
		{ID: "peer-authentication-conflict", Category: "peerauthentication", Severity: "warning"}, {ID: "merged-metrics", Category: "merge", Severity: "warning"}}}
	kinds := []string{"Namespace", "PeerAuthentication", "ConfigMap", "ServiceAccount", "Deployment", "Service", "ServiceMonitor", "PodMonitor"}
	for i := 0; i < 75000; i++ {
		ns := fmt.Sprintf("app-%05d", i/8)
		res := finding.Resource{APIVersion: "v1", Kind: kinds[i%len(kinds)], Namespace: ns, Name: ns}
		r.Resources = append(r.Resources, LintedResource{File: "apps/" + ns + "/f.yaml", Line: 1, Resource: res})
		if i%37 == 0 {
			rc := res
			r.Findings = append(r.Findings, finding.Finding{Rule: "plaintext-scrape-of-strict-port", Severity: "error", Message: "scraped in plaintext <under> STRICT",
				File: "apps/" + ns + "/f.yaml", Line: 3, Column: 5, Resource: &rc, Related: []finding.Related{{File: "p.yaml", Line: 1, Column: 1, Message: "the Prometheus"}}})
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
