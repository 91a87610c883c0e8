// Package render lints Helm charts, Kustomize roots and Flux HelmReleases in
// place: it renders them in process with the Helm SDK and the Kustomize API
// (no helm or kustomize binary, no cluster, no network), and turns what they
// render into loader Documents whose findings point at the template, base or
// patch file a user edits.
//
// The loader finds the charts and roots during its walk and does not read
// the plain files under them (they are linted through the rendering, once);
// Expand renders them, and the HelmReleases among the documents, in
// parallel within GOMAXPROCS workers.
package render

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// Options are the rendering settings of a lint run.
type Options struct {
	ValueFiles       []string // --values, in order, for the charts in the input
	Set              []string // --set k=v, applied after the values files
	ReleaseName      string   // --release-name; "" means each chart's name
	ReleaseNamespace string   // --release-namespace; "" means DefaultNamespace

	// Budgets of the sandboxed child that renders each chart; 0 means the
	// default.
	MaxRenderMemory int64 // --max-render-memory, MiB of address space
	MaxRenderCPU    int64 // --max-render-cpu, seconds of CPU time
	MaxRenderOutput int64 // --max-render-output, bytes of rendered templates

	// Filled in by the lint run.
	Paths            []string // the paths the user typed, to resolve HelmRelease chart paths
	WorkDir          string
	Limits           loader.Limits
	Kinds            loader.Kinds  // the kinds whose rendered objects are decoded; nil: all
	Root             *confine.Root // what rendering may read; nil: anything (tests)
	DefaultNamespace string        // --namespace
	// Sources maps Flux GitRepositories (namespace/name) to directories of
	// this repository (`sources:` in .meshlint.yaml).
	Sources map[string]string
}

// The render budgets' defaults: generous for the largest public charts
// (kube-prometheus-stack renders in well under a second and 200 MiB), small
// enough that a template bomb is stopped long before it hurts the machine.
const (
	DefaultMaxRenderMemory = 1024     // MiB
	DefaultMaxRenderCPU    = 60       // seconds
	DefaultMaxRenderOutput = 64 << 20 // bytes
)

func (o Options) maxRenderMemory() int64 { return orDefault(o.MaxRenderMemory, DefaultMaxRenderMemory) }
func (o Options) maxRenderCPU() int64    { return orDefault(o.MaxRenderCPU, DefaultMaxRenderCPU) }
func (o Options) maxRenderOutput() int64 { return orDefault(o.MaxRenderOutput, DefaultMaxRenderOutput) }

// chartBudget is the most bytes of files a chart may hold: the child holds
// them all in memory while it renders, so a quarter of its memory budget.
func (o Options) chartBudget() int64 { return o.maxRenderMemory() << 20 / 4 }

func orDefault(v, d int64) int64 {
	if v > 0 {
		return v
	}
	return d
}

// expander is one Expand call.
type expander struct {
	ctx     context.Context
	opts    Options
	workDir string
	values  map[string]any // --values and --set merged

	textMu sync.Mutex
	texts  map[string]string // display path -> file text, for inline patches

	known []*loader.Document // every document so far, where valuesFrom objects are looked up

	// origins are the source files built resources came from, each read
	// and indexed once (originOf): a base shared by many overlays would
	// otherwise be parsed again for every resource of every root built on
	// it, and each copy kept by the resources placed on it.
	origins sync.Map // absolute path -> *originFile
	// steps are the kustomizations of the roots' chains, each read once
	// (chainStep).
	steps sync.Map // directory -> *chainStep
	// served are the kustomization files builds are served, adjusted and
	// checked once (servedOnce).
	served sync.Map // path -> *servedKustomization
	stats  sync.Map // what the builds' confinedFS found of each path
}

