package engine

import (
	"context"
	"testing"
)

// BenchmarkCompile is the cost of compiling the built-in rules, which every
// run pays before it reads a file.
func BenchmarkCompile(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}
