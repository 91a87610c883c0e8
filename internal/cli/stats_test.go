package cli

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
)

// TestStats: --stats writes counts and phase timings to stderr, and changes
// nothing on stdout or in the exit code.
func TestStats(t *testing.T) {
	dir := t.TempDir()
	st, err := corpus.Generate(dir, corpus.Options{Apps: 40})
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := Run(args, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
			IsTerminal: func() bool { return false }})
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := run("--stats", "--format", "json", dir)
	plainCode, plainOut, _ := run("--format", "json", dir)
	if code != plainCode || out != plainOut {
		t.Errorf("--stats changed the result: exit %d (without: %d), stdout equal: %v", code, plainCode, out == plainOut)
	}
	want := []string{
		"meshlint: stats: 161 files (0 skipped), ",
		"YAML documents: 80 identified by prescan, ",
		"compile rules", "load", "graph", "evaluate", "findings", "report", "total",
		"allocated in total",
	}
	if runtime.GOOS == "linux" {
		want = append(want, "peak RSS")
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	if st.Files != 161 {
		t.Fatalf("the corpus has %d files; the expectations above assume 161", st.Files)
	}
}
