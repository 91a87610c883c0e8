package report

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// encodeSARIFWhole is what Format wrote before it streamed the results:
// the whole log, results included, in one Encode.
func encodeSARIFWhole(t testing.TB, r *Report) []byte {
	log, err := buildSARIF(r)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSARIFStreamMatchesWholeLog(t *testing.T) {
	full := fixedReport(t)
	none := fixedReport(t)
	none.Findings = nil
	unknown := fixedReport(t)
	unknown.Rules = nil // every finding's rule described from the finding
	category := fixedReport(t)
	category.SARIFCategory = "prod"
	category.ExitCode = 2
	for name, r := range map[string]*Report{"findings": full, "none": none, "unknown rules": unknown, "category": category} {
		var got bytes.Buffer
		if err := (SARIF{}).Format(&got, r); err != nil {
			t.Fatal(err)
		}
		if want := encodeSARIFWhole(t, r); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: streamed SARIF differs from the whole log:\n%s\nwant:\n%s", name, got.Bytes(), want)
		}
	}
	if len(full.Findings) < 2 {
		t.Fatalf("the fixture has %d findings: too few to check the separators", len(full.Findings))
	}
}

// BenchmarkSARIF: the SARIF report of bigReport streamed, and encoded
// whole as before.
func BenchmarkSARIF(b *testing.B) {
	r := bigReport()
	r.Rules = nil
	b.Run("streamed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := (SARIF{}).Format(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			encodeSARIFWhole(b, r)
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := (JSON{}).Format(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
