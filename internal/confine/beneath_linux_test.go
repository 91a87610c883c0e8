package confine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A file is read twice in a run: when it is linted, and when its findings
// are placed and fixed. The second open takes one openat2 call that refuses
// every link (openLinkFree); these tests swap parts of the tree between the
// two reads, as a hostile pull request racing the run would, and hold the
// second read to what Resolve decides.

// hostileTree is a repository with app/monitor.yaml, and outside it a
// directory holding the same names with secrets in them.
func hostileTree(t *testing.T) (repo, outside string, r *Root) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo, outside = filepath.Join(base, "repo"), filepath.Join(base, "outside")
	write(t, filepath.Join(repo, "app", "monitor.yaml"), "kind: ServiceMonitor\n")
	write(t, filepath.Join(repo, "other", "monitor.yaml"), "kind: PodMonitor\n")
	write(t, filepath.Join(outside, "monitor.yaml"), "CANARY-SECRET")
	write(t, filepath.Join(outside, "secret"), "CANARY-SECRET")
	return repo, outside, New([]string{repo}, nil)
}

// readTwice reads p, lets swap change the tree, and reads p again.
func readTwice(t *testing.T, r *Root, p string, swap func()) ([]byte, error) {
	t.Helper()
	if _, err := r.ReadFile(p, 1<<20, ""); err != nil {
		t.Fatalf("first read: %v", err)
	}
	swap()
	return r.ReadFile(p, 1<<20, "")
}

func replace(t *testing.T, p string, with func() error) {
	t.Helper()
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
	if err := with(); err != nil {
		t.Fatal(err)
	}
}

func requireLinkFreeOpens(t *testing.T, r *Root) {
	t.Helper()
	if r.linkFree.Load() == 0 {
		t.Skip("openat2 is not available here: every open takes Resolve's path")
	}
}

func TestSecondReadRefusesAFileSwappedForALink(t *testing.T) {
	for name, target := range map[string]func(outside string) string{
		"absolute": func(outside string) string { return filepath.Join(outside, "secret") },
		"relative": func(string) string { return "../../outside/secret" },
		"device":   func(string) string { return "/dev/zero" },
		"proc":     func(string) string { return "/proc/self/environ" },
	} {
		t.Run(name, func(t *testing.T) {
			repo, outside, r := hostileTree(t)
			p := filepath.Join(repo, "app", "monitor.yaml")
			data, err := readTwice(t, r, p, func() {
				replace(t, p, func() error { return os.Symlink(target(outside), p) })
			})
			requireLinkFreeOpens(t, r)
			if !errors.Is(err, ErrRefused) {
				t.Errorf("read %q, %v; want refused", data, err)
			}
		})
	}
}

func TestSecondReadRefusesADirectorySwappedForALink(t *testing.T) {
	for name, target := range map[string]func(outside string) string{
		"absolute": func(outside string) string { return outside },
		"relative": func(string) string { return "../outside" },
	} {
		t.Run(name, func(t *testing.T) {
			repo, outside, r := hostileTree(t)
			p := filepath.Join(repo, "app", "monitor.yaml")
			data, err := readTwice(t, r, p, func() {
				dir := filepath.Join(repo, "app")
				replace(t, dir, func() error { return os.Symlink(target(outside), dir) })
			})
			requireLinkFreeOpens(t, r)
			if !errors.Is(err, ErrRefused) || strings.Contains(string(data), "CANARY") {
				t.Errorf("read %q, %v; want refused", data, err)
			}
		})
	}
}

// TestSecondReadRefusesADirectoryMovedOut: the directory itself leaves the
// repository and a link to where it went takes its place; the file is the
// same one, but its real path is outside now.
func TestSecondReadRefusesADirectoryMovedOut(t *testing.T) {
	repo, outside, r := hostileTree(t)
	p := filepath.Join(repo, "app", "monitor.yaml")
	data, err := readTwice(t, r, p, func() {
		dir, moved := filepath.Join(repo, "app"), filepath.Join(outside, "app")
		if err := os.Rename(dir, moved); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(moved, dir); err != nil {
			t.Fatal(err)
		}
	})
	requireLinkFreeOpens(t, r)
	if !errors.Is(err, ErrRefused) {
		t.Errorf("read %q, %v; want refused", data, err)
	}
}

