//go:build unix

package render

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
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

// A FIFO in a chart would block Helm's loader for ever; it is left out and
// reported, and the chart's other files are gathered.
func TestGatherChartLeavesOutAFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: c\nversion: 0.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "values.yaml"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	x := &expander{workDir: dir, opts: Options{Root: confine.New([]string{dir}, nil), Limits: loader.DefaultLimits}}
	done := make(chan struct{})
	var files []wireFile
	var left []finding.Problem
	var err error
	go func() { files, left, err = x.gatherChart(dir); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("gathering the chart blocked on a FIFO")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "Chart.yaml" {
		t.Errorf("gathered %v, want Chart.yaml alone", files)
	}
	if len(left) != 1 || left[0].File != "values.yaml" || !strings.Contains(left[0].Message, "named pipe") {
		t.Errorf("left out: %+v", left)
	}
}
