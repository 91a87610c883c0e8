package cli

import (
	"bytes"
	"testing"
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
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"graph", "--broken", "./examples"}, Env{Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false }}); code != ExitOK {
		t.Fatalf("meshlint graph exited %d: %s", code, stderr.String())
	}
	keepReadmeBlock(t, graphBegin, graphEnd, "```mermaid\n"+stdout.String()+"```\n", "scrape path picture", "TestReadmeGraph")
}
