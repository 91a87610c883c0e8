package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// excludeTree is a repository with a finding in app.yaml, broken files in
// testdata/ and templates/, and a chart whose render fails; each is
// reported unless excluded.
func excludeTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	writeFile(t, dir, "testdata/broken.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
	writeFile(t, dir, "deep/testdata/broken.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
	writeFile(t, dir, "x/job.tmpl.yaml", "apiVersion: v1\nkind: Service\nspec: {}\n")
	writeFile(t, dir, "x/keep.tmpl.yaml", "apiVersion: v1\nkind: Pod\nspec: {}\n")
	writeFile(t, dir, "chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: missing\n  version: 1.0.0\n  repository: https://example.invalid/charts\n")
	writeFile(t, dir, "chart/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	writeFile(t, dir, "ops/kz/kustomization.yaml", "resources:\n- missing.yaml\n")
	return dir
}

func invalidFiles(t *testing.T, stdout string) []string {
	t.Helper()
	doc := decode(t, stdout)
	var files []string
	for _, f := range doc.Findings {
		if f.Rule == "invalid-manifest" || f.Rule == "render-error" || f.Rule == "render-skipped" {
			files = append(files, f.File)
		}
	}
	return files
}

// TestExcludeFlag: --exclude leaves out directories at any depth, globs,
// and a chart root; "!" takes a file back; --verbose lists each.
func TestExcludeFlag(t *testing.T) {
	dir := excludeTree(t)
	r := lintArgs(t, "-f", "json", "--fail-on", "none", dir)
	if got := invalidFiles(t, r.stdout); len(got) < 6 {
		t.Fatalf("without excludes, want the broken files and the chart reported, got %v\n%s", got, r.stderr)
	}
	r = lintArgs(t, "-f", "json", "--fail-on", "none", "--verbose", "--exclude", "testdata/", "--exclude", "**/*.tmpl.yaml",
		"--exclude", "!x/keep.tmpl.yaml", "--exclude", "/chart/", "--exclude", "ops/kz", dir)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := invalidFiles(t, r.stdout)
	if len(got) != 1 || !strings.HasSuffix(got[0], "x/keep.tmpl.yaml") {
		t.Errorf("with excludes, invalid files %v; want x/keep.tmpl.yaml alone (taken back by !)", got)
	}
	for _, want := range []string{"testdata: excluded by \"testdata/\" (--exclude)", "deep/testdata: excluded by",
		"x/job.tmpl.yaml: excluded by \"**/*.tmpl.yaml\"", "chart: excluded by \"/chart/\"", "ops/kz: excluded by"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--verbose does not say %q:\n%s", want, r.stderr)
		}
	}
}

// TestExcludeConfig: exclude: in .meshlint.yaml is anchored to the file's
// directory; a flag's "!" re-includes what it excludes; a bad pattern is an
// error naming file and line.
func TestExcludeConfig(t *testing.T) {
	dir := excludeTree(t)
	cfg := writeFile(t, dir, ".meshlint.yaml", "exclude:\n  - /testdata/\n  - deep/\n  - \"*.tmpl.yaml\"\n  - chart/\n  - kz/\n")
	r := lintArgs(t, "-c", cfg, "-f", "json", "--fail-on", "none", "--verbose", dir)
	if got := invalidFiles(t, r.stdout); len(got) != 0 {
		t.Errorf("config excludes: invalid files %v, want none\n%s", got, r.stderr)
	}
	if !strings.Contains(r.stderr, `excluded by "deep/" (`) || !strings.Contains(r.stderr, ".meshlint.yaml:3)") {
		t.Errorf("--verbose does not name the config's pattern and line:\n%s", r.stderr)
	}
	r = lintArgs(t, "-c", cfg, "-f", "json", "--fail-on", "none", "--exclude", "!deep/", dir)
	if got := invalidFiles(t, r.stdout); len(got) != 1 || !strings.HasSuffix(got[0], "deep/testdata/broken.yaml") {
		t.Errorf("--exclude !deep/ after the config: invalid files %v, want deep/testdata/broken.yaml", got)
	}

	writeFile(t, dir, ".meshlint.yaml", "exclude:\n  - ok/\n  - \"\"\n")
	r = lintArgs(t, "-c", cfg, dir)
	if r.code != ExitError || !strings.Contains(r.stderr, ".meshlint.yaml:3: exclude[1]") {
		t.Errorf("empty pattern: exit %d, stderr %s; want exit 2 naming line 3", r.code, r.stderr)
	}
	r = lintArgs(t, "--exclude", "#x", dir)
	if r.code != ExitError || !strings.Contains(r.stderr, "--exclude") {
		t.Errorf("comment pattern: exit %d, stderr %s; want a usage error", r.code, r.stderr)
	}
}

// TestExcludedDirectoryIsNotWalked: what an excluded directory holds is
// never opened: a FIFO (a read would block the run), an alias bomb, a
// symlink loop and a link to a canary outside the tree.
func TestExcludedDirectoryIsNotWalked(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	outside := writeFile(t, t.TempDir(), "canary.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: CANARYx9}\n")
	bad := filepath.Join(dir, "vendor", "bad")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(filepath.Join(bad, "pipe.yaml")); err != nil {
		t.Log(err) // no FIFOs on this system: the other entries still count
	}
	writeFile(t, bad, "bomb.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n")
	if err := os.Symlink(bad, filepath.Join(bad, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(bad, "canary.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--exclude", "vendor"}, {"--exclude", "/vendor/"}, {"--exclude", "**/bad"}} {
		r := lintArgs(t, append(append([]string{"-f", "json", "--fail-on", "none", "--verbose"}, args...), dir)...)
		if r.code != ExitOK || strings.Contains(r.stdout+r.stderr, "CANARYx9") || strings.Contains(r.stdout, "vendor/") {
			t.Errorf("%v: exit %d, output reads the excluded tree:\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestExcludedTypedFile: a file named on the command line (pre-commit
// passes changed files by name) stays out when excluded; excluding every
// path leaves nothing to lint, which is an error, not a silent pass.
func TestExcludedTypedFile(t *testing.T) {
	dir := t.TempDir()
	app := writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	broken := writeFile(t, dir, "gen/out.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
	r := lintArgs(t, "-f", "json", "--fail-on", "none", "--exclude", "gen/", app, broken)
	if got := invalidFiles(t, r.stdout); r.code != ExitOK || len(got) != 0 {
		t.Errorf("exit %d, invalid files %v; want the excluded file left out", r.code, got)
	}
	r = lintArgs(t, "--exclude", "*.yaml", dir)
	if r.code != ExitError || !strings.Contains(r.stderr, "no Kubernetes manifests found") {
		t.Errorf("everything excluded: exit %d, stderr %s; want exit 2", r.code, r.stderr)
	}
}