// UserValues reads --values and --set, so that a mistake in them is a usage
// error (exit 2) before anything is rendered.
func (o Options) UserValues() (map[string]any, error) {
	vals := map[string]any{}
	for _, f := range o.ValueFiles {
		v, err := chartutil.ReadValuesFile(f)
		if err != nil {
			return nil, fmt.Errorf("read --values %s: %w", f, err)
		}
		vals = mergeMaps(vals, v)
	}
	for _, s := range o.Set {
		if err := strvals.ParseInto(s, vals); err != nil {
			return nil, fmt.Errorf("parse --set %q: %w", s, err)
		}
	}
	return vals, nil
}

// Expand renders the charts and Kustomize roots of res.Roots and the Flux
// HelmReleases among the documents, adds the rendered documents to res, and
// returns the render-error and render-skipped findings. Rendering problems
// never make it fail; an error means the options cannot be used.
func Expand(ctx context.Context, res *loader.Result, opts Options) ([]finding.Problem, error) {
	goOffline() // before anything renders: no library may reach the network
	vals, err := opts.UserValues()
	if err != nil {
		return nil, err
	}
	if opts.Limits == (loader.Limits{}) {
		opts.Limits = loader.DefaultLimits
	}
	if opts.DefaultNamespace == "" {
		opts.DefaultNamespace = "default"
	}
	if opts.Root == nil {
		opts.Root = confine.Unconfined()
	}
	if opts.ReleaseNamespace == "" {
		opts.ReleaseNamespace = opts.DefaultNamespace
	}
	wd := opts.WorkDir
	if wd == "" {
		if wd, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("get working directory: %w", err)
		}
	}
	x := &expander{ctx: ctx, opts: opts, workDir: wd, values: vals, texts: map[string]string{}}
	return x.expand(res), nil
}

// batch is what a group of renderings produced, in input order.
type batch struct {
	docs     []*loader.Document
	problems []finding.Problem
	findings []finding.Problem
	consumed []string // absolute paths of plain files a kustomization read
}

func (b *batch) add(o batch) {
	b.docs = append(b.docs, o.docs...)
	b.problems = append(b.problems, o.problems...)
	b.findings = append(b.findings, o.findings...)
	b.consumed = append(b.consumed, o.consumed...)
}

func (x *expander) expand(res *loader.Result) []finding.Problem {
	var kustomize, charts []loader.Root
	for _, r := range res.Roots {
		if r.Kind == loader.KustomizeRoot {
			kustomize = append(kustomize, r)
		} else {
			charts = append(charts, r)
		}
	}
	var all batch

	// 1. Kustomize roots that no other root in the input builds on.
	kustomize, skipped := x.topRoots(kustomize)
	res.Skipped = append(res.Skipped, skipped...)
	built := make([]batch, len(kustomize))
	if len(kustomize) > 1 && runtime.GOMAXPROCS(0) > 1 {
		primeSchema() // roots without openapi: build in parallel
	}
	parallel(x.ctx, len(kustomize), func(i int) {
		built[i] = x.safely(kustomize[i].File, func() batch { return x.buildKustomization(kustomize[i]) })
	})
	for _, b := range built {
		all.add(b)
	}
	x.dropConsumed(res, all.consumed)
	res.Documents = append(res.Documents, all.docs...)

	// 2. HelmReleases, and the charts no HelmRelease renders.
	claimed := map[string]bool{}
	x.known = res.Documents
	releases, findings := x.planReleases(res.Documents, claimed)
	all.findings = append(all.findings, findings...)
	var jobs []func() batch
	for _, r := range charts {
		abs, _ := filepath.Abs(r.Dir)
		if claimed[abs] {
			res.Skipped = append(res.Skipped, loader.Skip{File: r.File,
				Reason: "Helm chart rendered through the HelmRelease that installs it, with that release's values"})
			continue
		}
		job := chartJob{dir: r.Dir, values: x.values, release: x.opts.ReleaseName, namespace: x.opts.ReleaseNamespace}
		jobs = append(jobs, func() batch { return x.safely(r.File, func() batch { return x.chartBatch(job) }) })
	}
	for _, p := range releases {
		jobs = append(jobs, func() batch { return x.safely(p.doc.File, func() batch { return x.releaseBatch(p) }) })
	}
	for round := 0; len(jobs) > 0; round++ {
		out := make([]batch, len(jobs))
		parallel(x.ctx, len(jobs), func(i int) { out[i] = jobs[i]() })
		var fresh batch
		for _, b := range out {
			fresh.add(b)
		}
		all.problems = append(all.problems, fresh.problems...)
		all.findings = append(all.findings, fresh.findings...)
		res.Documents = append(res.Documents, fresh.docs...)
		// 3. HelmReleases that charts render (an umbrella chart), twice at most.
		jobs = nil
		if round < 2 {
			x.known = res.Documents
			releases, findings := x.planReleases(fresh.docs, claimed)
			all.findings = append(all.findings, findings...)
			for _, p := range releases {
				jobs = append(jobs, func() batch { return x.safely(p.doc.File, func() batch { return x.releaseBatch(p) }) })
			}
		}
	}
	res.Problems = append(res.Problems, all.problems...)
	res.Files += countFiles(res.Documents)
	sortFindings(all.findings)
	return all.findings
}

