// Package lint runs one lint: load the inputs, build the graph, evaluate the
// rules, and turn what they report into located, suppressible findings.
package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshlint/meshlint/internal/baseline"
	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/exclude"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
	"github.com/meshlint/meshlint/internal/report"
	"github.com/meshlint/meshlint/policies"
)

// Options configure a lint run.
type Options struct {
	Paths    []string
	Stdin    io.Reader
	WorkDir  string
	Settings graph.Settings
	Limits   loader.Limits
	// Root is what the run may read (internal/confine); nil reads anything
	// (a library caller or a test), still only regular files within Limits.
	Root    *confine.Root
	Enable  []string // only these rules, when set
	Disable []string
	// Severity overrides rules' default severities (config rules.<id>.severity).
	Severity map[string]string
	// Ignores are the config file's ignore entries (external suppressions).
	Ignores []config.Ignore
	// Baseline accepts the findings it lists; nil for none.
	Baseline *baseline.Baseline
	// Now decides which ignore entries have expired; zero means time.Now().
	Now time.Time
	// Derived are objects read from inputs that are not manifests (the
	// Prometheus a --prometheus-values file configures), linted like
	// manifests; DerivedProblems is what could not be read from those
	// inputs (derived.go).
	Derived         []*loader.Document
	DerivedProblems []finding.Problem
	// Exclude leaves out the paths it matches (loader.Options.Exclude).
	Exclude *exclude.Matcher
	// Render configures the rendering of Helm charts, Kustomize roots and
	// Flux HelmReleases in the input (internal/render, render.go).
	Render render.Options
	// GCPercentAfterLoad, when set, is the garbage collector's GOGC from the
	// graph to the rules' last stage (GOGC's default after it). Loading allocates far more than it keeps; after it, the
	// live heap is the model, the facts and one stage's rule input, and
	// letting the heap grow to twice that (GOGC=100) set the peak memory of
	// a large run (docs/performance.md). The CLI sets 50 unless GOGC is set.
	GCPercentAfterLoad int
	// RenderGCPercent, when set, is the collector's GOGC while rendering,
	// under a soft memory limit (renderpace.go). The CLI sets it unless
	// GOGC or GOMEMLIMIT is set.
	RenderGCPercent int
	// Environments are the config's environments: (declared); none means
	// they are found in the input's layout (environments.go).
	Environments []DeclaredEnvironment
	// Environment, when set, lints only the environment of that name
	// (--environment).
	Environment string
	// Observe, when set, is shown each mesh model once its facts are built
	// and before the rules use them up: the environment's name ("" for a
	// run without environments), the graph and its facts. It must copy
	// what it keeps (meshlint graph, -f markdown).
	Observe func(env string, g *graph.Graph, f *graph.Facts)

	// enabled is which rules report, worked out by Run from Enable and
	// Disable once for the whole run.
	enabled map[string]bool
}

// Result is a finished lint.
type Result struct {
	Findings []finding.Finding // sorted, suppressed ones included
	Summary  report.Summary
	Skipped  []loader.Skip
	// Internal are recovered panics, bugs in meshlint, as "file:line:
	// message"; they are findings too, and make the exit code 2.
	Internal []string
	// Stopped says why the rules did not run (a model over --max-facts);
	// the findings are those of reading and rendering, and the run fails.
	Stopped string
	// Resources are the objects linted, for formats that list what was
	// checked (JUnit), in input order.
	Resources []report.LintedResource
	Stats     Stats // stats.go
	// Rules are the rules the run reported on (Enable, Disable), in the
	// engine's order: what SARIF and JUnit say was checked.
	Rules []*engine.Rule
	// Environments are the meshes the run linted apart (environments.go);
	// none when it linted one.
	Environments []Environment
	// TooManyEnvironments is how many environments the layout suggested
	// when they were more than MaxFoundEnvironments, and the run linted
	// one mesh instead; 0 otherwise.
	TooManyEnvironments int
}

// ErrNoManifests means the inputs held nothing to lint: never a silent pass.
var ErrNoManifests = errors.New("no Kubernetes manifests found")

const invalidManifest = policies.InvalidManifest

