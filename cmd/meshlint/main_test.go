package main

// The tests of this package check how meshlint is delivered: the release
// config stamps the version, the GitHub Action's script runs, and the
// pre-commit hooks work under the real pre-commit. They build the meshlint
// binary once and run it as users do.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/meshlint/meshlint/internal/render"
)

// moduleRoot is the repository root, where action.yml and the hook and
// release files live.
const moduleRoot = "../.."

var (
	scratch   string // removed after all tests
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	if handled, code := render.ServeChild(); handled {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "meshlint-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	scratch = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// meshlintBinary builds ./cmd/meshlint once for all tests and returns the
// directory holding it, to put on PATH.
func meshlintBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(scratch, "bin", "meshlint")
		buildErr = goBuild(binPath, "")
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Dir(binPath)
}

// goBuild builds meshlint with the go command that runs the tests.
func goBuild(out, ldflags string) error {
	args := []string{"build", "-o", out}
	if ldflags != "" {
		args = append(args, "-ldflags", ldflags)
	}
	cmd := exec.Command(goCommand(), append(args, ".")...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// requireTool finds an external tool. Outside CI a missing tool skips the
// test with the command that installs it; in CI (CI=true) it fails, because
// .ci/steps installs every tool the tests need.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, but CI=true: .ci/steps must install it (%s)", name, install)
	}
	t.Skipf("%s is not installed; install it with '%s' to run this test (CI always runs it)", name, install)
	return ""
}

// copyFile copies src to dst, creating dst's directory.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the regular files directly in src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
		}
	}
}
