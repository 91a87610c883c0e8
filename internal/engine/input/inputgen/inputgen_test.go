package inputgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGraphInputIsCurrent: internal/graph/facts_input_gen.go is what
// inputgen writes for the fact types now, so a changed fact type without
// go generate fails here.
func TestGraphInputIsCurrent(t *testing.T) {
	const dir, out = "../../../graph", "facts_input_gen.go"
	got, err := os.ReadFile(filepath.Join(dir, out))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(dir, "Facts", out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/graph/facts_input_gen.go is out of date: run go generate ./internal/graph")
	}
}

// TestUnknownFieldTypeIsAnError: a field type without an encoder stops the
// generator with its name, instead of leaving the field out of the input.
func TestUnknownFieldTypeIsAnError(t *testing.T) {
	dir := t.TempDir()
	src := "package p\n\ntype Facts struct {\n\tItems []Item `json:\"items\"`\n}\n\ntype Item struct {\n\tRatio float64 `json:\"ratio\"`\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(dir, "Facts", "out.go")
	if err == nil || !strings.Contains(err.Error(), "Item.Ratio") || !strings.Contains(err.Error(), "float64") {
		t.Fatalf("err = %v, want one naming Item.Ratio and float64", err)
	}
}
