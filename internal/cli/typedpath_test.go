package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestTypedPathUnreadable: a path the user typed that cannot be read stops
// the run with exit 2 and says which path and why; the same file found by
// walking a directory is a finding (TestMalformedInputs). Permissions do
// not stop root, so the unreadable file is checked only without that
// privilege; a FIFO, which meshlint refuses to read whoever runs it, is
// checked always.
func TestTypedPathUnreadable(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	cases := map[string]string{fifo: "named pipe (FIFO), not a regular file"}
	if os.Geteuid() != 0 {
		locked := writeFile(t, dir, "locked.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l}\n")
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		cases[locked] = "permission denied"
	}
	for path, why := range cases {
		r := lintArgs(t, good, path)
		if r.code != ExitError {
			t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", path, r.code, ExitError, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "cannot read ") || !strings.Contains(r.stderr, filepath.Base(path)) || !strings.Contains(r.stderr, why) {
			t.Errorf("%s: stderr does not say which path cannot be read and why (%s):\n%s", path, why, r.stderr)
		}
	}
	// Walked, the FIFO is not a manifest file at all: skipped, not an error.
	if r := lintArgs(t, dir); r.code == ExitError {
		t.Errorf("walking a directory with a FIFO: exit %d\nstderr: %s", r.code, r.stderr)
	}
}
