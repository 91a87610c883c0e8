package render

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	helmloader "helm.sh/helm/v3/pkg/chart/loader"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// Most chart repositories do not commit charts/: `helm dependency build`
// fills it before a release. meshlint renders what it can without it. A
// file:// dependency inside the repository is read here, through the Root,
// and rendered as if vendored; a dependency from a chart repository is
// left out of the rendering with a render-skipped note at its Chart.yaml
// entry, and the chart's own templates are still rendered, as Helm renders
// them when charts/ lacks a chart (only `helm install` refuses).

// maxFileDepDepth bounds chains of file:// dependencies.
const maxFileDepDepth = 16

// wireChart is a chart a file:// dependency names, gathered by the parent.
type wireChart struct {
	Dir     string     // the dependency's directory, for the paths findings show
	Files   []wireFile // its files, relative to Dir
	Deps    []wireChart
	Refused map[int]string // its own file:// dependencies not gathered, by entry, and why
}

// depGather reads the file:// dependencies of one chart and of theirs.
type depGather struct {
	x        *expander
	findings []finding.Problem
	total    int64 // bytes gathered, held to the chart budget with the chart's own
	seen     map[string]bool
}

// gatherFileDeps reads the file:// dependencies of the chart in dir (whose
// gathered files are files) that charts/ does not vendor. A dependency
// that leaves the repository, is not a chart or forms a cycle is not read;
// it is refused, by entry, and the renderer reports it at its Chart.yaml
// entry when it is enabled (only the renderer evaluates conditions and
// tags), and renders the chart without it.
func (x *expander) gatherFileDeps(dir string, files []wireFile) (wireChart, []finding.Problem, error) {
	g := &depGather{x: x, seen: map[string]bool{}}
	for _, f := range files {
		g.total += int64(len(f.Data))
	}
	if real, err := x.opts.Root.Resolve(dir); err == nil {
		g.seen[real] = true
	}
	top, err := g.gather(dir, files, 0)
	return top, g.findings, err
}

func (g *depGather) gather(dir string, files []wireFile, depth int) (wireChart, error) {
	out := wireChart{Dir: dir, Files: files}
	names := make(map[string][]byte, len(files))
	for _, f := range files {
		names[f.Name] = f.Data
	}
	md := new(chart.Metadata)
	if err := sigsyaml.Unmarshal(names["Chart.yaml"], md); err != nil {
		return out, nil // the renderer reports a Chart.yaml it cannot load
	}
	subdirs, tgz := subcharts(names, "charts")
	for i, dep := range md.Dependencies {
		if dep == nil || !strings.HasPrefix(dep.Repository, "file://") || vendored(dep.Name, subdirs, tgz) {
			continue
		}
		at := func(why string) {
			if out.Refused == nil {
				out.Refused = map[int]string{}
			}
			out.Refused[i] = why
		}
		p := localDependencyPath(dir, dep.Repository)
		real, err := g.x.opts.Root.Resolve(p)
		if err != nil {
			at(reason(err))
			continue
		}
		switch {
		case !isFile(filepath.Join(p, "Chart.yaml")):
			at("is not a chart directory (it has no Chart.yaml)")
			continue
		case g.seen[real]:
			at("depends on it in turn (a cycle of file:// dependencies)")
			continue
		case depth >= maxFileDepDepth:
			at(fmt.Sprintf("is more than %d file:// dependencies deep", maxFileDepDepth))
			continue
		}
		g.seen[real] = true
		sub, left, err := g.x.gatherChart(p)
		g.findings = append(g.findings, left...)
		if err != nil {
			at(fmt.Sprintf("cannot be read: %v", err))
			continue
		}
		for _, f := range sub {
			g.total += int64(len(f.Data))
		}
		if budget := g.x.opts.chartBudget(); g.total > budget {
			return out, fmt.Errorf("its files and those of its file:// dependencies hold more than %d bytes, a quarter of the render memory budget (raise it with --max-render-memory)", budget)
		}
		dep, err := g.gather(p, sub, depth+1)
		if err != nil {
			return out, err
		}
		out.Deps = append(out.Deps, dep)
	}
	return out, nil
}

