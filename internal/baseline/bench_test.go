package baseline

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

// baselineOf writes a baseline of n distinct findings.
func baselineOf(tb testing.TB, n int) []byte {
	tb.Helper()
	findings := make([]finding.Finding, 0, n)
	for i := range n {
		findings = append(findings, newFinding("plaintext-scrape-of-strict-port", "monitoring.coreos.com/v1", "ServiceMonitor",
			fmt.Sprintf("ns%d", i%100), fmt.Sprintf("app-%d", i), "/spec/endpoints/0/scheme", "deploy/monitors.yaml", i, "endpoint 0 scrapes over http"))
	}
	var b bytes.Buffer
	if err := Write(&b, findings); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// BenchmarkParse100k parses a baseline of 100,000 entries: the time must
// grow with the file, not with its square.
func BenchmarkParse100k(b *testing.B) {
	data := baselineOf(b, 100_000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		bl, err := Parse(data, "big.json")
		if err != nil {
			b.Fatal(err)
		}
		if len(bl.Entries) != 100_000 || bl.Entries[99_999].Line != 100_003 {
			b.Fatalf("%d entries, last on line %d", len(bl.Entries), bl.Entries[len(bl.Entries)-1].Line)
		}
	}
}

// TestPositionsMatchCounting checks the incremental line count against
// counting from the start, for growing and shrinking offsets.
func TestPositionsMatchCounting(t *testing.T) {
	data := []byte("{\n  \"a\": 1,\n\n   [x\ny]\nlast")
	naive := func(off int64) [2]int {
		line := 1 + bytes.Count(data[:off], []byte{'\n'})
		return [2]int{line, int(off) - bytes.LastIndexByte(data[:off], '\n')}
	}
	p := newPositions(data)
	for _, off := range []int64{0, 1, 2, 5, 12, 13, 13, 17, 3, 20, int64(len(data))} {
		if got, want := p.at(off), naive(off); got != want {
			t.Errorf("at(%d) = %v, want %v", off, got, want)
		}
	}
	if got := p.at(int64(len(data)) + 10); got != naive(int64(len(data))) {
		t.Errorf("an offset past the end: %v", got)
	}
}
