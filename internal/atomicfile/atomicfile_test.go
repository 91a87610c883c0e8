package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failingWriter fails after n bytes, like a full disk half way through.
type failingWriter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("no space left on device")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n, _ := f.w.Write(p[:f.n])
		f.n = 0
		return n, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFailedWriteLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "report.json")
	old := []byte(`{"old": true}` + "\n")
	if err := os.WriteFile(target, old, 0o600); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("new report line\n", 100000) // beyond the 64 KiB buffer
	err := WriteFile(target, DefaultPerm, func(w io.Writer) error {
		_, err := io.WriteString(&failingWriter{w: w, n: len(big) / 2}, big)
		return err
	})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("WriteFile = %v, want the writer's error", err)
	}
	if got, _ := os.ReadFile(target); string(got) != string(old) {
		t.Errorf("the target changed after a failed write: %d bytes", len(got))
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("the temporary file was left behind: %v", names)
	}
}

func TestWriteReplacesAndKeepsThePermission(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "b.json")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(target, DefaultPerm, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(target)
	info, _ := os.Stat(target)
	if string(got) != "new" || info.Mode().Perm() != 0o600 {
		t.Errorf("target = %q mode %v, want \"new\" mode 0600", got, info.Mode().Perm())
	}
	fresh := filepath.Join(dir, "fresh.json")
	if err := WriteFile(fresh, DefaultPerm, func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(fresh); info.Mode().Perm() != DefaultPerm {
		t.Errorf("new file mode %v, want %v", info.Mode().Perm(), DefaultPerm)
	}
	if names := listDir(t, dir); len(names) != 2 {
		t.Errorf("files left: %v", names)
	}
}

// TestSymlinkIsReplacedNotFollowed: a link planted where a report goes
// cannot make meshlint write the file it points to.
func TestSymlinkIsReplacedNotFollowed(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "report.sarif")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, DefaultPerm, func(w io.Writer) error { _, err := io.WriteString(w, "report"); return err }); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "precious" {
		t.Errorf("the link's target was written: %q", got)
	}
	info, err := os.Lstat(link)
	if err != nil || !info.Mode().IsRegular() {
		t.Fatalf("the link was not replaced by a file: %v %v", info, err)
	}
}

func TestAbortRemovesTheNewVersion(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.xml")
	p, err := Stage(target, DefaultPerm, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	if err != nil {
		t.Fatal(err)
	}
	p.Abort()
	if names := listDir(t, dir); len(names) != 0 {
		t.Errorf("files left after Abort: %v", names)
	}
}
