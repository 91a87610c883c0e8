package fix

// The cost of a fix (issue 16's budget per finding location holds with
// fixes on): a monitor file of a first adoption, parsed once, and the
// plaintext-scrape fix of its endpoint computed.
//
//	go test -run '^$' -bench ForFile -benchmem ./internal/fix/

import (
	"testing"
)

// BenchMonitor is a plain ServiceMonitor file, for the fix benchmarks of
// this package and of fix_test.
const BenchMonitor = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: app-00001
  namespace: app-00001
  labels:
    app: app-00001
    release: platform
spec:
  selector:
    matchLabels:
      app: app-00001
  namespaceSelector:
    matchNames:
      - app-00001
  endpoints:
    - port: metrics
      interval: 30s
      path: /metrics
`

func BenchmarkForFile(b *testing.B) {
	target := Target{Rule: "plaintext-scrape-of-strict-port", Pointer: "/spec/endpoints/0", DocStart: 1,
		Hint: Hint{Prometheuses: []Prom{{Name: "monitoring/platform", CertDir: "/etc/prom-certs/"}}}}
	text := []byte(BenchMonitor)
	b.Run("parse+fix", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			fs := ForFile(Parse("m.yaml", text), []Target{target})[0]
			if len(fs) != 1 || !fs[0].Default || len(fs[0].Edits) == 0 {
				b.Fatalf("fixes %+v, want one default fix with edits", fs)
			}
		}
	})
	b.Run("fix", func(b *testing.B) {
		src := Parse("m.yaml", text)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ForFile(src, []Target{target})
		}
	})
}
