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
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	Run([]string{"./examples"}, Env{Stdout: &stdout, Stderr: &stderr,
		Getenv:     func(string) string { return "" },
		IsTerminal: func() bool { return false }})
	want := "```\n$ meshlint ./examples\n" + stdout.String() + stderr.String() + "```\n"

	text := string(readme)
	begin := strings.Index(text, sampleBegin)
	end := strings.Index(text, sampleEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no %s --> ... %s block", sampleBegin, sampleEnd)
	}
	blockStart := begin + strings.Index(text[begin:], "\n") + 1
	if text[blockStart:end] == want {
		return
	}
	if !*goldenflag.Update {
		t.Fatalf("README.md's sample output is stale; run `go test ./internal/cli -run TestReadmeSampleOutput -update`. It should be:\n%s", want)
	}
	updated := text[:blockStart] + want + text[end:]
	if err := os.WriteFile("README.md", []byte(updated), 0o644); err != nil {
		t.Fatal(err)
	}
}
