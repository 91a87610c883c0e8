package render

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	helmloader "helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshlint/meshlint/internal/finding"
)

// chartJob is one rendering of a Helm chart: a chart directory in the input,
// or the chart of a Flux HelmRelease.
type chartJob struct {
	dir       string         // chart directory
	values    map[string]any // user values, merged over the chart's values.yaml
	release   string         // "" means the chart's name
	namespace string
	origin    string // how findings describe it; "" means "Helm chart <dir>"
	// valuesFiles replace the chart's values.yaml (HelmRelease
	// spec.chart.spec.valuesFiles), in order.
	valuesFiles []string
}

// templateOutput is what one template of a chart rendered to.
type templateOutput struct {
	key   string // the template's name in the engine: <chart>/templates/x.yaml (the "# Source:" header)
	file  string // display path of the template file, or of the chart archive holding it
	text  string
	lines []int // template line of each rendered line; nil maps every line to 1
}

// chartOutput is a rendered chart.
type chartOutput struct {
	name      string // the chart's name
	release   string
	outputs   []templateOutput
	findings  []finding.Problem
	chartFile string // display path of Chart.yaml
}

// extraAPIVersions are offered to .Capabilities.APIVersions on top of Helm's
// defaults: charts commonly render their ServiceMonitors, PodMonitors and
// PeerAuthentications only when the cluster serves those APIs, and the
// clusters meshlint checks do. (helm template's --api-versions.)
var extraAPIVersions = []string{
	"monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PodMonitor",
	"monitoring.coreos.com/v1/Prometheus", "monitoring.coreos.com/v1/PrometheusRule", "monitoring.coreos.com/v1/Probe",
	"monitoring.coreos.com/v1/Alertmanager", "monitoring.coreos.com/v1alpha1", "monitoring.coreos.com/v1alpha1/ScrapeConfig",
	"security.istio.io/v1", "security.istio.io/v1beta1", "security.istio.io/v1/PeerAuthentication",
	"security.istio.io/v1beta1/PeerAuthentication", "security.istio.io/v1/AuthorizationPolicy",
	"security.istio.io/v1beta1/AuthorizationPolicy", "networking.istio.io/v1", "networking.istio.io/v1beta1",
	"networking.istio.io/v1alpha3",
}

func capabilities() *chartutil.Capabilities {
	caps := *chartutil.DefaultCapabilities
	caps.APIVersions = append(append(chartutil.VersionSet{}, chartutil.DefaultCapabilities.APIVersions...), extraAPIVersions...)
	return &caps
}

// renderChart renders a chart the way `helm template` does, without a
// cluster: its files are gathered here, through the Root, and rendered in a
// sandboxed child process (sandbox.go). Errors become render-error findings;
// it never fails.
func (x *expander) renderChart(job chartJob) chartOutput {
	chartFile := x.display(filepath.Join(job.dir, "Chart.yaml"))
	files, left, err := x.gatherChart(job.dir)
	failAt := func(file, msg string) chartOutput {
		return chartOutput{chartFile: chartFile, findings: append(left, x.errorAt(file, 1, 1, msg))}
	}
	fail := func(msg string) chartOutput { return failAt(chartFile, msg) }
	if err != nil {
		return fail(fmt.Sprintf("cannot load Helm chart %s: %v", x.display(job.dir), err))
	}
	deps, depFindings, err := x.gatherFileDeps(job.dir, files)
	left = append(left, depFindings...)
	if err != nil {
		return fail(fmt.Sprintf("cannot load Helm chart %s: %v", x.display(job.dir), err))
	}
	deps.Files = nil // sent once, as Files
	req := childRequest{Dir: job.dir, WorkDir: x.workDir, Files: files, FileDeps: deps, Release: job.release,
		Namespace: job.namespace, MaxOutput: x.opts.maxRenderOutput()}
	if req.Release == "" {
		req.Release = x.opts.ReleaseName
	}
	for _, f := range job.valuesFiles {
		data, err := x.opts.Root.ReadFile(f, x.opts.Limits.MaxFileBytes, "--max-file-size")
		if err != nil {
			return failAt(x.display(f), fmt.Sprintf("cannot read values file %s: %v", x.display(f), err))
		}
		req.ValuesFiles = append(req.ValuesFiles, wireFile{Name: x.display(f), Data: data})
	}
	if req.Values, err = encodeValue(copyMap(job.values)); err != nil {
		return fail(fmt.Sprintf("internal error while rendering Helm chart %s (please report it): %v", x.display(job.dir), err))
	}
	out := x.renderInChild(req, chartFile)
	out.findings = append(left, out.findings...)
	return out
}