// localDependencyPath is the directory a file:// repository names, as
// Helm resolves it: relative to the chart, or absolute.
func localDependencyPath(dir, repository string) string {
	p := strings.TrimPrefix(repository, "file://")
	if strings.HasPrefix(p, "/") {
		return filepath.Clean(filepath.FromSlash(p))
	}
	return filepath.Join(dir, filepath.FromSlash(p))
}

// vendored reports whether charts/ holds a chart of that name: a directory
// whose Chart.yaml names it, or an archive name-version.tgz.
func vendored(name string, subdirs map[string]string, tgz []string) bool {
	if subdirs[name] != "" {
		return true
	}
	for _, t := range tgz {
		if rest, ok := strings.CutPrefix(path.Base(t), name+"-"); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return true
		}
	}
	return false
}

// reason is why a path was refused, without the machine's paths.
func reason(err error) string {
	var ce *confine.Error
	if errors.As(err, &ce) {
		return ce.Reason
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "does not exist"
	}
	return confine.UnwrapPath(err).Error()
}

// dependencyFinding is a finding at entry i of a chart's dependencies.
func (x *expander) dependencyFinding(kind finding.Kind, dir string, chartYAML []byte, i int, msg string) finding.Problem {
	pointer := "/dependencies/" + strconv.Itoa(i)
	r := loader.Range{Line: 1, Column: 1, EndLine: 1, EndColumn: 1}
	if src := loader.ParseSource(string(chartYAML), 1, 0); len(src) > 0 {
		if got, ok := src[0].Lookup(pointer); ok {
			r = got
		}
	}
	return finding.Problem{Kind: kind, File: x.display(filepath.Join(dir, "Chart.yaml")), Line: r.Line, Column: r.Column,
		EndLine: r.EndLine, EndColumn: r.EndColumn, Path: pointer, Message: msg}
}

// attachFileDeps loads the charts the parent gathered for file://
// dependencies and adds them to c as vendored subcharts would be, and
// records where their templates live and their Chart.yaml.
func attachFileDeps(c *chart.Chart, deps []wireChart, files map[*chart.File]fileLocation, examined map[*chart.Chart]chartSource) error {
	for _, w := range deps {
		buffered := make([]*helmloader.BufferedFile, len(w.Files))
		byName := make(map[string][]byte, len(w.Files))
		for i, f := range w.Files {
			buffered[i] = &helmloader.BufferedFile{Name: f.Name, Data: f.Data}
			byName[f.Name] = f.Data
		}
		sub, err := helmloader.LoadFiles(buffered)
		if err != nil {
			return fmt.Errorf("file:// dependency %s: %w", w.Dir, err)
		}
		examined[sub] = chartSource{dir: w.Dir, chartYAML: byName["Chart.yaml"], refused: w.Refused}
		own := templateFiles(sub, w.Dir, byName)
		if err := attachFileDeps(sub, w.Deps, own, examined); err != nil {
			return err
		}
		for k, v := range own {
			files[k] = v
		}
		c.AddDependency(sub)
	}
	return nil
}

// chartSource is where a chart of the rendering came from.
type chartSource struct {
	dir       string
	chartYAML []byte
	refused   map[int]string // file:// entries the parent did not gather, and why
}

// missingDependency is a Chart.yaml entry with no chart to render.
type missingDependency struct {
	req   *chart.Dependency
	index int
	name  string // before Helm renames it to its alias
	owner *chart.Chart
}

// findMissingDependencies lists the entries of Chart.yaml files in the
// chart tree that no loaded chart satisfies, before Helm processes them.
func findMissingDependencies(c *chart.Chart) []missingDependency {
	var out []missingDependency
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		if c.Metadata != nil {
			for i, req := range c.Metadata.Dependencies {
				if req == nil || hasDependency(c, req.Name) {
					continue
				}
				out = append(out, missingDependency{req: req, index: i, name: req.Name, owner: c})
			}
		}
		for _, d := range c.Dependencies() {
			walk(d)
		}
	}
	walk(c)
	return out
}