func TestSecondReadRefusesAFileSwappedForAFIFO(t *testing.T) {
	repo, _, r := hostileTree(t)
	p := filepath.Join(repo, "app", "monitor.yaml")
	_, err := readTwice(t, r, p, func() {
		replace(t, p, func() error { return syscall.Mkfifo(p, 0o644) })
	})
	requireLinkFreeOpens(t, r)
	if !errors.Is(err, ErrRefused) {
		t.Errorf("%v; want refused, never blocked on", err)
	}
}

// TestSecondReadFollowsLinksInsideAsResolveDoes: a link that stays inside
// the repository is read, as Resolve allows it, and the file is listed
// under its real path.
func TestSecondReadFollowsLinksInsideAsResolveDoes(t *testing.T) {
	repo, _, r := hostileTree(t)
	p := filepath.Join(repo, "app", "monitor.yaml")
	data, err := readTwice(t, r, p, func() {
		dir := filepath.Join(repo, "app")
		replace(t, dir, func() error { return os.Symlink("other", dir) })
	})
	requireLinkFreeOpens(t, r)
	if err != nil || string(data) != "kind: PodMonitor\n" {
		t.Errorf("read %q, %v; want the file the link leads to", data, err)
	}
	want := filepath.Join(repo, "other", "monitor.yaml")
	found := false
	for _, o := range r.Opened() {
		found = found || o.Path == want
	}
	if !found {
		t.Errorf("Opened() = %v, want %s listed", r.Opened(), want)
	}
}