// renderRequest renders a chart in the sandboxed child: everything it
// needs is in the request, and it reads no file of the repository.
func renderRequest(req childRequest, values map[string]any) (resp childResponse) {
	x := &expander{workDir: req.WorkDir}
	resp.ChartFile = x.display(filepath.Join(req.Dir, "Chart.yaml"))
	defer func() {
		if r := recover(); r != nil {
			resp.Outputs = nil
			resp.Findings = append(resp.Findings, x.errorAt(resp.ChartFile, 1, 1,
				fmt.Sprintf("internal error while rendering Helm chart %s (please report it): %v", x.display(req.Dir), r)))
		}
	}()
	buffered := make([]*helmloader.BufferedFile, len(req.Files))
	byName := make(map[string][]byte, len(req.Files))
	for i, f := range req.Files {
		buffered[i] = &helmloader.BufferedFile{Name: f.Name, Data: f.Data}
		byName[f.Name] = f.Data
	}
	ch, err := helmloader.LoadFiles(buffered)
	if err != nil {
		return x.chartFailed(resp, fmt.Sprintf("cannot load Helm chart %s: %v", x.display(req.Dir), err))
	}
	resp.Name = ch.Name()
	resp.Release = req.Release
	if resp.Release == "" {
		resp.Release = ch.Name()
	}
	if resp.Release == "" {
		resp.Release = "release"
	}
	files := templateFiles(ch, req.Dir, byName)
	top := chartSource{dir: req.Dir, chartYAML: byName["Chart.yaml"], refused: req.FileDeps.Refused}
	examined := map[*chart.Chart]chartSource{ch: top}
	if err := attachFileDeps(ch, req.FileDeps.Deps, files, examined); err != nil {
		return x.chartFailed(resp, fmt.Sprintf("cannot load Helm chart %s: %v", x.display(req.Dir), x.relative(err.Error())))
	}
	missing := findMissingDependencies(ch)
	if len(req.ValuesFiles) > 0 {
		vals := map[string]any{}
		for _, f := range req.ValuesFiles {
			v, err := chartutil.ReadValues(f.Data)
			if err != nil {
				resp.Findings = append(resp.Findings, x.errorAt(f.Name, 1, 1, fmt.Sprintf("cannot read values file %s: %v", f.Name, err)))
				return resp
			}
			vals = mergeMaps(vals, v)
		}
		ch.Values = vals
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, values); err != nil {
		return x.chartFailed(resp, fmt.Sprintf("cannot resolve the dependencies of Helm chart %s: %v", x.display(req.Dir), err))
	}
	enabled := enabledRequirements(ch)
	resp.Findings = append(resp.Findings, x.dependencyNotes(missing, enabled, examined, top)...)
	options := chartutil.ReleaseOptions{Name: resp.Release, Namespace: req.Namespace, Revision: 1, IsInstall: true}
	// Schemas are checked by validateValues (schema.go), never by Helm's
	// validator, which loads $refs from disk and the network.
	renderValues, err := chartutil.ToRenderValuesWithSchemaValidation(ch, values, options, capabilities(), true)
	if coalesced, ok := renderValues["Values"].(chartutil.Values); ok && err == nil {
		check := validateValues(ch, coalesced)
		for _, note := range check.unverified {
			resp.Findings = append(resp.Findings, finding.Problem{Kind: finding.RenderSkipped, File: resp.ChartFile, Line: 1, Column: 1, EndLine: 1, EndColumn: 1, Message: note})
		}
		err = check.invalid
	}
	if err != nil {
		file := resp.ChartFile
		if _, ok := byName["values.schema.json"]; ok {
			file = x.display(filepath.Join(req.Dir, "values.schema.json"))
		}
		resp.Findings = append(resp.Findings, x.errorAt(file, 1, 1,
			fmt.Sprintf("the values of Helm chart %s are not valid: %v", x.display(req.Dir), oneLine(err.Error()))))
		return resp
	}
	templates := chartTemplates(ch)
	rendered, ok := x.renderTemplates(ch, renderValues, templates, files, &resp, absentNames(missing, enabled))
	if !ok {
		return resp
	}
	return x.collectOutputs(resp, rendered, templates, files, req.MaxOutput)
}

func (x *expander) chartFailed(resp childResponse, msg string) childResponse {
	resp.Findings = append(resp.Findings, x.errorAt(resp.ChartFile, 1, 1, msg))
	return resp
}

