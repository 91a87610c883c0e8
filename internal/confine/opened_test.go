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

// TestOpenedListsEachFileOnceAsLastOpened: a file read again (as findings
// are placed) is listed once, with what it was when last opened, and the
// list is sorted whatever the order of the reads.
func TestOpenedListsEachFileOnceAsLastOpened(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	write(t, a, "kind: a\n")
	write(t, b, "kind: b\n")
	r := New([]string{dir}, nil)
	for _, step := range []func(){
		func() { r.ReadFile(b, 1<<20, "") },
		func() { r.ReadFile(a, 1<<20, "") },
		func() { write(t, b, "kind: b, longer\n") },
		func() { r.ReadFile(b, 1<<20, "") },
		func() { r.ReadFile(a, 1<<20, "") },
	} {
		step()
	}
	got := r.Opened()
	if len(got) != 2 || got[0].Path != a || got[1].Path != b || got[0].Info.Size() != 8 || got[1].Info.Size() != 16 {
		for _, o := range got {
			t.Logf("%s %d bytes", o.Path, o.Info.Size())
		}
		t.Errorf("Opened() lists %d files, want a.yaml (8 bytes) and b.yaml (16 bytes, as last read)", len(got))
	}
}
