package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

// Many overlays over one base whose resources share one file, as in
// kubeflow/manifests: the file each built resource came from is read and
// indexed for its positions. Read once per run, the cost per op stays
// about one base's worth however many overlays and resources use it
// (watch B/op and allocs/op):
//
//	go test -run '^$' -bench SharedBaseOrigins -benchmem ./internal/render/
func BenchmarkSharedBaseOrigins(b *testing.B) {
	const overlays, services = 20, 40
	dir := b.TempDir()
	var base strings.Builder
	for i := range services {
		fmt.Fprintf(&base, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\n  labels:\n    app: a%d\nspec:\n  selector:\n    app: a%d\n  ports:\n  - name: http-metrics\n    port: 9090\n", i, i, i)
	}
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("base/services.yaml", base.String())
	write("base/kustomization.yaml", "resources:\n- services.yaml\n")
	for i := range overlays {
		write(fmt.Sprintf("overlays/o%d/kustomization.yaml", i), fmt.Sprintf("namespace: ns-%d\nresources:\n- ../../base\n", i))
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir, DetectRoots: true, ReleaseTexts: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		findings, err := Expand(context.Background(), res, Options{WorkDir: dir})
		if err != nil || len(findings) > 0 {
			b.Fatalf("render: %v %+v", err, findings)
		}
		if len(res.Documents) != overlays*services {
			b.Fatalf("%d documents rendered, want %d", len(res.Documents), overlays*services)
		}
	}
}