func hasDependency(c *chart.Chart, name string) bool {
	for _, d := range c.Dependencies() {
		if d.Name() == name {
			return true
		}
	}
	return false
}

// enabledRequirements are the Chart.yaml entries Helm kept after it
// evaluated conditions and tags: disabled ones are gone from the metadata.
func enabledRequirements(c *chart.Chart) map[*chart.Dependency]bool {
	out := map[*chart.Dependency]bool{}
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		if c.Metadata != nil {
			for _, r := range c.Metadata.Dependencies {
				out[r] = true
			}
		}
		for _, d := range c.Dependencies() {
			walk(d)
		}
	}
	walk(c)
	return out
}

// dependencyNotes reports the enabled dependencies that are not rendered:
// a chart repository's, a render-skipped note (meshlint never fetches);
// one without a repository, a render-error (Helm cannot find it either).
// A file:// entry the parent checked was reported there.
func (x *expander) dependencyNotes(missing []missingDependency, enabled map[*chart.Dependency]bool,
	examined map[*chart.Chart]chartSource, top chartSource) []finding.Problem {
	var out []finding.Problem
	reported := map[*chart.Dependency]bool{}
	for _, m := range missing {
		if !enabled[m.req] || reported[m.req] {
			continue
		}
		reported[m.req] = true
		repo := m.req.Repository
		src, ok := examined[m.owner]
		if !ok {
			src = top
		}
		owner := x.display(src.dir)
		if m.owner.Metadata != nil && !ok {
			owner = fmt.Sprintf("%s (subchart %s)", owner, m.owner.Name())
		}
		kind, msg := finding.RenderSkipped, ""
		switch {
		case repo == "":
			kind = finding.RenderFailed
			msg = fmt.Sprintf("Helm chart %s depends on chart %s %s, which is not in its charts/ directory and names no repository; vendor the chart in charts/ or give its repository. The chart's own templates are still rendered",
				owner, m.name, m.req.Version)
		case strings.HasPrefix(repo, "file://"):
			why := "is not in its charts/ directory"
			if r, ok := src.refused[m.index]; ok {
				why = r
			}
			kind = finding.RenderFailed
			msg = fmt.Sprintf("Helm chart %s depends on chart %s from %s, which %s; the chart is rendered without it",
				owner, m.name, repo, why)
		default:
			msg = fmt.Sprintf("Helm chart %s depends on chart %s %s from %s, which is not vendored in its charts/ directory, and meshlint does not fetch charts (it works offline): the resources of %s are not linted, the chart's own templates are. Run `helm dependency build` and commit charts/ to lint them too",
				owner, m.name, m.req.Version, repo, m.name)
		}
		if !ok {
			out = append(out, finding.Problem{Kind: kind, File: x.display(filepath.Join(top.dir, "Chart.yaml")), Line: 1, Column: 1, EndLine: 1, EndColumn: 1, Message: msg})
			continue
		}
		out = append(out, x.dependencyFinding(kind, src.dir, src.chartYAML, m.index, msg))
	}
	return out
}

// absentNames are the names (and aliases) of the enabled dependencies that
// are not rendered.
func absentNames(missing []missingDependency, enabled map[*chart.Dependency]bool) []string {
	var out []string
	for _, m := range missing {
		if enabled[m.req] {
			out = append(out, m.name)
			if m.req.Alias != "" && m.req.Alias != m.name {
				out = append(out, m.req.Alias)
			}
		}
	}
	return out
}

// needsAbsent names the absent dependency a template error is about: one
// whose name the error quotes, as a subchart (index .Subcharts "name") or
// as the prefix of a named template it defines (include "name.fullname").
// Such a template renders once the dependency is vendored; until then it
// is skipped, not broken.
func needsAbsent(msg string, absent []string) string {
	for _, name := range absent {
		if strings.Contains(msg, `"`+name+`"`) || strings.Contains(msg, `no template "`+name+`.`) {
			return name
		}
	}
	return ""
}
