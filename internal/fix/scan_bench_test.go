package fix_test

// The cost of a fix with the object's nodes built from the block scan
// (fix.ParseScanned, as the lint's per-file pass does), against
// BenchmarkForFile/parse+fix's yaml.v3 decoding.
//
//	go test -run '^$' -bench ForFile -benchmem ./internal/fix/

import (
	"testing"

	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/internal/loader"
)

func BenchmarkForFileScanned(b *testing.B) {
	target := fix.Target{Rule: "plaintext-scrape-of-strict-port", Pointer: "/spec/endpoints/0", DocStart: 1,
		Hint: fix.Hint{Prometheuses: []fix.Prom{{Name: "monitoring/platform", CertDir: "/etc/prom-certs/"}}}}
	text := []byte(fix.BenchMonitor)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		fs := fix.ForFile(fix.ParseScanned("m.yaml", text, loader.BlockNodes), []fix.Target{target})[0]
		if len(fs) != 1 || !fs[0].Default || len(fs[0].Edits) == 0 {
			b.Fatalf("fixes %+v, want one default fix with edits", fs)
		}
	}
}
