package cli

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/report"
)

// TestReadmeFormatsMatchRegistry holds the README to report.Registry: the
// formats table under "Output formats" has one row per format, in order,
// with its summary, and the --format row of the flags table names them all.
func TestReadmeFormatsMatchRegistry(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.ReplaceAll(string(b), "\r\n", "\n")
	const header = "| `-f` | writes |\n|---|---|\n"
	_, table, ok := strings.Cut(readme, header)
	if !ok {
		t.Fatalf("README has no formats table starting\n%s", header)
	}
	var got []string
	for line := range strings.SplitSeq(table, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		got = append(got, line)
	}
	var want []string
	for _, f := range report.Registry {
		want = append(want, fmt.Sprintf("| `%s` | %s |", f.Name, f.Summary))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README formats table:\n%s\nwant (from report.Registry):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	quoted := make([]string, len(report.Formats))
	for i, name := range report.Formats {
		quoted[i] = "`" + name + "`"
	}
	flagRow := "| `-f, --format` | " + quoted[0] + " (default), " + strings.Join(quoted[1:], ", ") + ";"
	if !strings.Contains(readme, "\n"+flagRow) {
		t.Errorf("README flags table should have a row starting\n%s", flagRow)
	}
}
