package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// treeState records every file, link and directory below dir, so a test
// can tell that a refused run touched nothing.
func treeState(t *testing.T, dir string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			state[rel] = "link -> " + target
		case d.IsDir():
			state[rel] = "dir"
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			state[rel] = info.Mode().String() + " " + string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

func diffState(before, after map[string]string) []string {
	var diff []string
	for k, v := range before {
		if after[k] != v {
			diff = append(diff, k+" changed")
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			diff = append(diff, k+" appeared")
		}
	}
	return diff
}

// TestRefusedOutputPaths: an output that is a file the run reads, or that
// another output of the run writes, is refused before anything is written:
// exit 2, a message naming the path and why, and every file untouched.
func TestRefusedOutputPaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "deploy/app.yaml", appWith("labels: {}"))
	writeFile(t, dir, "meshlint.yaml", "failOn: error\n")
	writeFile(t, dir, "values.yaml", "image: x\n")
	writeFile(t, dir, "prom-values.yaml", "prometheus:\n  prometheusSpec: {}\n")
	writeFile(t, dir, "policies/extra.rego", "package meshlint.rules.extra_x\n")
	writeFile(t, dir, "old.json", "previous report\n")
	if r := lintArgs(t, "-c", "meshlint.yaml", "--write-baseline", "b.json", "deploy"); r.code != ExitOK {
		t.Fatalf("--write-baseline: exit %d\n%s", r.code, r.stderr)
	}
	outside := t.TempDir()
	symlink(t, filepath.Join(dir, "deploy/app.yaml"), filepath.Join(outside, "app-link.json"))
	symlink(t, "old.json", filepath.Join(dir, "old-link.json"))
	symlink(t, "new.json", filepath.Join(dir, "new-link.json")) // dangling: new.json is not there yet
	if err := os.Link(filepath.Join(dir, "deploy/app.yaml"), filepath.Join(outside, "app-hardlink.json")); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"an input manifest", []string{"-f", "json", "-o", "deploy/app.yaml"}, "refusing to write the json report to deploy/app.yaml: it is an input this run read (deploy/app.yaml)"},
		{"an input manifest through a link", []string{"-f", "json", "-o", filepath.Join(outside, "app-link.json")}, "it is an input this run read (deploy/app.yaml)"},
		{"an input manifest through a hard link", []string{"-f", "json", "-o", filepath.Join(outside, "app-hardlink.json")}, "it is an input this run read (deploy/app.yaml)"},
		{"the config file", []string{"-f", "sarif", "-o", "meshlint.yaml"}, "it is the config file in use (meshlint.yaml)"},
		{"the config file, spelled otherwise", []string{"-f", "sarif", "-o", "./deploy/../meshlint.yaml"}, "it is the config file in use"},
		{"a --values file", []string{"--values", "values.yaml", "-f", "junit", "-o", "values.yaml"}, "it is a --values file of this run"},
		{"a --prometheus-values file", []string{"--prometheus-values", "prom-values.yaml", "-f", "json", "-o", "prom-values.yaml"}, "it is a Prometheus values file of this run"},
		{"a policy file", []string{"--policy", "policies", "-f", "json", "-o", "policies/extra.rego"}, "it is a policy file under --policy policies"},
		{"the baseline read", []string{"--baseline", "b.json", "-f", "json", "-o", "b.json"}, "it is the --baseline file being read"},
		{"the same output twice", []string{"-f", "json", "-o", "old.json", "-f", "sarif", "-o", "old.json"}, "the json report and the sarif report both write to old.json"},
		{"the same output spelled twice", []string{"-f", "json", "-o", "old.json", "-f", "sarif", "-o", "deploy/../old.json"}, "both write to deploy/../old.json"},
		{"the same output through a link", []string{"-f", "json", "-o", "old.json", "-f", "junit", "-o", "old-link.json"}, "the json report and the junit report both write to old-link.json"},
		{"a new output through a dangling link", []string{"-f", "json", "-o", "new.json", "-f", "junit", "-o", "new-link.json"}, "both write to new-link.json"},
		{"a missing directory", []string{"-f", "json", "-o", "reports/out.json"}, "cannot write the json report to reports/out.json: directory reports does not exist; create it first"},
		{"a directory", []string{"-f", "json", "-o", "deploy"}, "cannot write the json report to deploy: it is a directory"},
		{"a file as a directory", []string{"-f", "json", "-o", "old.json/out.json"}, "old.json is not a directory"},
		{"a baseline over an input", []string{"--write-baseline", "deploy/app.yaml"}, "refusing to write the baseline to deploy/app.yaml: it is an input this run read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := treeState(t, dir)
			beforeOutside := treeState(t, outside)
			r := lintArgs(t, append(append([]string{"-c", "meshlint.yaml"}, c.args...), "deploy")...)
			if r.code != ExitError || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", r.code, r.stderr, c.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout written: %q", r.stdout)
			}
			if d := append(diffState(before, treeState(t, dir)), diffState(beforeOutside, treeState(t, outside))...); len(d) > 0 {
				t.Errorf("a refused run changed files: %v", d)
			}
		})
	}
}

// TestBaselineRefreshedInPlace: --baseline b --write-baseline b reads the
// old baseline and replaces it, which the atomic write makes safe.
func TestBaselineRefreshedInPlace(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	empty := writeFile(t, dir, "empty.yaml", "")
	stale := `{"version": 1, "findings": [{"fingerprint": "0000", "rule": "plaintext-scrape-of-strict-port"}]}` + "\n"
	writeFile(t, dir, "b.json", stale)
	r := lintArgs(t, "-c", empty, "--baseline", "b.json", "--write-baseline", "b.json", "app.yaml")
	if r.code != ExitOK || !strings.Contains(r.stderr, "wrote 1 finding to baseline b.json") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile("b.json")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(`"0000"`)) || !bytes.Contains(data, []byte(`"rule":"plaintext-scrape-of-strict-port"`)) {
		t.Errorf("b.json was not refreshed:\n%s", data)
	}
	if r := lintArgs(t, "-c", empty, "--baseline", "b.json", "app.yaml"); r.code != ExitOK {
		t.Errorf("the refreshed baseline does not accept the finding: exit %d\n%s", r.code, r.stdout)
	}
}

// TestOutputLinkIsReplacedNotFollowed: a link planted at the report's path
// (say, to a workflow file) is replaced by the report; its target is
// untouched.
func TestOutputLinkIsReplacedNotFollowed(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "deploy/app.yaml", appWith("labels: {}"))
	victim := writeFile(t, t.TempDir(), "ci.yml", "on: push\n")
	symlink(t, victim, filepath.Join(dir, "meshlint.sarif"))
	r := lintArgs(t, "-f", "sarif", "-o", "meshlint.sarif", "deploy")
	if r.code != ExitFindings {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(victim); string(data) != "on: push\n" {
		t.Errorf("the link's target was written: %q", data)
	}
	if info, err := os.Lstat("meshlint.sarif"); err != nil || !info.Mode().IsRegular() {
		t.Errorf("meshlint.sarif is not the report: %v", err)
	}
}
