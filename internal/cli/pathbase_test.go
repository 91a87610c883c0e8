package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
)

// gitRepo makes dir a Git work tree the way meshlint recognises one: a
// .git entry (meshlint never runs git).
func gitRepo(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pathTree is a repository with a finding in sub/app.yaml (related
// locations in the same file), a config file with an ignore entry that
// matches nothing (a finding on the config file), and a broken chart.
func pathTree(t *testing.T) string {
	t.Helper()
	repo := gitRepo(t, filepath.Join(t.TempDir(), "repo"))
	writeFile(t, repo, "sub/app.yaml", appWith("labels: {}"))
	writeFile(t, repo, ".meshlint.yaml", "ignore:\n  - {rule: plaintext-scrape-of-strict-port, name: nothing-here, reason: test}\n")
	writeFile(t, repo, "chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n")
	writeFile(t, repo, "chart/templates/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: {{ .Values.name | required \"name\" }}}\n")
	return repo
}

// everyPath lints with every format from the working directory wd and
// returns the outputs; stdout holds text.
func everyFormat(t *testing.T, wd string, args ...string) map[string]string {
	t.Helper()
	t.Chdir(wd)
	out := t.TempDir()
	all := []string{"--fail-on", "none"}
	for _, f := range report.Formats {
		all = append(all, "-f", f, "-o", filepath.Join(out, "out."+f))
	}
	r := lintArgs(t, append(all, args...)...)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := map[string]string{}
	for _, f := range report.Formats {
		b, err := os.ReadFile(filepath.Join(out, "out."+f))
		if err != nil {
			t.Fatal(err)
		}
		got[f] = string(b)
	}
	return got
}

// TestPathsRelativeToRepositoryRoot: from a sibling directory, from a
// subdirectory, and with --root, every format names files from the
// repository's top: sub/app.yaml, .meshlint.yaml, chart/templates/svc.yaml.
func TestPathsRelativeToRepositoryRoot(t *testing.T) {
	repo := pathTree(t)
	sibling := filepath.Join(filepath.Dir(repo), "elsewhere")
	if err := os.MkdirAll(sibling, 0o755); err != nil {
		t.Fatal(err)
	}
	runs := map[string]struct {
		wd   string
		args []string
	}{
		"sibling":      {sibling, []string{"-c", "../repo/.meshlint.yaml", "../repo"}},
		"subdirectory": {filepath.Join(repo, "sub"), []string{"..", "-c", "../.meshlint.yaml"}},
		"root":         {repo, []string{"."}},
		"--root":       {sibling, []string{"--root", "../repo", "-c", "../repo/.meshlint.yaml", "../repo/sub", "../repo/chart"}},
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			outs := everyFormat(t, run.wd, run.args...)
			for format, out := range outs {
				for _, want := range []string{"sub/app.yaml", "chart/templates/svc.yaml"} {
					if !strings.Contains(out, want) {
						t.Errorf("%s output lacks %s:\n%s", format, want, out)
					}
				}
				if strings.Contains(out, "../") || strings.Contains(out, "repo/sub") || strings.Contains(out, repo) {
					t.Errorf("%s output names a path from outside the repository root:\n%s", format, out)
				}
			}
			if !strings.Contains(outs["json"], `"file": ".meshlint.yaml"`) {
				t.Errorf("the config file's finding is not on .meshlint.yaml:\n%s", outs["json"])
			}
			if !strings.Contains(outs["sarif"], `"uri": "sub/app.yaml"`) {
				t.Errorf("SARIF has no uri sub/app.yaml under %%SRCROOT%%:\n%s", outs["sarif"])
			}
		})
	}
}

// TestOnlyFilesUseTheSameBase: a file named from a subdirectory is found
// among findings named from the root.
func TestOnlyFilesUseTheSameBase(t *testing.T) {
	repo := pathTree(t)
	t.Chdir(filepath.Join(repo, "sub"))
	r := lintArgs(t, "-c", os.DevNull, "-f", "json", "--fail-on", "none", "--only-files", "app.yaml", "--", "..")
	doc := decode(t, r.stdout)
	if len(doc.Findings) == 0 {
		t.Fatalf("--only-files app.yaml from sub/ kept no finding: %s", r.stderr)
	}
	for _, f := range doc.Findings {
		if f.File != "sub/app.yaml" {
			t.Errorf("finding on %s kept, want sub/app.yaml only", f.File)
		}
	}
}

// TestPathBaseFallsBack: paths in two repositories, or in none, are named
// from the working directory; a .git planted below the working
// directory's repository does not move the base into it.
func TestPathBaseFallsBack(t *testing.T) {
	top := t.TempDir()
	a := gitRepo(t, filepath.Join(top, "a"))
	b := gitRepo(t, filepath.Join(top, "b"))
	plain := filepath.Join(top, "plain")
	nested := gitRepo(t, filepath.Join(a, "vendor", "planted"))
	for _, d := range []string{plain} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		wd    string
		paths []string
		want  string
	}{
		{"two repositories", top, []string{a, b}, top},
		{"no repository", top, []string{plain}, top},
		{"stdin only", plain, []string{"-"}, plain},
		{"one repository from outside", plain, []string{a, filepath.Join(a, "x")}, a},
		{"nested .git below the working directory's repository", a, []string{nested}, a},
		{"nested .git from outside", top, []string{nested}, nested},
	}
	for _, c := range cases {
		if got := pathBase("", c.paths, c.wd); got != c.want {
			t.Errorf("%s: base %s, want %s", c.name, got, c.want)
		}
	}
	if got := pathBase(b, []string{a}, top); got != b {
		t.Errorf("--root: base %s, want %s", got, b)
	}
}

// shown is how meshlint names p in a run over paths from the test's
// working directory: relative to loader.DisplayBase (the Git top level of
// this repository for its testdata).
func shown(t *testing.T, p string, paths ...string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return loader.DisplayPath(p, loader.DisplayBase("", paths, wd))
}

// TestValuesFilePathsFromTheRoot: a finding on a --prometheus-values file
// is named from the repository's top too, run from outside it.
func TestValuesFilePathsFromTheRoot(t *testing.T) {
	top := t.TempDir()
	repo := gitRepo(t, filepath.Join(top, "repo"))
	if err := os.CopyFS(filepath.Join(repo, "deploy"), os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(top)
	r := lintArgs(t, "-c", os.DevNull, "-f", "json", "--fail-on", "none",
		"--prometheus-values", "repo/deploy/bigbang-values.yaml", "repo/deploy")
	on := 0
	for _, f := range decode(t, r.stdout).Findings {
		if strings.HasSuffix(f.File, "bigbang-values.yaml") {
			on++
			if f.File != "deploy/bigbang-values.yaml" {
				t.Errorf("finding on %s, want deploy/bigbang-values.yaml", f.File)
			}
		}
	}
	if on == 0 {
		t.Fatalf("no finding on the values file:\n%s\n%s", r.stdout, r.stderr)
	}
}