// renderTemplates renders the chart's templates. A template that fails is
// reported and left out, and the chart is rendered again, so one broken
// template does not hide the others.
func (x *expander) renderTemplates(ch *chart.Chart, vals chartutil.Values, templates map[string]*templateRef,
	files map[*chart.File]fileLocation, resp *childResponse, absent []string) (map[string]string, bool) {
	var dropped []string
	for attempts := len(templates) + 1; attempts > 0; attempts-- {
		rendered, err := engine.Engine{}.Render(ch, vals)
		if err == nil {
			return rendered, true
		}
		f, drop := x.templateError(err, templates, files, resp.ChartFile)
		for _, d := range dropped {
			if strings.Contains(f.Message, `no template "`+d+`"`) {
				f.Message += fmt.Sprintf(" (it includes template %s, which does not render and was left out: fix that one first)", d)
				break
			}
		}
		if dep := needsAbsent(f.Message, absent); dep != "" {
			f.Kind = finding.RenderSkipped
			f.Message = fmt.Sprintf("Helm template needs chart %s, a dependency that is not vendored (see Chart.yaml), so it is not rendered: %s",
				dep, strings.TrimPrefix(f.Message, "Helm template does not render: "))
		}
		if drop == "" || templates[drop] == nil {
			f.Message += "; the chart's other templates were not rendered"
			resp.Findings = append(resp.Findings, f)
			return nil, false
		}
		resp.Findings = append(resp.Findings, f)
		removeTemplate(templates[drop])
		delete(templates, drop)
		dropped = append(dropped, drop)
	}
	return nil, false
}

// collectOutputs keeps the templates that rendered to something, in
// name order, within the output budget.
func (x *expander) collectOutputs(resp childResponse, rendered map[string]string, templates map[string]*templateRef,
	files map[*chart.File]fileLocation, maxOutput int64) childResponse {
	keys := make([]string, 0, len(rendered))
	var total int64
	for k, text := range rendered {
		keys = append(keys, k)
		total += int64(len(text))
	}
	if maxOutput > 0 && total > maxOutput {
		resp.Over = budgetOutput
		return resp
	}
	sort.Strings(keys)
	for _, k := range keys {
		text := rendered[k]
		if path.Base(k) == "NOTES.txt" || strings.TrimSpace(text) == "" {
			continue
		}
		t := templates[k]
		o := wireOutput{Key: k, Text: text, File: resp.ChartFile}
		if t != nil {
			if loc, ok := files[t.file]; ok {
				o.File = x.display(loc.path)
				if !loc.archive {
					o.Lines = mapLines(string(t.file.Data), text)
				}
			}
		}
		resp.Outputs = append(resp.Outputs, o)
	}
	return resp
}

// templateRef is a template of a chart or of one of its subcharts.
type templateRef struct {
	chart *chart.Chart
	file  *chart.File
}

// chartTemplates lists every template by its engine name, after the
// dependencies were processed (disabled ones are gone, aliases renamed).
func chartTemplates(ch *chart.Chart) map[string]*templateRef {
	out := map[string]*templateRef{}
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		for _, t := range c.Templates {
			if t != nil {
				out[path.Join(c.ChartFullPath(), t.Name)] = &templateRef{chart: c, file: t}
			}
		}
		for _, d := range c.Dependencies() {
			walk(d)
		}
	}
	walk(ch)
	return out
}

func removeTemplate(t *templateRef) {
	kept := make([]*chart.File, 0, len(t.chart.Templates)) // alias copies share the array
	for _, f := range t.chart.Templates {
		if f != t.file {
			kept = append(kept, f)
		}
	}
	t.chart.Templates = kept
}

// fileLocation is where a template lives on disk.
type fileLocation struct {
	path    string // the template file, or the archive holding it
	archive bool
}