// suppressionPrefix is the annotation that accepts a finding on a resource.
const suppressionPrefix = "ignore.meshlint.io/"

// Run lints the inputs with a compiled engine. A panic is a bug in
// meshlint: one while reading a file or resolving a resource is reported in
// Result.Internal, naming the file, and the rest is still linted; any other
// is returned as an error naming what was being done.
func Run(ctx context.Context, eng *engine.Engine, opts Options) (_ *Result, err error) {
	stage := "loading " + strings.Join(opts.Paths, ", ")
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error while %s (please report it): %v", stage, r)
		}
	}()
	if err := checkRuleIDs(eng, opts.Enable, opts.Disable); err != nil {
		return nil, err
	}
	opts.enabled = enabledSet(eng, opts.Enable, opts.Disable)
	var clock phaseClock // --stats
	clock.next("load")
	sup := &suppressionIndex{byDoc: map[*loader.Document]map[string]any{}}
	gb := graph.NewBuilder(opts.Settings)
	loaded, err := loader.Load(opts.Paths, loadOptions(opts, sup, gb))
	if err != nil {
		return nil, err
	}
	adviseSkipped(loaded.Skipped)
	skippedByLoad := len(loaded.Skipped) // rendering adds files it skips (--stats)
	stage = "rendering the charts and Kustomize roots in " + strings.Join(opts.Paths, ", ")
	clock.next("render")
	restore := func() {}
	if opts.RenderGCPercent > 0 && len(loaded.Roots) > 0 {
		restore = paceRendering(opts.RenderGCPercent, renderMemoryLimit)
	}
	rendered, err := expand(ctx, loaded, opts)
	restore()
	if err != nil {
		return nil, err
	}
	if len(loaded.Documents) == 0 && len(loaded.Problems) == 0 && len(rendered) == 0 {
		return &Result{Skipped: loaded.Skipped}, ErrNoManifests
	}
	var tooMany int
	envs, notes, err := planEnvironments(loaded, opts, &tooMany)
	if err != nil {
		return nil, err
	}
	rendered = append(rendered, notes...)
	if opts.GCPercentAfterLoad > 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(opts.GCPercentAfterLoad))
	}
	var b *builder
	var internal []string
	var resources []*graph.Resource
	if envs == nil {
		b, internal, resources, err = lintOneMesh(ctx, eng, loaded, rendered, opts, gb, sup, &clock, &stage)
	} else {
		clock.next("graph")
		b, internal, resources, err = lintEnvironments(ctx, eng, loaded, rendered, envs, opts, &stage)
	}
	if err != nil {
		return nil, err
	}
	report.Sort(b.findings)
	var found []Environment
	for _, e := range envs {
		if !e.skip {
			found = append(found, e.Environment)
		}
	}
	fixesInPass, fixesAfter := attachFixes(b.findings, opts, found) // fixes.go

	clock.end()
	res := &Result{Findings: b.findings, Skipped: loaded.Skipped, Internal: internal, TooManyEnvironments: tooMany, Stopped: b.stopped,
		Rules: enabledRules(eng, opts.enabled)}
	for _, e := range envs {
		if !e.skip && !e.whole {
			res.Environments = append(res.Environments, e.Environment)
		}
	}
	res.Stats = Stats{Files: loaded.Files, SkippedFiles: loaded.SkippedFiles + len(loaded.Skipped) - skippedByLoad, YAMLDocuments: loaded.Stats.YAMLDocuments,
		Prescanned: loaded.Stats.Prescanned, Decoded: loaded.Stats.Decoded, Resources: len(resources),
		Findings: len(b.findings), FixesInPass: fixesInPass, FixesAfter: fixesAfter, Phases: clock.phases}
	if len(resources) > 0 {
		res.Resources = make([]report.LintedResource, 0, len(resources)) // 74,000 at 10,000 apps: grown by appending, twice that allocated
	}
	for _, r := range resources {
		res.Resources = append(res.Resources, report.LintedResource{File: r.Doc.File, Line: r.Doc.StartLine,
			Resource: finding.Resource{APIVersion: r.Doc.APIVersion, Kind: r.Kind, Namespace: namespaceOf(r), Name: r.Name}})
	}
	res.Summary = report.Summary{Files: loaded.Files + derivedFiles(opts.Derived), Resources: len(loaded.Documents) + len(opts.Derived)}
	for _, f := range res.Findings {
		switch {
		case f.Suppressed:
			res.Summary.Suppressed++
		case f.Severity == "error":
			res.Summary.Errors++
		case f.Severity == "warning":
			res.Summary.Warnings++
		default:
			res.Summary.Notes++
		}
	}
	return res, nil
}