// TestLinkFreeOpensDecideAsResolve reads every path of a tree full of
// links, inside and out, with the one-call open and without it: the same
// bytes or the same error for each, and the one-call open taken only for
// paths without a link.
func TestLinkFreeOpensDecideAsResolve(t *testing.T) {
	repo, outside, _ := hostileTree(t)
	links := map[string]string{
		"leak.yaml":       filepath.Join(outside, "secret"),
		"rel-leak.yaml":   "../outside/secret",
		"alias.yaml":      "app/monitor.yaml",
		"abs-alias.yaml":  filepath.Join(repo, "app", "monitor.yaml"),
		"outdir":          outside,
		"indir":           "app",
		"chain.yaml":      "alias.yaml",
		"loop.yaml":       "loop.yaml",
		"dangling.yaml":   "missing.yaml",
		"app/up.yaml":     "../other/monitor.yaml",
		"app/escape.yaml": "../../outside/monitor.yaml",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(repo, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(repo, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{"app/monitor.yaml", "other/monitor.yaml", "app", "missing.yaml", "app/missing/x.yaml", "fifo.yaml",
		"outdir/secret", "indir/monitor.yaml", "app/../other/monitor.yaml", "../outside/secret", ""}
	for name := range links {
		paths = append(paths, name)
	}
	read := func(r *Root, p string) string {
		data, err := r.ReadFile(filepath.Join(repo, p), 1<<20, "")
		if err != nil {
			return "error: " + err.Error()
		}
		return string(data)
	}
	fast, slow := New([]string{repo}, nil), New([]string{repo}, nil)
	for _, p := range paths {
		before := fast.linkFree.Load()
		got := read(fast, p)
		noOpenat2.Store(true)
		want := read(slow, p)
		noOpenat2.Store(false)
		if got != want {
			t.Errorf("%s: %q, Resolve's path reads %q", p, got, want)
		}
		took := fast.linkFree.Load() > before
		// a directory and a FIFO are opened, then refused as not regular files
		linkFree := map[string]bool{"app/monitor.yaml": true, "other/monitor.yaml": true, "app/../other/monitor.yaml": true, "app": true, "fifo.yaml": true}
		if took != linkFree[p] {
			t.Errorf("%s: opened in one call %v, want %v", p, took, linkFree[p])
		}
	}
	if slow.linkFree.Load() != 0 {
		t.Errorf("opened in one call with openat2 off")
	}
	requireLinkFreeOpens(t, fast)
}

// TestReadFileFromTheDescriptor: a file read in one openat2 call is read
// from its descriptor (no *os.File), and what Opened records of it still
// identifies it: SameFile with os.Stat of the file and of a hard link to
// it, not with another file. A file over the bound is refused, and still
// recorded, as Open records it.
func TestReadFileFromTheDescriptor(t *testing.T) {
	repo, _, r := hostileTree(t)
	p := filepath.Join(repo, "app", "monitor.yaml")
	data, err := r.ReadFile(p, 1<<20, "")
	requireLinkFreeOpens(t, r)
	if err != nil || string(data) != "kind: ServiceMonitor\n" {
		t.Fatalf("read %q, %v", data, err)
	}
	if err := os.Link(p, filepath.Join(repo, "hardlink.yaml")); err != nil {
		t.Fatal(err)
	}
	opened := r.Opened()
	if len(opened) != 1 || opened[0].Path != p {
		t.Fatalf("opened %+v, want %s", opened, p)
	}
	info := opened[0].Info
	if _, ok := info.(*statInfo); !ok {
		t.Fatalf("recorded %T: the descriptor's path was not taken", info)
	}
	if info.Size() != int64(len(data)) || !info.Mode().IsRegular() || info.IsDir() || info.Name() != "monitor.yaml" {
		t.Errorf("recorded size %d mode %v name %s", info.Size(), info.Mode(), info.Name())
	}
	for _, c := range []struct {
		path string
		same bool
	}{{p, true}, {filepath.Join(repo, "hardlink.yaml"), true}, {filepath.Join(repo, "other", "monitor.yaml"), false}} {
		st, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if SameFile(info, st) != c.same || SameFile(st, info) != c.same {
			t.Errorf("SameFile(%s) = %v, want %v", c.path, !c.same, c.same)
		}
	}

	big := filepath.Join(repo, "other", "monitor.yaml")
	_, err = r.ReadFile(big, 4, "--max-file-size")
	var tooLarge *TooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Limit != 4 {
		t.Errorf("over the bound: %v", err)
	}
	if len(r.Opened()) != 2 {
		t.Errorf("a file refused for its size is not recorded: %+v", r.Opened())
	}
}

// TestLinkFreeOpensOfLongAndOddPaths: a path copied for openat2 into a
// buffer on the stack is opened as one too long for it is, and a name
// with a NUL byte, which no file can have, is not opened.
func TestLinkFreeOpensOfLongAndOddPaths(t *testing.T) {
	repo, _, r := hostileTree(t)
	for _, n := range []int{250, 255, 256, 300} {
		rel := filepath.Join("long", strings.Repeat("d", 100), strings.Repeat("e", 100))
		rel = filepath.Join(rel, strings.Repeat("f", n-len(rel)-1))
		if len(rel) != n {
			t.Fatalf("made a path of %d bytes, want %d", len(rel), n)
		}
		write(t, filepath.Join(repo, rel), rel)
		before := r.linkFree.Load()
		data, err := r.ReadFile(filepath.Join(repo, rel), 1<<20, "")
		requireLinkFreeOpens(t, r)
		if err != nil || string(data) != rel || r.linkFree.Load() != before+1 {
			t.Errorf("%d bytes: read %q, %v, link-free opens %d to %d", n, data, err, before, r.linkFree.Load())
		}
	}
	if _, err := r.ReadFile(filepath.Join(repo, "app", "monitor.yaml\x00x"), 1<<20, ""); err == nil {
		t.Error("read a name with a NUL byte")
	}
}
