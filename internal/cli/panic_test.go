package cli

import (
	"bytes"
	"strings"
	"testing"
)

// panicWriter stands in for any bug outside the loader: it panics when the
// report is written.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("writer exploded") }

// TestPanicIsRecoveredWithTheInputs checks Run's last line of defence: a
// panic outside the per-file and per-resource recovers is reported with the
// command line (so the files being read), and the exit code is 2.
func TestPanicIsRecoveredWithTheInputs(t *testing.T) {
	var stderr bytes.Buffer
	code := Run([]string{"-f", "json", goodFile}, Env{Stdout: panicWriter{}, Stderr: &stderr,
		Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false }})
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	msg := stderr.String()
	if !strings.Contains(msg, "meshlint: internal error (please report it)") || !strings.Contains(msg, goodFile) ||
		!strings.Contains(msg, "writer exploded") {
		t.Errorf("stderr does not name the error and the inputs:\n%s", msg)
	}
}
