package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/goldenflag"
)

//go:generate go test . -run TestReadmeGraph -update

const (
	graphBegin = "<!-- graph-output:begin"
	graphEnd   = "<!-- graph-output:end -->"
)

// TestReadmeGraph keeps the README's picture of the examples' broken scrape
// paths what `meshlint graph --broken ./examples` draws today; -update (or
// go generate) rewrites the block.
func TestReadmeGraph(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"graph", "--broken", "./examples"}, Env{Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false }}); code != ExitOK {
		t.Fatalf("meshlint graph exited %d: %s", code, stderr.String())
	}
	want := "```mermaid\n" + stdout.String() + "```\n"

	text := string(readme)
	begin := strings.Index(text, graphBegin)
	end := strings.Index(text, graphEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no %s --> ... %s block", graphBegin, graphEnd)
	}
	blockStart := begin + strings.Index(text[begin:], "\n") + 1
	if text[blockStart:end] == want {
		return
	}
	if !*goldenflag.Update {
		t.Fatalf("README.md's scrape path picture is stale; run `go test ./internal/cli -run TestReadmeGraph -update`. It should be:\n%s", want)
	}
	updated := text[:blockStart] + want + text[end:]
	if err := os.WriteFile("README.md", []byte(updated), 0o644); err != nil {
		t.Fatal(err)
	}
}