// safely runs a rendering job; a panic in it (a bug in meshlint, Helm or
// Kustomize) is a render-error at file, never a crash: jobs run on their own
// goroutines, where nothing else would recover it.
func (x *expander) safely(file string, job func() batch) (b batch) {
	defer func() {
		if r := recover(); r != nil {
			b = batch{findings: []finding.Problem{x.errorAt(file, 1, 1, fmt.Sprintf("internal error while rendering (please report it): %v", r))}}
		}
	}()
	return job()
}

// countFiles counts the distinct source files of rendered documents.
func countFiles(docs []*loader.Document) int {
	seen := map[string]bool{}
	for _, d := range docs {
		if d.Origin != "" {
			seen[d.File] = true
		}
	}
	return len(seen)
}

// dropConsumed removes plain documents read from files that a Kustomize
// root also read (a base or patch outside the root, such as ../../shared),
// so that they are linted once, as built.
func (x *expander) dropConsumed(res *loader.Result, consumed []string) {
	if len(consumed) == 0 {
		return
	}
	gone := map[string]bool{}
	for _, c := range consumed {
		gone[x.display(c)] = true
	}
	files := map[string]bool{}
	docs := res.Documents[:0]
	for _, d := range res.Documents {
		if gone[d.File] && d.Origin == "" {
			files[d.File] = true
			continue
		}
		docs = append(docs, d)
	}
	res.Documents = docs
	problems := res.Problems[:0]
	for _, p := range res.Problems {
		if gone[p.File] {
			files[p.File] = true
			continue
		}
		problems = append(problems, p)
	}
	res.Problems = problems
	res.Files -= len(files)
	for f := range files {
		res.Skipped = append(res.Skipped, loader.Skip{File: f, Reason: "read by a Kustomize root in the input, and linted as it builds"})
	}
}

