package confine

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOpenedListsRealPaths: the files read are listed by real path, so the
// CLI can refuse to write a report over one, however it is spelled.
func TestOpenedListsRealPaths(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(file, []byte("kind: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("app.yaml", filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	r := New([]string{dir}, nil)
	if len(r.Opened()) != 0 {
		t.Fatalf("Opened before any read: %v", r.Opened())
	}
	if _, err := r.ReadFile(filepath.Join(dir, "link.yaml"), 1<<20, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadFile(filepath.Join(dir, "missing.yaml"), 1<<20, ""); err == nil {
		t.Fatal("read a missing file")
	}
	got := r.Opened()
	if len(got) != 1 || got[0].Path != file || got[0].Info == nil || got[0].Info.Size() != 8 {
		t.Errorf("Opened() = %+v, want only %s", got, file)
	}
}
