package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The child process of TestWriteOverFileSizeLimit: with RLIMIT_FSIZE set,
// a write past the limit fails with EFBIG half way through a report, as on
// a full disk.
func TestFileSizeLimitChild(t *testing.T) {
	limit := os.Getenv("MESHLINT_TEST_FSIZE")
	if limit == "" {
		t.Skip("run by TestWriteOverFileSizeLimit")
	}
	n, err := strconv.ParseUint(limit, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		t.Fatal(err)
	}
	args := strings.Split(os.Getenv("MESHLINT_TEST_ARGS"), "\n")
	os.Exit(Run(args, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}

// runUnderFileSizeLimit runs meshlint in dir in a child process whose files
// cannot grow beyond limit bytes.
func runUnderFileSizeLimit(t *testing.T, dir string, limit int, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFileSizeLimitChild$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MESHLINT_TEST_FSIZE="+strconv.Itoa(limit), "MESHLINT_TEST_ARGS="+strings.Join(args, "\n"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stderr.String()
}

func fileSize(t *testing.T, p string) int {
	t.Helper()
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return int(info.Size())
}

// TestWriteOverFileSizeLimit: a report or baseline whose write fails half
// way leaves the previous files byte-identical and no temporary file
// behind; with several reports, none is replaced.
func TestWriteOverFileSizeLimit(t *testing.T) {
	dir := t.TempDir()
	for i := range 20 {
		writeFile(t, dir, fmt.Sprintf("deploy/app%d.yaml", i), strings.ReplaceAll(appWith("labels: {}"), "shop", fmt.Sprintf("shop%d", i)))
	}
	// Measure what each output takes, to set a limit that lets the JSON
	// report through and stops the SARIF one half way.
	measure := t.TempDir()
	t.Chdir(dir) // the reports name files as the child's do
	r := lintArgs(t, "-f", "json", "-o", filepath.Join(measure, "r.json"), "-f", "sarif", "-o", filepath.Join(measure, "r.sarif"), "deploy")
	if r.code != ExitFindings {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	jsonSize, sarifSize := fileSize(t, filepath.Join(measure, "r.json")), fileSize(t, filepath.Join(measure, "r.sarif"))
	if sarifSize <= jsonSize {
		t.Fatalf("the SARIF report (%d bytes) is not larger than the JSON one (%d)", sarifSize, jsonSize)
	}
	lintArgs(t, "--write-baseline", filepath.Join(measure, "b.json"), "deploy")
	baselineSize := fileSize(t, filepath.Join(measure, "b.json"))

	old := map[string]string{"r.json": "the previous json report\n", "r.sarif": "the previous sarif report\n", "b.json": "the previous baseline\n"}
	for name, text := range old {
		writeFile(t, dir, name, text)
	}
	check := func(what string) {
		t.Helper()
		for name, text := range old {
			if data, _ := os.ReadFile(filepath.Join(dir, name)); string(data) != text {
				t.Errorf("%s: %s is not the previous file (%d bytes)", what, name, len(data))
			}
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != len(old)+1 { // and deploy/
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("%s: files left behind: %v", what, names)
		}
	}

	code, stderr := runUnderFileSizeLimit(t, dir, (jsonSize+sarifSize)/2, "-f", "json", "-o", "r.json", "-f", "sarif", "-o", "r.sarif", "deploy")
	if code != ExitError || !strings.Contains(stderr, "write the sarif report to r.sarif") || !strings.Contains(stderr, "file too large") {
		t.Errorf("reports over the limit: exit %d, stderr:\n%s", code, stderr)
	}
	check("reports")

	code, stderr = runUnderFileSizeLimit(t, dir, baselineSize/2, "--write-baseline", "b.json", "deploy")
	if code != ExitError || !strings.Contains(stderr, "write baseline b.json") || !strings.Contains(stderr, "file too large") {
		t.Errorf("baseline over the limit: exit %d, stderr:\n%s", code, stderr)
	}
	check("baseline")

	// Under a limit they fit in, both are written: the limit, not the
	// child, made the runs above fail.
	code, stderr = runUnderFileSizeLimit(t, dir, sarifSize+baselineSize, "-f", "json", "-o", "r.json", "-f", "sarif", "-o", "r.sarif", "deploy")
	if code != ExitFindings || fileSize(t, filepath.Join(dir, "r.sarif")) != sarifSize {
		t.Errorf("reports within the limit: exit %d, stderr:\n%s", code, stderr)
	}
}