// templateFiles maps every template of a loaded chart and its vendored
// subcharts to its file. Subcharts are found in charts/ by their name (a
// directory's Chart.yaml, or an archive name-version.tgz), among the chart's
// files (names relative to dir). Templates are keyed by their *chart.File,
// which alias copies of a subchart share.
func templateFiles(ch *chart.Chart, dir string, names map[string][]byte) map[*chart.File]fileLocation {
	out := map[*chart.File]fileLocation{}
	var walk func(c *chart.Chart, rel string, archive bool)
	walk = func(c *chart.Chart, rel string, archive bool) {
		loc := filepath.Join(dir, filepath.FromSlash(rel))
		for _, t := range c.Templates {
			if archive {
				out[t] = fileLocation{path: loc, archive: true}
			} else {
				out[t] = fileLocation{path: filepath.Join(loc, filepath.FromSlash(t.Name))}
			}
		}
		if len(c.Dependencies()) == 0 {
			return
		}
		var subdirs map[string]string
		var tgz []string
		if !archive {
			subdirs, tgz = subcharts(names, path.Join(rel, "charts"))
		}
		for _, d := range c.Dependencies() {
			switch {
			case archive:
				walk(d, rel, true)
			case subdirs[d.Name()] != "":
				walk(d, subdirs[d.Name()], false)
			default:
				found := ""
				for _, p := range tgz {
					if d.Metadata != nil && path.Base(p) == d.Name()+"-"+d.Metadata.Version+".tgz" {
						found = p
					}
				}
				if found == "" {
					found = path.Join(rel, "charts")
				}
				walk(d, found, true)
			}
		}
	}
	walk(ch, "", false)
	return out
}

// subcharts lists the subchart directories of a charts/ directory by chart
// name (the first, in name order, when two share one) and its archives.
func subcharts(names map[string][]byte, chartsDir string) (map[string]string, []string) {
	prefix := strings.TrimPrefix(chartsDir+"/", "./")
	entries := map[string]bool{}
	for n := range names {
		if rest, ok := strings.CutPrefix(n, prefix); ok {
			entries[strings.SplitN(rest, "/", 2)[0]] = true
		}
	}
	sorted := make([]string, 0, len(entries))
	for e := range entries {
		sorted = append(sorted, e)
	}
	sort.Strings(sorted)
	subdirs := map[string]string{}
	var tgz []string
	for _, e := range sorted {
		p := prefix + e
		if data, ok := names[p+"/Chart.yaml"]; ok {
			md := new(chart.Metadata)
			if err := sigsyaml.Unmarshal(data, md); err == nil {
				if _, seen := subdirs[md.Name]; !seen {
					subdirs[md.Name] = p
				}
			}
		} else if _, ok := names[p]; ok && strings.HasSuffix(e, ".tgz") {
			tgz = append(tgz, p)
		}
	}
	return subdirs, tgz
}

// Helm reports template errors as "template: NAME:LINE:COL: ...", "parse
// error at (NAME:LINE): ..." or "execution error at (NAME:LINE:COL): ...",
// nested for errors inside included templates.
var templateErrorAt = regexp.MustCompile(`(?:template: |error at \(|error in \()([^\s:()]+):(\d+)(?::(\d+))?`)
var executing = regexp.MustCompile(`executing "([^"]+)"`)

// templateError turns a Helm rendering error into a finding at the failing
// template line (the innermost one, for errors inside included templates)
// and names the template to leave out on the next attempt.
func (x *expander) templateError(err error, templates map[string]*templateRef, files map[*chart.File]fileLocation, chartFile string) (finding.Problem, string) {
	msg := oneLine(err.Error())
	f := x.errorAt(chartFile, 1, 1, "Helm template does not render: "+msg)
	locs := templateErrorAt.FindAllStringSubmatch(msg, -1)
	if len(locs) > 0 {
		in := locs[len(locs)-1]
		if t := templates[in[1]]; t != nil {
			if loc, ok := files[t.file]; ok {
				line, _ := strconv.Atoi(in[2])
				col, _ := strconv.Atoi(in[3])
				if loc.archive {
					line, col = 1, 1
					f.Message += " (template " + in[1] + " inside the chart archive)"
				}
				if col < 1 {
					col = 1
				}
				f.File, f.Line, f.Column, f.EndLine, f.EndColumn = x.display(loc.path), line, col, line, col+1
			}
		}
	}
	// The template to leave out is the one being rendered: the outermost
	// location or "executing" name that is not a partial.
	candidates := []string{}
	for _, l := range locs {
		candidates = append(candidates, l[1])
	}
	for _, e := range executing.FindAllStringSubmatch(msg, -1) {
		candidates = append(candidates, e[1])
	}
	for _, c := range candidates {
		if templates[c] != nil && !strings.HasPrefix(path.Base(c), "_") {
			return f, c
		}
	}
	return f, ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mergeMaps merges b over a, recursing into maps, as Helm merges values
// files.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := asMap(v); ok {
			if am, ok := asMap(out[k]); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case chartutil.Values:
		return m, true
	}
	return nil, false
}

// copyMap deep-copies values, so that concurrent renderings never share
// maps Helm might write to.
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch c := v.(type) {
	case map[string]any:
		return copyMap(c)
	case chartutil.Values:
		return copyMap(c)
	case []any:
		out := make([]any, len(c))
		for i, e := range c {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}
