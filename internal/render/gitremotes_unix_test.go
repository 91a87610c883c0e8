//go:build unix

package render

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A .git/config that is a FIFO would block a plain read for ever.
func TestGitRemotesSkipsAFIFOConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, ".git", "config"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan []string, 1)
	go func() { done <- gitRemotes(dir) }()
	select {
	case got := <-done:
		if len(got) != 0 {
			t.Errorf("remotes from a FIFO: %v", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("gitRemotes blocked on a FIFO .git/config")
	}
}
