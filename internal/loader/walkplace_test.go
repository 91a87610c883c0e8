package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDisplayJoinIsDisplayPath: the walk derives a file's display path
// from its directory's; it must be what DisplayPath makes of the whole path,
// for directories above, below and beside the work directory, relative
// ones, and the filesystem's root. A directory above the work directory
// is left to DisplayPath: a name there may lead back into it.
func TestDisplayJoinIsDisplayPath(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(base)
	workDirs := []string{base, filepath.Join(base, "a", "b"), string(filepath.Separator), "rel"}
	dirs := []string{base, filepath.Join(base, "a"), filepath.Join(base, "a", "b"), filepath.Join(base, "c", "..", "d"),
		base + string(filepath.Separator), ".", "./x/", "x/../y", "..", string(filepath.Separator)}
	for _, wd := range workDirs {
		for _, dir := range dirs {
			for _, name := range []string{"app.yaml", "templates", ".hidden", "b", "a"} {
				want := DisplayPath(filepath.Join(dir, name), wd)
				if aboveWorkDir(DisplayPath(dir, wd)) {
					continue
				}
				if got := displayJoin(DisplayPath(dir, wd), name, filepath.Join(dir, name)); got != want {
					t.Errorf("workDir %q, dir %q, name %q: display %q, want %q", wd, dir, name, got, want)
				}
			}
		}
	}
}

// TestWalkDecidesChartTemplatesAsTheClimb: the walk decides once per
// directory whether its files are in a chart's templates; each file must
// get what climbing from its own path decides (inChartTemplates), and the
// display path DisplayPath gives, whichever directory the walk starts
// from, typed relative or absolute.
func TestWalkDecidesChartTemplatesAsTheClimb(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"chart/Chart.yaml", "chart/templates/a.yaml", "chart/templates/sub/b.yaml",
		"chart/templates/templates/c.yaml", "chart/other/d.yaml", "notchart/templates/e.yaml",
		"notchart/templates/Chart.yaml", "notchart/templates/templates/f.yaml", "templates/g.yaml",
	} {
		full := filepath.Join(base, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("a: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(base)
	for _, root := range []string{base, ".", "chart", "chart/templates/", "./chart/templates/sub", "notchart/templates",
		filepath.Join(base, "notchart", "templates", "templates"), "templates"} {
		var inputs []input
		if _, err := walk(root, filepath.Join(base, "chart"), nil, nil, func(in input) { inputs = append(inputs, in) }); err != nil {
			t.Fatal(err)
		}
		in := map[string]bool{}
		for _, i := range inputs {
			in[i.display] = i.inChartTemplates
			if got, want := i.inChartTemplates, inChartTemplates(i.path); got != want {
				t.Errorf("walk from %q: %s in chart templates %v, want %v", root, i.path, got, want)
			}
			if got, want := i.display, DisplayPath(i.path, filepath.Join(base, "chart")); got != want {
				t.Errorf("walk from %q: %s shown as %q, want %q", root, i.path, got, want)
			}
		}
		if len(inputs) == 0 {
			t.Errorf("walk from %q found nothing", root)
		}
		if root == "." && (!in["templates/a.yaml"] || !in["templates/sub/b.yaml"] || in["other/d.yaml"] ||
			!in["../notchart/templates/templates/f.yaml"] || in["../notchart/templates/e.yaml"] || in["../templates/g.yaml"]) {
			t.Errorf("walk from %q: in chart templates %v", root, in)
		}
	}
}

func TestAboveWorkDir(t *testing.T) {
	for display, want := range map[string]bool{
		"..": true, "../..": true, "../../..": true, ".": false, "../x": false, "../..x": false, "..x": false,
		"x/..": false, "...": false, "../../x/..": false, "": false, "/": false, "../": false,
	} {
		if got := aboveWorkDir(display); got != want {
			t.Errorf("aboveWorkDir(%q) = %v, want %v", display, got, want)
		}
	}
}

// TestWalkEmitsManifestsOutsideHiddenDirectories: the walk names the
// files with a manifest's extension, in any case, in lexical order,
// below directories that are not hidden (whatever their own names), and
// nothing else.
func TestWalkEmitsManifestsOutsideHiddenDirectories(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		".hidden/a.yaml", "app/.b.yaml", "app/c.YML", "app/d.json", "app/e.md", "app/f.yaml.bak", "app/g",
		"dir.yaml/h.yaml", "dir.md/i.yml", "app/.git/j.yaml", "k.yaml",
	} {
		full := filepath.Join(base, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("a: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if _, err := walk(base, base, nil, nil, func(in input) { got = append(got, in.display) }); err != nil {
		t.Fatal(err)
	}
	want := []string{"app/.b.yaml", "app/c.YML", "app/d.json", "dir.md/i.yml", "dir.yaml/h.yaml", "k.yaml"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("walked %q, want %q", got, want)
	}
}
