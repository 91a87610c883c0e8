package baseline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

func newFinding(rule, apiVersion, kind, ns, name, path, file string, line int, msg string) finding.Finding {
	return finding.Finding{Place: finding.Place{File: file, Line: line, Column: 3, Path: path}, Rule: rule,
		Severity: "error", Message: msg, Resource: &finding.Resource{APIVersion: apiVersion, Kind: kind, Namespace: ns,
			Name: name}}
}

func TestRoundTrip(t *testing.T) {
	findings := []finding.Finding{
		newFinding("r2", "monitoring.coreos.com/v1", "ServiceMonitor", "shop", "cart", "/spec/endpoints/0", "m.yaml", 14, "port 80 -> 9090"),
		newFinding("r1", "security.istio.io/v1", "PeerAuthentication", "shop", "default", "/spec/portLevelMtls", "p.yaml", 9, "a"),
		newFinding("r1", "security.istio.io/v1", "PeerAuthentication", "shop", "default", "/spec/portLevelMtls", "p.yaml", 9, "a"),
	}
	var buf bytes.Buffer
	if err := Write(&buf, findings); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 8 || lines[0] != "{" || lines[1] != `  "version": 1,` || lines[2] != `  "findings": [` {
		t.Fatalf("unexpected layout, want one entry per line:\n%s", text)
	}
	if !strings.Contains(lines[3], `"rule":"r1"`) || !strings.Contains(lines[5], `"rule":"r2"`) || !strings.Contains(lines[5], "80 -> 9090") {
		t.Errorf("entries are not sorted by rule:\n%s", text)
	}
	var again bytes.Buffer
	if err := Write(&again, []finding.Finding{findings[2], findings[0], findings[1]}); err != nil {
		t.Fatal(err)
	}
	if again.String() != text {
		t.Errorf("output depends on input order:\n%s\nvs\n%s", text, again.String())
	}

	b, err := Parse(buf.Bytes(), "base.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entries) != 3 || b.Entries[0].Line != 4 || b.Entries[2].Line != 6 || b.Entries[2].Column != 5 {
		t.Fatalf("entries %+v, want 3 on lines 4-6", b.Entries)
	}
	m := b.Matcher()
	// The same findings on other lines still match, each entry once.
	moved := findings[1]
	moved.Line += 40
	if !m.Match(moved) || !m.Match(moved) {
		t.Fatal("the two accepted copies did not match")
	}
	if m.Match(moved) {
		t.Error("a third copy matched two entries")
	}
	unused := m.Unused()
	if len(unused) != 1 || unused[0].Rule != "r2" || unused[0].Line != 6 {
		t.Errorf("unused = %+v, want the r2 entry on line 6", unused)
	}
	if got := unused[0].Describe(); got != "r2 on ServiceMonitor shop/cart at /spec/endpoints/0" {
		t.Errorf("Describe = %q", got)
	}
}

func TestEmptyBaseline(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "{\n  \"version\": 1,\n  \"findings\": []\n}\n" {
		t.Errorf("empty baseline:\n%s", buf.String())
	}
	b, err := Parse(buf.Bytes(), "b.json")
	if err != nil || len(b.Entries) != 0 {
		t.Fatalf("Parse = %+v, %v", b, err)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"{\n  \"version\": 1,\n  \"findings\": [\n    {\"fingerprint\": \"x\"\n": "read baseline b.json:",
		`{"version": 2, "findings": []}`:                                         "version 2, want 1",
		`{"version": 1, "findings": [{"rule": "r"}]}`:                            "entry 0 lacks fingerprint or rule",
		`{"version": 1, "findings": [], "extra": true}`:                          "unknown field",
		`[]`: "read baseline b.json:1:",
		`{"version": 1, "findings": [{"fingerprint": 3}]}`:                                            "cannot unmarshal number",
		"{\"version\": 1,\n\"findings\": [\n{\"fingerprint\": \"a\", \"rule\": \"r\", \"line\": 4}]}": "unknown field \"line\"",
	}
	for text, want := range cases {
		_, err := Parse([]byte(text), "b.json")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", text, err, want)
		}
	}
}
