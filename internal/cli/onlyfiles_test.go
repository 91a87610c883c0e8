package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// onlyFilesTree copies the report manifests (a ServiceMonitor in
// monitors.yaml that is wrong because of a PeerAuthentication, Service and
// Deployment in shop.yaml) beside an unrelated file, and enters it.
func onlyFilesTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"monitors.yaml", "shop.yaml"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/report/manifests", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "manifests"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "manifests", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	other := "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n"
	if err := os.WriteFile(filepath.Join(dir, "other.yaml"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return dir
}

func TestOnlyFiles(t *testing.T) {
	dir := onlyFilesTree(t)
	stdin := func(s string, args ...string) result {
		return run(t, strings.NewReader(s), nil, false, args...)
	}
	for _, c := range []struct {
		name     string
		r        func() result
		findings int
	}{
		// The finding's own file.
		{"--only-files own file", func() result { return lintArgs(t, "-f", "json", "--only-files", "manifests/monitors.yaml") }, 1},
		// A file that only a related location is in: the STRICT policy.
		{"--only-files related file", func() result { return lintArgs(t, "-f", "json", "--only-files", "manifests/shop.yaml") }, 1},
		{"--only-files unrelated file", func() result { return lintArgs(t, "-f", "json", "--only-files", "other.yaml") }, 0},
		{"--only-files nothing", func() result { return lintArgs(t, "-f", "json", "--only-files") }, 0},
		// Paths are compared in display form.
		{"unnormalised and absolute paths", func() result {
			return stdin("./manifests//monitors.yaml\n", "-f", "json", "--only-files-from", "-", ".")
		}, 1},
		{"absolute path", func() result {
			return stdin(filepath.Join(dir, "manifests", "shop.yaml")+"\n", "-f", "json", "--only-files-from", "-", ".")
		}, 1},
		{"CRLF list", func() result {
			return stdin("other.yaml\r\nmanifests/monitors.yaml\r\n", "-f", "json", "--only-files-from", "-")
		}, 1},
		{"NUL-separated list", func() result {
			return stdin("other.yaml\x00manifests/monitors.yaml\x00", "-f", "json", "--only-files-from", "-")
		}, 1},
		{"empty list", func() result { return stdin("", "-f", "json", "--only-files-from", "-") }, 0},
		{"unrelated list", func() result { return stdin("other.yaml\nREADME.md\n", "-f", "json", "--only-files-from", "-") }, 0},
	} {
		r := c.r()
		wantCode := ExitOK
		if c.findings > 0 {
			wantCode = ExitFindings
		}
		if r.code != wantCode {
			t.Errorf("%s: exit %d, want %d\n%s", c.name, r.code, wantCode, r.stderr)
			continue
		}
		doc := decode(t, r.stdout)
		if len(doc.Findings) != c.findings || doc.Summary.Errors != c.findings {
			t.Errorf("%s: %d findings, summary %+v; want %d", c.name, len(doc.Findings), doc.Summary, c.findings)
		}
		// The whole input was linted either way.
		if doc.Summary.Files != 3 {
			t.Errorf("%s: summary %+v, want the 3 files linted", c.name, doc.Summary)
		}
	}

	list := filepath.Join(t.TempDir(), "changed.txt")
	if err := os.WriteFile(list, []byte("manifests/monitors.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := lintArgs(t, "--only-files-from", list, "."); r.code != ExitFindings || !strings.Contains(r.stdout, "manifests/monitors.yaml:10:7") {
		t.Errorf("--only-files-from FILE: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := lintArgs(t, "--only-files-from", list, "--max-file-size", "8", "."); r.code != ExitError || !strings.Contains(r.stderr, "--max-file-size") {
		t.Errorf("list over --max-file-size: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := lintArgs(t, "--only-files-from", filepath.Join(dir, "missing.txt"), "."); r.code != ExitError || !strings.Contains(r.stderr, "--only-files-from") {
		t.Errorf("missing list: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := stdin("x\n", "--only-files-from", "-", "-"); r.code != ExitError || !strings.Contains(r.stderr, "both want stdin") {
		t.Errorf("two readers of stdin: exit %d, stderr %q", r.code, r.stderr)
	}
}

// JUnit lists only the resources of the files reported on, so a
// pre-commit or pull-request run does not list the whole repository.
func TestOnlyFilesJUnitCases(t *testing.T) {
	onlyFilesTree(t)
	r := lintArgs(t, "-f", "junit", "--only-files", "other.yaml")
	if r.code != ExitOK || !strings.Contains(r.stdout, `name="Namespace other"`) || strings.Contains(r.stdout, "ServiceMonitor shop/cart") {
		t.Errorf("exit %d; want only other.yaml's resources:\n%s", r.code, r.stdout)
	}
}
