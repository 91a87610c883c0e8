package baseline

import (
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

// FuzzParse feeds arbitrary bytes to the baseline parser: it must return a
// baseline whose entries have a position, or an error, never panic.
func FuzzParse(f *testing.F) {
	f.Add(baselineOf(f, 3))
	f.Add([]byte(`{"version": 1, "findings": []}`))
	f.Add([]byte(`{"findings": [{"fingerprint": "a", "rule": "r"}, 1], "version": 1}`))
	f.Add([]byte(`{"version": 1, "findings": [{"fingerprint": "a", "rule": "r", "resource": {"kind": "K"}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data, "base.json")
		if err != nil {
			return
		}
		m := b.Matcher()
		for _, e := range b.Entries {
			if e.Line < 1 || e.Column < 1 {
				t.Fatalf("entry %+v has no position", e)
			}
			_ = e.Describe()
		}
		m.Match(finding.Finding{Rule: "r"})
		if len(m.Unused()) > len(b.Entries) {
			t.Fatal("more unused entries than entries")
		}
	})
}
