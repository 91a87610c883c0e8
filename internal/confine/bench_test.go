package confine

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReadFile reads 1,000 small manifests below a root, as the
// loader reads a repository's files: one op is all of them.
func BenchmarkReadFile(b *testing.B) {
	dir, err := filepath.EvalSymlinks(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	var paths []string
	for i := range 1000 {
		p := filepath.Join(dir, fmt.Sprintf("app-%d", i/4), fmt.Sprintf("f%d.yaml", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	r := New([]string{dir}, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, p := range paths {
			if _, err := r.ReadFile(p, 1<<20, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
}