// lintOneMesh builds one graph over every document (gb read the loaded ones
// ahead) and evaluates the rules over it: a run without environments.
func lintOneMesh(ctx context.Context, eng *engine.Engine, loaded *loader.Result, rendered []finding.Problem, opts Options,
	gb *graph.Builder, sup *suppressionIndex, clock *phaseClock, stage *string) (*builder, []string, []*graph.Resource, error) {
	*stage = "building the mesh model of " + strings.Join(opts.Paths, ", ")
	clock.next("graph")
	docs, dups := dedupe(withDerived(loaded.Documents, opts.Derived))
	m, err := buildModel(docs, gb, factLimit(opts.Limits), sup, observer(opts, ""))
	var overLimit *graph.FactLimitError
	if errors.As(err, &overLimit) {
		// The rules do not run, but what reading, rendering and the model
		// found about each file is still reported; the run then fails.
		b, internal := lintStopped(eng, loaded, rendered, opts, m, overLimit.Error(), stage)
		return b, internal, m.resources, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	*stage = "evaluating the rules over " + strings.Join(opts.Paths, ", ")
	clock.next("evaluate")
	in := m.facts.Input()
	m.facts = nil // the engine releases each section once no rule reads it
	raw, err := eng.Evaluate(ctx, in)
	if err != nil {
		return nil, nil, nil, err
	}

	*stage = "placing the findings in " + strings.Join(opts.Paths, ", ")
	// The rules' input is garbage now. Collected here, the findings and
	// the report reuse its memory; left to the collector's pace, they
	// touched fresh pages while it was still resident, and the placing
	// of findings became too quick to give the collector that chance on
	// its own: about 50 MB more peak RSS at 10,000 apps (docs/performance.md).
	// A small input's heap is too small for the collection to pay
	// (about 6 ms of the CPU of linting examples/), and skips it.
	collectLargeHeap()
	if opts.GCPercentAfterLoad > 0 {
		// The peak was the rules' (docs/performance.md): what placing the
		// findings and writing the report allocate on the heap just
		// collected stays below it at GOGC's default pace, and at the
		// after-load pace a collection of the whole model landed in the
		// findings phase (0.100 to 0.077 s at 10,000 apps, same peak).
		debug.SetGCPercent(100)
	}
	clock.next("findings")
	b := &builder{resources: m.resources, suppressions: m.suppressions, eng: eng, enabled: opts.enabled, stage: stage, fixes: m.fixes}
	internal := b.addLoadProblems(loaded)
	internal = append(internal, b.addGraphProblems(m.problems)...)
	b.addDerivedProblems(opts.DerivedProblems)
	b.addDuplicatePrometheus()
	b.addRendered(rendered)
	b.addDuplicates(dups)
	b.addRawFindings(raw)
	b.checkSuppressionReasons()
	b.applySuppressions(opts, raw)
	return b, internal, m.resources, nil
}

// largeHeap is the heap, in bytes held by objects, from which the
// collection before the findings are placed pays for itself.
const largeHeap = 64 << 20

// collectLargeHeap collects the garbage when the heap holds largeHeap or
// more, live or not.
func collectLargeHeap() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() >= largeHeap {
		runtime.GC()
	}
}

// lintStopped is a run whose model is over --max-facts: the findings of
// reading, rendering and building the model, and no rule's. stopped says
// why, and Run puts it in Result.Stopped. Suppressions are not applied:
// with no rule run, every one would look unused.
func lintStopped(eng *engine.Engine, loaded *loader.Result, rendered []finding.Problem, opts Options, m model, stopped string, stage *string) (*builder, []string) {
	b := &builder{resources: m.resources, suppressions: m.suppressions, eng: eng, enabled: opts.enabled, stage: stage, stopped: stopped}
	internal := b.addLoadProblems(loaded)
	internal = append(internal, b.addGraphProblems(m.problems)...)
	b.addDerivedProblems(opts.DerivedProblems)
	b.addRendered(rendered)
	return b, internal
}

