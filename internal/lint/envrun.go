package lint

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/render"
)

// envFindings are the findings of one environment's mesh, and the objects
// it holds (to tell an annotation unused everywhere from one unused in one
// environment only).
type envFindings struct {
	name     string
	findings []finding.Finding
	problems []finding.Finding // what its model could not read: all it reports in a stopped run
	internal []string          // the problems that are bugs in meshlint
	holds    map[string]bool   // resourceKey of every object linted in it
	whole    bool              // the environment is the whole input (environment.whole)
}

// lintEnvironments lints each environment as its own mesh: its own graph
// and rule evaluation over the documents it holds, the shared ones
// included. What reading and rendering reported is not about one mesh and
// is reported once; the config's ignores, the baseline and severities are
// applied once, to the merged findings.
func lintEnvironments(ctx context.Context, eng *engine.Engine, loaded *loader.Result, rendered []finding.Problem,
	envs []*environment, opts Options, stage *string) (*builder, []string, []*graph.Resource, error) {
	docs, err := reloadReleased(loaded.Documents, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	assignDocuments(envs, docs, opts.Settings.DefaultNamespace)
	enabled := opts.enabled
	g := &builder{eng: eng, enabled: enabled, stage: stage}
	internal := g.addLoadProblems(loaded)
	g.addDerivedProblems(opts.DerivedProblems)
	g.addRendered(rendered)

	made, buildNotes := fluxBuilds(ctx, envs, opts)
	g.addRendered(buildNotes)
	var substNotes []finding.Problem
	for _, e := range envs {
		if e.skip {
			continue
		}
		var notes []finding.Problem
		e.docs = rebuilt(e.docs, e.builds, made)
		e.docs, notes = substituted(e.docs, e.subs, opts.Limits)
		substNotes = append(substNotes, notes...)
	}
	g.addRendered(substNotes)

	var per []envFindings
	var resources []*graph.Resource
	seenResource := map[*loader.Document]bool{}
	seenInternal := map[string]bool{}
	for _, e := range envs {
		if e.skip {
			continue
		}
		*stage = "linting environment " + e.Name
		ef, m, stop, err := lintEnvironment(ctx, eng, e, opts, enabled, stage, g.stopped != "")
		if err != nil {
			return nil, nil, nil, fmt.Errorf("environment %s: %w", e.Name, err)
		}
		if stop != "" && g.stopped == "" {
			// As for one mesh: no rule runs in any environment (a verdict
			// on some would read as one on the whole input), and what
			// reading, rendering and the models found is still reported.
			g.stopped = stop
			if !e.whole {
				g.stopped = "environment " + e.Name + ": " + stop
			}
			for i := range per {
				per[i].findings = per[i].problems
			}
		}
		for _, s := range ef.internal {
			if !seenInternal[s] {
				seenInternal[s] = true
				internal = append(internal, s)
			}
		}
		for _, r := range m.resources {
			ef.holds[objectKey(r.Kind, namespaceOf(r), r.Name)] = true
			if !seenResource[r.Doc] {
				seenResource[r.Doc] = true
				resources = append(resources, r)
			}
		}
		per = append(per, ef)
	}
	g.findings = append(g.findings, mergeEnvironmentFindings(per)...)
	if g.stopped == "" {
		// With no rule run, every suppression would look unused.
		g.applyExternal(opts)
	}
	return g, internal, resources, nil
}

// lintEnvironment builds one environment's model and, unless the run is
// stopped or this model is over --max-facts (stop says why), evaluates the
// rules over it.
func lintEnvironment(ctx context.Context, eng *engine.Engine, e *environment, opts Options, enabled map[string]bool,
	stage *string, stopped bool) (ef envFindings, m model, stop string, err error) {
	sup := &suppressionIndex{byDoc: map[*loader.Document]map[string]any{}}
	envDocs, dups := dedupe(withDerived(e.docs, opts.Derived))
	m, err = buildModel(envDocs, graph.NewBuilder(opts.Settings), factLimit(opts.Limits), sup, observer(opts, e.Name))
	var overLimit *graph.FactLimitError
	if errors.As(err, &overLimit) {
		stop, err = overLimit.Error(), nil
	}
	if err != nil {
		return ef, m, "", err
	}
	b := &builder{resources: m.resources, suppressions: m.suppressions, eng: eng, enabled: enabled, stage: stage, fixes: m.fixes}
	ef = envFindings{name: e.Name, whole: e.whole, holds: map[string]bool{}}
	ef.internal = b.addGraphProblems(m.problems)
	ef.problems = append([]finding.Finding(nil), b.findings...)
	if stopped || stop != "" {
		ef.findings = ef.problems
		return ef, m, stop, nil
	}
	in := m.facts.Input()
	m.facts = nil // the engine releases each section once no rule reads it
	raw, err := eng.Evaluate(ctx, in)
	if err != nil {
		return ef, m, "", err
	}
	b.addDuplicatePrometheus()
	b.addDuplicates(dups)
	b.addRawFindings(raw)
	b.checkSuppressionReasons()
	b.reportUnusedAnnotations(raw)
	ef.findings = b.findings
	return ef, m, "", nil
}

func objectKey(kind, namespace, name string) string { return kind + "\x00" + namespace + "\x00" + name }

// assignDocuments gives each environment its own documents and every
// document no environment holds (shared ones: a base's plain files, a
// Prometheus kept beside the overlays), and lists their files. What a
// Flux HelmRelease renders goes where the HelmRelease is.
func assignDocuments(envs []*environment, docs []*loader.Document, defaultNamespace string) {
	files := make([]map[string]bool, len(envs))
	for i := range envs {
		files[i] = map[string]bool{}
	}
	owners := func(d *loader.Document) []int {
		var mine []int
		for i, e := range envs {
			if e.holds(d) {
				mine = append(mine, i)
			}
		}
		if mine == nil {
			for i := range envs {
				mine = append(mine, i)
			}
		}
		return mine
	}
	releases := map[string]map[int]bool{} // namespace/name -> environments holding a HelmRelease of that name
	for _, d := range docs {
		if d.Kind == "HelmRelease" && strings.HasPrefix(d.APIVersion, "helm.toolkit.fluxcd.io/") {
			ns := d.Namespace
			if ns == "" {
				ns = defaultNamespace
			}
			label := ns + "/" + d.Name
			if releases[label] == nil {
				releases[label] = map[int]bool{}
			}
			for _, i := range owners(d) {
				releases[label][i] = true
			}
		}
	}
	for _, d := range docs {
		mine := owners(d)
		if label, ok := render.HelmReleaseOf(d); ok && releases[label] != nil {
			mine = mine[:0]
			for i := range envs {
				if releases[label][i] {
					mine = append(mine, i)
				}
			}
		}
		for _, i := range mine {
			envs[i].docs = append(envs[i].docs, d)
			files[i][d.File] = true
		}
	}
	for i, e := range envs {
		e.Files = e.Files[:0]
		for f := range files[i] {
			e.Files = append(e.Files, f)
		}
		sort.Strings(e.Files)
	}
}

// reloadReleased reads again the plain documents the loader read ahead
// into one mesh model and released: a document read ahead joins that graph
// only, and each environment builds its own. The files are read again
// with their objects kept; documents that keep their objects (rendered
// ones), or never had one, join every graph as they are.
func reloadReleased(docs []*loader.Document, opts Options) ([]*loader.Document, error) {
	var paths []string
	seen := map[string]bool{}
	for _, d := range docs {
		if d.ObjectReleased() && !seen[d.File] {
			seen[d.File] = true
			p := filepath.FromSlash(d.File)
			if !filepath.IsAbs(p) && opts.WorkDir != "" {
				p = filepath.Join(opts.WorkDir, p)
			}
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return docs, nil
	}
	again, err := loader.Load(paths, loader.Options{WorkDir: opts.WorkDir, Limits: opts.Limits, Root: opts.Root, Kinds: graph.ReadsKind,
		RecordFiles: true}) // the findings' fixes are computed in the pass that places them
	if err != nil {
		return nil, fmt.Errorf("reading the files again for each environment: %w", err)
	}
	type at struct {
		file        string
		index, item int
		prefix      string
	}
	fresh := map[at]*loader.Document{}
	for _, d := range again.Documents {
		fresh[at{d.File, d.Index, d.Item, d.Prefix}] = d
	}
	out := make([]*loader.Document, 0, len(docs))
	for _, d := range docs {
		if d.ObjectReleased() {
			if f, ok := fresh[at{d.File, d.Index, d.Item, d.Prefix}]; ok {
				out = append(out, f)
				continue
			}
			// The file changed while meshlint ran; its first reading stands
			// in one environment's graph, not silently in none.
			return nil, fmt.Errorf("%s changed while meshlint read it; run again", d.File)
		}
		out = append(out, d)
	}
	return out, nil
}

// mergeEnvironmentFindings reports a finding that several environments
// share (same rule, place and message) once, naming them; one whose
// message differs per environment stays one finding per message. An
// annotation is unused only when every environment holding its object
// found it unused.
func mergeEnvironmentFindings(per []envFindings) []finding.Finding {
	type merged struct {
		f    finding.Finding
		envs []string
	}
	var order []string
	byKey := map[string]*merged{}
	for _, ef := range per {
		for _, f := range ef.findings {
			key := fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s\x00%s\x00%t", f.Rule, f.File, f.Line, f.Column, f.Path, f.Message, f.Suppressed)
			m := byKey[key]
			if m == nil {
				m = &merged{f: f}
				byKey[key] = m
				order = append(order, key)
			}
			m.envs = append(m.envs, ef.name)
		}
	}
	var out []finding.Finding
	for _, key := range order {
		m := byKey[key]
		if m.f.Rule == unusedSuppression && m.f.Resource != nil && !everyHolder(per, m.f.Resource, m.envs) {
			continue
		}
		if !wholeInput(per) {
			m.f.Environments = m.envs
		}
		out = append(out, m.f)
	}
	return out
}

// wholeInput reports whether the one environment linted is the whole input
// (environment.whole): its findings name no environment.
func wholeInput(per []envFindings) bool {
	return len(per) == 1 && per[0].whole
}

// everyHolder reports whether envs names every environment holding r.
func everyHolder(per []envFindings, r *finding.Resource, envs []string) bool {
	key := objectKey(r.Kind, r.Namespace, r.Name)
	for _, ef := range per {
		if ef.holds[key] && !slices.Contains(envs, ef.name) {
			return false
		}
	}
	return true
}

// shownEnvironments is how many environments the stderr line names; a
// repository of dozens of overlays would otherwise print a paragraph, and
// --verbose lists them all.
const shownEnvironments = 8

// EnvironmentsLine is the stderr line that says which environments a run
// linted apart, or "" for a run that linted one mesh. Without verbose it
// names the first few and counts the rest.
func EnvironmentsLine(envs []Environment, verbose bool) string {
	if len(envs) == 0 {
		return ""
	}
	parts := make([]string, 0, len(envs))
	for i, e := range envs {
		if !verbose && i == shownEnvironments && len(envs) > shownEnvironments+1 {
			parts = append(parts, fmt.Sprintf("and %d more (--verbose lists them)", len(envs)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s, %s)", e.Name, e.How, files(len(e.Files))))
	}
	if len(envs) == 1 {
		return "meshlint: linting environment " + parts[0] + " alone (--environment)"
	}
	return fmt.Sprintf("meshlint: %d environments, each linted as its own mesh: %s", len(envs), strings.Join(parts, ", "))
}

func files(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}
