package confine

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSymlinksLeavingTheRootAreRefused(t *testing.T) {
	base := t.TempDir()
	repo, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
	write(t, filepath.Join(repo, "in.yaml"), "kind: ConfigMap\n")
	write(t, filepath.Join(outside, "secret"), "CANARY-SECRET")
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(repo, "leak.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("in.yaml", filepath.Join(repo, "alias.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(repo, "dir")); err != nil {
		t.Fatal(err)
	}
	r := New([]string{repo}, nil)
	if data, err := r.ReadFile(filepath.Join(repo, "alias.yaml"), 1<<20, ""); err != nil || string(data) != "kind: ConfigMap\n" {
		t.Errorf("a link inside the root: %q, %v", data, err)
	}
	for _, p := range []string{"leak.yaml", "dir/secret", "../outside/secret", "/etc/passwd"} {
		path := p
		if !filepath.IsAbs(p) {
			path = filepath.Join(repo, p)
		}
		data, err := r.ReadFile(path, 1<<20, "")
		if !errors.Is(err, ErrRefused) {
			t.Errorf("%s: got %q, %v; want refused", p, data, err)
		}
	}
	// A file the user typed may be anywhere.
	r.AllowFile(filepath.Join(outside, "secret"))
	if _, err := r.ReadFile(filepath.Join(outside, "secret"), 1<<20, ""); err != nil {
		t.Errorf("typed file: %v", err)
	}
}

func TestMissingFileInsideIsMissingNotRefused(t *testing.T) {
	repo := t.TempDir()
	r := New([]string{repo}, nil)
	_, err := r.ReadFile(filepath.Join(repo, "nope", "x.yaml"), 10, "")
	if errors.Is(err, ErrRefused) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want not exist", err)
	}
}

func TestOnlyRegularFilesAreRead(t *testing.T) {
	repo := t.TempDir()
	fifo := filepath.Join(repo, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(repo, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	r := New([]string{repo}, []string{"/dev/zero"}) // even when typed
	for _, name := range []string{"fifo.yaml", "zero.yaml"} {
		if _, err := r.ReadFile(filepath.Join(repo, name), 1<<20, ""); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	if _, err := r.ReadFile(repo, 1<<20, ""); !errors.Is(err, ErrRefused) {
		t.Errorf("directory: %v, want refused", err)
	}
}

func TestReadsAreBounded(t *testing.T) {
	repo := t.TempDir()
	write(t, filepath.Join(repo, "big"), "0123456789")
	r := New([]string{repo}, nil)
	_, err := r.ReadFile(filepath.Join(repo, "big"), 9, "--max-file-size")
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 9 || tl.Error() != "larger than the limit of 9 bytes (raise it with --max-file-size)" {
		t.Errorf("got %v", err)
	}
	if data, err := r.ReadFile(filepath.Join(repo, "big"), 10, ""); err != nil || len(data) != 10 {
		t.Errorf("at the limit: %q %v", data, err)
	}
}

func TestRepositoryRoot(t *testing.T) {
	base := t.TempDir()
	write(t, filepath.Join(base, "repo", ".git", "config"), "")
	write(t, filepath.Join(base, "repo", "deploy", "app.yaml"), "")
	write(t, filepath.Join(base, "plain", "app.yaml"), "")
	real := func(p string) string { r, _ := filepath.EvalSymlinks(p); return r }
	for in, want := range map[string]string{
		filepath.Join(base, "repo", "deploy"):             filepath.Join(base, "repo"),
		filepath.Join(base, "repo", "deploy", "app.yaml"): filepath.Join(base, "repo"),
		filepath.Join(base, "plain"):                      filepath.Join(base, "plain"),
		filepath.Join(base, "plain", "app.yaml"):          filepath.Join(base, "plain"),
	} {
		got, err := RepositoryRoot(in)
		if err != nil || got != real(want) {
			t.Errorf("RepositoryRoot(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
}

func TestATypedNameInsideTheTreeDoesNotWidenIt(t *testing.T) {
	base := t.TempDir()
	repo, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
	write(t, filepath.Join(outside, "secret"), "CANARY")
	write(t, filepath.Join(outside, "values.yaml"), "a: 1")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(repo, "baseline.json")); err != nil {
		t.Fatal(err)
	}
	r := New([]string{repo}, nil)
	r.AllowTyped(filepath.Join(repo, "baseline.json"))
	if _, err := r.ReadFile(filepath.Join(repo, "baseline.json"), 1<<20, ""); !errors.Is(err, ErrRefused) {
		t.Errorf("a typed link inside the tree was followed out of it: %v", err)
	}
	r.AllowTyped(filepath.Join(outside, "values.yaml"))
	if _, err := r.ReadFile(filepath.Join(outside, "values.yaml"), 1<<20, ""); err != nil {
		t.Errorf("a typed file outside the tree: %v", err)
	}
}

func TestALinkedDirectoryBelongsToTheRepositoryHoldingIt(t *testing.T) {
	base := t.TempDir()
	repo, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
	write(t, filepath.Join(repo, ".git", "HEAD"), "")
	write(t, filepath.Join(outside, "secret.yaml"), "CANARY")
	if err := os.Symlink(outside, filepath.Join(repo, "deploy")); err != nil {
		t.Fatal(err)
	}
	got, err := RepositoryRoot(filepath.Join(repo, "deploy"))
	want, _ := filepath.EvalSymlinks(repo)
	if err != nil || got != want {
		t.Fatalf("RepositoryRoot = %s, %v; want %s", got, err, want)
	}
	r := New([]string{got}, nil)
	r.AllowTyped(filepath.Join(repo, "deploy"))
	if _, err := r.ReadFile(filepath.Join(repo, "deploy", "secret.yaml"), 1<<20, ""); !errors.Is(err, ErrRefused) {
		t.Errorf("read through a linked directory: %v", err)
	}
}
