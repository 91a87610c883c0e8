package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"helm.sh/helm/v3/pkg/ignore"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
)

// maxChartDepth bounds the directory nesting of a chart walk, so that a
// symbolic link loop inside the repository cannot make it endless.
const maxChartDepth = 64

// chartGather walks one chart directory.
type chartGather struct {
	x       *expander
	rules   *ignore.Rules
	files   []wireFile
	left    []finding.Problem // files left out, each a render-error at the file
	total   int64
	budget  int64
	visited map[string]bool // real directories walked, against link loops
}

// gatherChart reads a chart directory the way Helm's loader does (every
// file not matched by .helmignore, symbolic links followed, a UTF-8 BOM
// dropped), but only through the Root: a file whose real path leaves the
// repository, or that is not a regular file, is left out and reported at
// the file, and the chart renders without it. Each file is held to
// --max-file-size and the whole chart to the chart budget; a chart over
// its budget is an error.
func (x *expander) gatherChart(dir string) ([]wireFile, []finding.Problem, error) {
	real, err := x.opts.Root.Resolve(dir)
	if err != nil {
		return nil, nil, err
	}
	g := &chartGather{x: x, rules: ignore.Empty(), budget: x.opts.chartBudget(), visited: map[string]bool{}}
	ifile := filepath.Join(dir, ignore.HelmIgnore)
	if _, err := os.Lstat(ifile); err == nil {
		data, err := x.opts.Root.ReadFile(ifile, x.opts.Limits.MaxFileBytes, "--max-file-size")
		if err != nil {
			g.leaveOut(ifile, err)
		} else if g.rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, g.left, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
	}
	g.rules.AddDefaults()
	g.visited[real] = true
	if err := g.walk(dir, "", 0); err != nil {
		return nil, g.left, err
	}
	return g.files, g.left, nil
}

// leaveOut reports a file that is not rendered, and why.
func (g *chartGather) leaveOut(p string, err error) {
	var ce *confine.Error
	why := err.Error()
	if errors.As(err, &ce) {
		why = ce.Reason
	}
	g.left = append(g.left, g.x.errorAt(g.x.display(p), 1, 1,
		fmt.Sprintf("file %s is left out of the Helm chart's rendering: %s", g.x.display(p), why)))
}

// walk reads dir (rel inside the chart) in name order, as Helm does.
func (g *chartGather) walk(dir, rel string, depth int) error {
	if depth > maxChartDepth {
		return fmt.Errorf("directories nested deeper than %d levels under %s", maxChartDepth, g.x.display(dir))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read %s: %w", g.x.display(dir), confine.UnwrapPath(err))
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		n := path.Join(rel, e.Name())
		// .helmignore is matched first, against what a link points to
		// (as Helm's walk sees it): an ignored entry is never read.
		info, err := os.Stat(p)
		if err != nil {
			g.leaveOut(p, confine.UnwrapPath(err))
			continue
		}
		if g.rules.Ignore(n, info) {
			continue
		}
		real, err := g.x.opts.Root.Resolve(p)
		if err != nil {
			g.leaveOut(p, err)
			continue
		}
		if info.IsDir() {
			if g.visited[real] {
				continue
			}
			g.visited[real] = true
			if err := g.walk(p, n, depth+1); err != nil {
				return err
			}
			continue
		}
		if err := g.read(p, n, info); err != nil {
			return err
		}
	}
	return nil
}

// read adds one file; an error is a chart over its budget.
func (g *chartGather) read(p, name string, info fs.FileInfo) error {
	if info.Mode().IsRegular() && info.Size()+g.total > g.budget {
		return g.overBudget()
	}
	data, err := g.x.opts.Root.ReadFile(p, g.x.opts.Limits.MaxFileBytes, "--max-file-size")
	if err != nil {
		g.leaveOut(p, err)
		return nil
	}
	if g.total += int64(len(data)); g.total > g.budget {
		return g.overBudget()
	}
	g.files = append(g.files, wireFile{Name: name, Data: bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))})
	return nil
}

func (g *chartGather) overBudget() error {
	return fmt.Errorf("its files hold more than %d bytes, a quarter of the render memory budget (raise it with --max-render-memory)", g.budget)
}
