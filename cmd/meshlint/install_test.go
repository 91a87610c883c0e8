package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// devPrograms are the development programs, kept under internal/_dev so
// that `go install ./...` (what pre-commit's golang hook runs) builds only
// meshlint.
var devPrograms = []string{"./internal/_dev/benchgen", "./internal/_dev/floor", "./internal/_dev/docgen"}

func TestGoInstallAllBuildsOnlyMeshlint(t *testing.T) {
	cmd := exec.Command(goCommand(), "list", "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{end}}`, "./...")
	cmd.Dir = moduleRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if got := strings.Fields(string(out)); len(got) != 1 || got[0] != "github.com/meshlint/meshlint/cmd/meshlint" {
		t.Errorf("`go install ./...` builds %v; development programs belong under internal/_dev", got)
	}
}

// The development programs still compile (go vet type-checks them), since
// ./... patterns, and so `go vet ./...`, skip them.
func TestDevProgramsCompile(t *testing.T) {
	for _, p := range devPrograms {
		if _, err := os.Stat(filepath.Join(moduleRoot, p)); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	cmd := exec.Command(goCommand(), append([]string{"vet"}, devPrograms...)...)
	cmd.Dir = moduleRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet %v: %v\n%s", devPrograms, err, out)
	}
}

// go.mod names the language version the dependencies need, a .0 release,
// so a Go 1.26 toolchain of any patch level builds meshlint without
// downloading another toolchain.
func TestGoDirectiveIsMinorRelease(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(moduleRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(b)
	if m == nil || !regexp.MustCompile(`^1\.\d+\.0$`).Match(m[1]) {
		t.Errorf("go.mod: go directive %q, want a .0 release such as 1.26.0", m)
	}
	if regexp.MustCompile(`(?m)^toolchain `).Match(b) {
		t.Error("go.mod has a toolchain line, which makes older patch releases download a toolchain")
	}
}
