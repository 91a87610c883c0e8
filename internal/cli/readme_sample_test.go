package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/goldenflag"
)

//go:generate go test . -run TestReadmeSampleOutput -update

const (
	sampleBegin = "<!-- sample-output:begin"
	sampleEnd   = "<!-- sample-output:end -->"
)

// TestReadmeSampleOutput keeps the README's sample output what
// `meshlint ./examples` prints today, run from the repository root as the
// README shows it; -update (or go generate) rewrites the block.
func TestReadmeSampleOutput(t *testing.T) {
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	Run([]string{"./examples"}, Env{Stdout: &stdout, Stderr: &stderr,
		Getenv:     func(string) string { return "" },
		IsTerminal: func() bool { return false }})
	want := "```\n$ meshlint ./examples\n" + stdout.String() + stderr.String() + "```\n"
	keepReadmeBlock(t, sampleBegin, sampleEnd, want, "sample output", "TestReadmeSampleOutput")
}

// keepReadmeBlock checks that README.md (in the working directory) holds
// want between the begin and end markers; with -update it rewrites the block.
func keepReadmeBlock(t *testing.T, beginMarker, endMarker, want, what, test string) {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	begin := strings.Index(text, beginMarker)
	end := strings.Index(text, endMarker)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no %s --> ... %s block", beginMarker, endMarker)
	}
	blockStart := begin + strings.Index(text[begin:], "\n") + 1
	if text[blockStart:end] == want {
		return
	}
	if !*goldenflag.Update {
		t.Fatalf("README.md's %s is stale; run `go test ./internal/cli -run %s -update`. It should be:\n%s", what, test, want)
	}
	updated := text[:blockStart] + want + text[end:]
	if err := os.WriteFile("README.md", []byte(updated), 0o644); err != nil {
		t.Fatal(err)
	}
}