// addLoadProblems adds what reading the inputs reported; a problem that
// is a bug in meshlint is also returned, as "file:line: message".
func (b *builder) addLoadProblems(loaded *loader.Result) []string {
	var internal []string
	for _, p := range loaded.Problems {
		if p.Internal {
			internal = append(internal, fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message))
		}
		b.addProblem(p)
	}
	return internal
}

// addGraphProblems adds the objects the graph could not read; one that is
// a bug in meshlint is also returned, as "file:line: Kind name: message".
func (b *builder) addGraphProblems(problems []graph.Problem) []string {
	var internal []string
	for _, p := range problems {
		if p.Internal {
			r := b.resources[p.Resource]
			internal = append(internal, fmt.Sprintf("%s:%d: %s %s: %s", r.Doc.File, r.Doc.StartLine, r.Kind, qualified(r), p.Message))
		}
		b.addGraphProblem(p)
	}
	return internal
}

func checkRuleIDs(eng *engine.Engine, lists ...[]string) error {
	for _, l := range lists {
		for _, id := range l {
			if eng.Rule(id) == nil {
				return fmt.Errorf("unknown rule %q (see 'meshlint rules')", id)
			}
		}
	}
	return nil
}

// enabledRules are the engine's rules that are on, in its order.
func enabledRules(eng *engine.Engine, on map[string]bool) []*engine.Rule {
	var out []*engine.Rule
	for _, r := range eng.Rules {
		if on[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

func enabledSet(eng *engine.Engine, enable, disable []string) map[string]bool {
	on := map[string]bool{}
	for _, r := range eng.Rules {
		on[r.ID] = len(enable) == 0
	}
	for _, id := range enable {
		on[id] = true
	}
	for _, id := range disable {
		on[id] = false
	}
	return on
}

// loadOptions read the inputs for a run: the kinds the mesh model reads are
// decoded, each object is read ahead into gb and released as soon as it is
// decoded, its suppression annotations noted first, and the texts are
// released once read.
func loadOptions(opts Options, sup *suppressionIndex, gb *graph.Builder) loader.Options {
	return loader.Options{Stdin: opts.Stdin, WorkDir: opts.WorkDir, Limits: opts.Limits, DetectRoots: true, Root: opts.Root, Exclude: opts.Exclude,
		Kinds: graph.ReadsKind, Fields: graph.ReadsFields, ReleaseTexts: true, Read: func(d *loader.Document) {
			sup.note(d)
			gb.Read(d)
		}}
}

// model is what the rest of a run needs from the mesh graph: the rules'
// input, and the resources and problems findings are placed on.
type model struct {
	facts     *graph.Facts
	resources []*graph.Resource
	problems  []graph.Problem
	// suppressions are each resource's ignore.meshlint.io/ annotations, by
	// resource id, read before the decoded objects are released.
	suppressions []map[string]any
	fixes        *fixHints // what fixes need of the graph (fixes.go)
}

// buildModel adds the documents to gb and builds the graph and its facts,
// then lets go of everything the rules and the findings do not need: the
// graph's workloads, services and label maps (the decoded objects of files
// went as they were read: graph.Builder.Read). At platform scale those are
// most of the memory, and keeping them through rule evaluation doubled the
// peak. Rendered and derived documents keep their objects; their
// suppressions are read here. The facts are counted before they are built,
// against maxFacts.
func buildModel(docs []*loader.Document, gb *graph.Builder, maxFacts int, sup *suppressionIndex, observe func(*graph.Graph, *graph.Facts)) (model, error) {
	for _, d := range docs {
		gb.Add(d)
	}
	g := gb.Graph()
	if err := g.CheckFactLimit(maxFacts); err != nil {
		// The resources and problems still place the findings of the
		// files; no facts are built.
		return model{resources: g.Resources, problems: g.Problems, suppressions: make([]map[string]any, len(g.Resources))}, err
	}
	m := model{facts: g.Facts(), resources: g.Resources, problems: g.Problems}
	if observe != nil {
		observe(g, m.facts)
	}
	m.fixes = newFixHints(g, m.facts)
	m.suppressions = make([]map[string]any, len(g.Resources))
	for _, r := range g.Resources {
		if r.Doc.Object != nil {
			sup.note(r.Doc)
		}
		m.suppressions[r.ID] = sup.byDoc[r.Doc]
	}
	return m, nil
}

// observer is opts.Observe for the mesh of one environment; nil when the
// run has none.
func observer(opts Options, env string) func(*graph.Graph, *graph.Facts) {
	if opts.Observe == nil {
		return nil
	}
	return func(g *graph.Graph, f *graph.Facts) { opts.Observe(env, g, f) }
}

// factLimit is the run's --max-facts, or the default when the caller set
// no limits at all (library callers and tests).
func factLimit(l loader.Limits) int {
	if l.MaxFacts > 0 {
		return l.MaxFacts
	}
	return loader.DefaultLimits.MaxFacts
}

// suppressionIndex keeps the ignore.meshlint.io/ annotations of each
// document, read before its decoded object is released; note is called
// from the loader's workers.
type suppressionIndex struct {
	mu    sync.Mutex
	byDoc map[*loader.Document]map[string]any
}

func (x *suppressionIndex) note(d *loader.Document) {
	anns, _ := dig(d.Object, "metadata", "annotations").(map[string]any)
	var found map[string]any
	for k, v := range anns {
		if strings.HasPrefix(k, suppressionPrefix) {
			if found == nil {
				found = map[string]any{}
			}
			found[k] = v
		}
	}
	if found != nil {
		x.mu.Lock()
		x.byDoc[d] = found
		x.mu.Unlock()
	}
}

type builder struct {
	stage        *string // what Run is doing, for the message of a panic
	resources    []*graph.Resource
	suppressions []map[string]any // model.suppressions
	eng          *engine.Engine
	enabled      map[string]bool
	findings     []finding.Finding
	seen         map[string]bool
	stopped      string // why the rules did not run (lintStopped), "" when they did
	fixes        *fixHints
}

func (b *builder) add(f finding.Finding) {
	if !b.enabled[f.Rule] {
		return
	}
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	key := fmt.Sprintf("%s\x00%s\x00%d\x00%s\x00%s", f.Rule, f.File, f.Line, f.Path, f.Message)
	if b.seen[key] {
		return // the same finding through a second Prometheus
	}
	b.seen[key] = true
	b.findings = append(b.findings, f)
}

func (b *builder) severity(id string) string {
	if r := b.eng.Rule(id); r != nil {
		return r.Severity
	}
	return "error"
}

// addProblem reports what a producer (the loader, rendering, a values file)
// found wrong, under the Go-implemented rule of its kind. A value that
// cannot be interpreted without rendering its chart is a warning: the
// object is left unchecked, nothing is known to be broken.
func (b *builder) addProblem(p finding.Problem) {
	rule := policies.ProblemRule(p.Kind)
	f := finding.Finding{Rule: rule, Severity: b.severity(rule), Message: p.Message, Place: problemPlace(p),
		Resource: p.Resource, Related: []finding.Related{}}
	if p.Kind == finding.Uninterpreted {
		f.Severity = "warning"
	}
	if f.EndLine < f.Line || (f.EndLine == f.Line && f.EndColumn < f.Column) {
		f.EndLine, f.EndColumn = f.Line, f.Column
	}
	b.add(f)
}

func (b *builder) addGraphProblem(p graph.Problem) {
	r := b.resources[p.Resource]
	f := b.locate(r, p.Pointer)
	f.Rule = policies.ProblemRule(p.Kind)
	f.Severity = b.severity(f.Rule)
	f.Message = fmt.Sprintf("%s %s: %s; meshlint cannot check it until this is fixed", r.Kind, qualified(r), p.Message) + renderedFrom(r)
	if p.Kind == finding.InvalidPeerAuthentication {
		// A value the API server rejects: the object is not applied at all.
		f.Message = fmt.Sprintf("%s %s: %s; Istio's validation rejects it, so the policy is not applied (meshlint leaves it out of mode resolution)", r.Kind, qualified(r), p.Message)
		if reason, ok := b.annotation(r, suppressionPrefix+f.Rule); ok && strings.TrimSpace(reason) != "" {
			f.Suppressed = true
			f.Suppression = &finding.Suppression{Kind: "inSource", Justification: reason}
		}
	}
	describeDerived(r, p.Pointer, &f, true)
	b.add(f)
}

// placement is where one lookup of addRawFindings landed, and the text
// there for a finding's own location.
type placement struct {
	file    string
	rng     loader.Range
	snippet string
	// For a finding's own location: what its fixes are computed from, and
	// the fixes when the pass computed them (fixInPass).
	target *fix.Target
	fixes  []fix.Fix
}

// addRawFindings adds the rules' findings in the order the rules reported
// them, each placed, with its related locations, in one pass per file
// (placeFile): a first adoption has a finding in most files, and placing
// them one at a time parsed each document again per finding.
func (b *builder) addRawFindings(raw []engine.RawFinding) {
	var lookups []loader.Lookup
	var own []int                  // the raw finding whose own location the lookup is (it gets a snippet and fixes); -1 for a related one
	first := make([]int, len(raw)) // raw[i]'s own lookup; its related ones follow it
	for i, rf := range raw {
		first[i] = len(lookups)
		if !b.hasResource(rf.Resource) {
			continue
		}
		lookups = append(lookups, loader.Lookup{Doc: b.resources[rf.Resource].Doc, Pointer: rf.Pointer})
		own = append(own, i)
		for _, rel := range rf.Related {
			if b.hasResource(rel.Resource) {
				lookups = append(lookups, loader.Lookup{Doc: b.resources[rel.Resource].Doc, Pointer: rel.Pointer})
				own = append(own, -1)
			}
		}
	}
	placed := make([]placement, len(lookups))
	loader.EachFile(lookups, func(p *loader.FilePass) {
		// Passes run on every core (loader.EachFile): a panic names its
		// file here, as the run's stage cannot.
		defer func() {
			if r := recover(); r != nil {
				panic(fmt.Sprintf("%s: %v", p.File, r))
			}
		}()
		b.placeFile(p, raw, lookups, own, placed)
	})
	for i, rf := range raw {
		if b.hasResource(rf.Resource) {
			b.addRaw(rf, placed[first[i]:])
		}
	}
}

// placeFile is the per-file pass over findings: it gets the file's parsed
// documents and every lookup about them, and is where any further work
// per finding that needs the file's text or nodes belongs. Passes over
// different files run at once: it writes only the placements of p's own
// lookups.
func (b *builder) placeFile(p *loader.FilePass, raw []engine.RawFinding, lookups []loader.Lookup, own []int, placed []placement) {
	var fixes fileFixes // fixes.go
	for _, i := range p.Lookups {
		l := lookups[i]
		file, rng := p.Locate(l.Doc, l.Pointer) // rendered objects: the template or base file
		placed[i] = placement{file: file, rng: rng}
		if own[i] < 0 {
			continue
		}
		if file == l.Doc.File {
			placed[i].snippet, _ = p.Snippet(l.Doc, rng)
		}
		rf := raw[own[i]]
		if t := b.fixes.target(b.resources[rf.Resource], rf, file); t != nil {
			placed[i].target = t
			placed[i].fixes = fixes.inPass(p, t, file)
		}
	}
}

func (b *builder) hasResource(id int) bool { return id >= 0 && id < len(b.resources) }

// addRaw adds one finding of the rules; placed are its own placement, then
// those of its related locations (addRawFindings).
func (b *builder) addRaw(rf engine.RawFinding, placed []placement) {
	r := b.resources[rf.Resource]
	placed0 := placed[0]
	f := b.findingAt(r, rf.Pointer, placed0.file, placed0.rng)
	f.Snippet = placed0.snippet
	placed = placed[1:]
	f.Rule, f.Severity, f.Message = rf.Rule.ID, rf.Rule.Severity, rf.Message+renderedFrom(r)
	describeDerived(r, rf.Pointer, &f, false)
	if rf.Severity != "" {
		f.Severity = rf.Severity
	}
	if len(rf.Assumptions) > 0 {
		f.Message += " [assumes: " + strings.Join(uniq(rf.Assumptions), "; ") + "]"
	}
	for _, rel := range rf.Related {
		if !b.hasResource(rel.Resource) {
			continue
		}
		rr := b.resources[rel.Resource]
		loc := b.findingAt(rr, rel.Pointer, placed[0].file, placed[0].rng)
		placed = placed[1:]
		f.Related = append(f.Related, finding.Related{Message: relatedMessage(rr, rel.Pointer, rel.Message),
			Place: placeWithPath(loc.Place, rel.Pointer), Resource: loc.Resource})
	}
	sort.SliceStable(f.Related, func(i, j int) bool {
		a, c := f.Related[i], f.Related[j]
		if a.File != c.File {
			return a.File < c.File
		}
		return a.Line < c.Line
	})
	if reason, ok := b.annotation(r, suppressionPrefix+f.Rule); ok && strings.TrimSpace(reason) != "" {
		f.Suppressed = true
		f.Suppression = &finding.Suppression{Kind: "inSource", Justification: reason}
	}
	f.FixTarget, f.Fixes = placed0.target, placed0.fixes
	b.add(f)
}

// locate places a pointer of a resource in its file.
func (b *builder) locate(r *graph.Resource, pointer string) finding.Finding {
	if b.stage != nil {
		*b.stage = "placing a finding in " + r.Doc.File
	}
	file, rng := r.Doc.Locate(pointer) // rendered objects: the template or base file
	return b.findingAt(r, pointer, file, rng)
}

// findingAt is a finding about pointer of r, placed at rng in file.
func (b *builder) findingAt(r *graph.Resource, pointer, file string, rng loader.Range) finding.Finding {
	return finding.Finding{Place: placeAt(file, rng, pointer), Related: []finding.Related{},
		Resource: &finding.Resource{APIVersion: r.Doc.APIVersion, Kind: r.Kind, Namespace: namespaceOf(r), Name: r.Name}}
}

// placeAt is the place of the field at pointer, spanning rng in file.
func placeAt(file string, rng loader.Range, pointer string) finding.Place {
	return finding.Place{File: file, Line: rng.Line, Column: rng.Column, EndLine: rng.EndLine, EndColumn: rng.EndColumn,
		Path: pointer}
}

// placeWithPath is p naming the field at pointer instead.
func placeWithPath(p finding.Place, pointer string) finding.Place {
	p.Path = pointer
	return p
}

// problemPlace is where a producer's problem is.
func problemPlace(p finding.Problem) finding.Place {
	return finding.Place{File: p.File, Line: p.Line, Column: p.Column, EndLine: p.EndLine, EndColumn: p.EndColumn,
		Path: p.Path}
}

// checkSuppressionReasons reports suppression annotations without a reason:
// accepting a finding must say why, or reviews cannot judge it.
func (b *builder) checkSuppressionReasons() {
	for _, r := range b.resources {
		anns := b.suppressions[r.ID]
		keys := make([]string, 0, len(anns))
		for k := range anns {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, _ := anns[k].(string)
			if strings.TrimSpace(v) != "" {
				continue
			}
			f := b.locate(r, "/metadata/annotations/"+loader.EscapePointerToken(k))
			f.Rule, f.Severity = invalidManifest, b.severity(invalidManifest)
			f.Message = fmt.Sprintf("suppression annotation %s has no reason; write why the finding is accepted, e.g. %s: \"scraped through merged metrics\"", k, k)
			b.add(f)
		}
	}
}

// annotation is the value of a suppression annotation of r.
func (b *builder) annotation(r *graph.Resource, key string) (string, bool) {
	v, ok := b.suppressions[r.ID][key].(string)
	return v, ok
}

// dig is loader.Dig under the short name this package reads.
func dig(v any, keys ...string) any { return loader.Dig(v, keys...) }

func namespaceOf(r *graph.Resource) string {
	if r.Kind == "Namespace" {
		return ""
	}
	return r.Namespace
}

func qualified(r *graph.Resource) string {
	if ns := namespaceOf(r); ns != "" {
		return ns + "/" + r.Name
	}
	return r.Name
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