// parallel runs f(0..n-1) on at most GOMAXPROCS goroutines.
func parallel(ctx context.Context, n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() == nil {
					f(i)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// chartBatch renders a chart of the input with the user's values.
func (x *expander) chartBatch(job chartJob) batch {
	co := x.renderChart(job)
	origin := fmt.Sprintf("rendered from Helm chart %s as release %s", x.display(job.dir), co.release)
	b := batch{findings: co.findings}
	for _, o := range co.outputs {
		docs, problems := loader.ParseRendered(x.templateRendered(o, origin, job.namespace), x.opts.Limits, x.opts.Kinds)
		b.docs = append(b.docs, docs...)
		b.problems = append(b.problems, problems...)
	}
	return b
}

// templateRendered describes one template's output for the loader: its
// documents are located in the template file through the line map.
func (x *expander) templateRendered(o templateOutput, origin, namespace string) loader.Rendered {
	line := func(l int) int {
		if o.lines == nil || l < 1 {
			return 1
		}
		if l > len(o.lines) {
			l = len(o.lines)
		}
		return o.lines[l-1]
	}
	var templateLine func(int) int
	if o.lines != nil {
		templateLine = line
	}
	return loader.Rendered{File: o.file, Text: o.text, Origin: origin, Namespace: namespace, Line: line, TemplateLine: templateLine,
		Locate: func(d *loader.Document, pointer string, r loader.Range) (string, loader.Range) {
			if o.lines == nil {
				return o.file, loader.Range{Line: 1, Column: 1, EndLine: 1, EndColumn: 1}
			}
			out := loader.Range{Line: line(r.Line), Column: r.Column, EndLine: line(r.EndLine), EndColumn: r.EndColumn}
			if out.EndLine < out.Line || (out.EndLine == out.Line && out.EndColumn < out.Column) {
				out.EndLine, out.EndColumn = out.Line, out.Column
			}
			return o.file, out
		}}
}

// display is the path findings show for a filesystem path.
func (x *expander) display(p string) string { return loader.DisplayPath(p, x.workDir) }

// errorAt is a render-error finding at a file position.
func (x *expander) errorAt(file string, line, col int, msg string) finding.Problem {
	return finding.Problem{Kind: finding.RenderFailed, File: file, Line: line, Column: col, EndLine: line, EndColumn: col, Message: x.relative(msg)}
}

// relative rewrites the absolute paths Helm and Kustomize put in their
// errors relative to the working directory, as findings show files (a
// path beside it as ../x): output never carries the absolute paths of the
// machine it ran on, and is the same wherever the repository is checked
// out.
func (x *expander) relative(msg string) string {
	wd := filepath.ToSlash(x.workDir)
	if wd == "" || wd == "/" || !strings.HasPrefix(wd, "/") {
		return msg
	}
	msg = replacePathPrefix(msg, wd, "")
	up := ""
	for dir := path.Dir(wd); dir != "/" && dir != "."; dir = path.Dir(dir) {
		up += "../"
		msg = replacePathPrefix(msg, dir, up)
	}
	return msg
}

// replacePathPrefix replaces dir+"/" by with (dir alone by with, or "."),
// where dir starts a path: at the start of msg or after a quote, a space
// or a bracket, never inside a URL or a longer path.
func replacePathPrefix(msg, dir, with string) string {
	var b strings.Builder
	for {
		i := strings.Index(msg, dir)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		end := i + len(dir)
		startsPath := i == 0 || strings.ContainsRune(" \t'\"`([{=,:", rune(msg[i-1]))
		next := byte(0)
		if end < len(msg) {
			next = msg[end]
		}
		b.WriteString(msg[:i])
		switch {
		case startsPath && next == '/':
			b.WriteString(with)
			end++
		case startsPath && (next == 0 || strings.IndexByte(" \t'\"`)]}:;,", next) >= 0):
			if with == "" {
				b.WriteString(".")
			} else {
				b.WriteString(strings.TrimSuffix(with, "/"))
			}
		default:
			b.WriteString(dir)
		}
		msg = msg[end:]
	}
}

// fileText reads a file the findings point into (display path), cached.
func (x *expander) fileText(display string) string {
	x.textMu.Lock()
	defer x.textMu.Unlock()
	if t, ok := x.texts[display]; ok {
		return t
	}
	p := display
	if !filepath.IsAbs(p) {
		p = filepath.Join(x.workDir, filepath.FromSlash(display))
	}
	data, err := x.opts.Root.ReadFile(p, x.opts.Limits.MaxFileBytes, "--max-file-size")
	t := ""
	if err == nil {
		t = loader.NormalizeLineEndings(string(data))
	}
	x.texts[display] = t
	return t
}

func sortFindings(fs []finding.Problem) {
	slices.SortStableFunc(fs, func(a, b finding.Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), strings.Compare(a.Message, b.Message))
	})
}
