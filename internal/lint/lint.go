// Package lint runs one lint: load the inputs, build the graph, evaluate the
// rules, and turn what they report into located, suppressible findings.
package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
)

// Options configure a lint run.
type Options struct {
	Paths    []string
	Stdin    io.Reader
	WorkDir  string
	Settings graph.Settings
	Limits   loader.Limits
	Enable   []string // only these rules, when set
	Disable  []string
}

// Result is a finished lint.
type Result struct {
	Findings []report.Finding // sorted, suppressed ones included
	Summary  report.Summary
	Skipped  []loader.Skip
}

// ErrNoManifests means the inputs held nothing to lint: never a silent pass.
var ErrNoManifests = errors.New("no Kubernetes manifests found")

const invalidManifest = "invalid-manifest"

// suppressionPrefix is the annotation that accepts a finding on a resource.
const suppressionPrefix = "ignore.meshlint.io/"

// Run lints the inputs with a compiled engine.
func Run(ctx context.Context, eng *engine.Engine, opts Options) (*Result, error) {
	if err := checkRuleIDs(eng, opts.Enable, opts.Disable); err != nil {
		return nil, err
	}
	loaded, err := loader.Load(opts.Paths, loader.Options{Stdin: opts.Stdin, WorkDir: opts.WorkDir, Limits: opts.Limits})
	if err != nil {
		return nil, err
	}
	if len(loaded.Documents) == 0 && len(loaded.Problems) == 0 {
		return &Result{Skipped: loaded.Skipped}, ErrNoManifests
	}
	g := graph.Build(loaded.Documents, opts.Settings)
	raw, err := eng.Evaluate(ctx, g.Facts())
	if err != nil {
		return nil, err
	}

	b := &builder{g: g, eng: eng, enabled: enabledSet(eng, opts.Enable, opts.Disable)}
	for _, p := range loaded.Problems {
		b.addProblem(p)
	}
	for _, p := range g.Problems {
		b.addGraphProblem(p)
	}
	for _, rf := range raw {
		b.addRaw(rf)
	}
	b.checkSuppressionReasons()
	report.Sort(b.findings)

	res := &Result{Findings: b.findings, Skipped: loaded.Skipped}
	res.Summary = report.Summary{Files: loaded.Files, Resources: len(loaded.Documents)}
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

type builder struct {
	g        *graph.Graph
	eng      *engine.Engine
	enabled  map[string]bool
	findings []report.Finding
	seen     map[string]bool
}

func (b *builder) add(f report.Finding) {
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

func (b *builder) addProblem(p loader.Problem) {
	b.add(report.Finding{Rule: invalidManifest, Severity: b.severity(invalidManifest), Message: p.Message, File: p.File,
		Line: p.Line, Column: p.Column, EndLine: p.EndLine, EndColumn: p.EndColumn, Related: []report.Related{}})
}

func (b *builder) addGraphProblem(p graph.Problem) {
	r := b.g.Resources[p.Resource]
	f := b.locate(r, p.Pointer)
	f.Rule, f.Severity = invalidManifest, b.severity(invalidManifest)
	f.Message = fmt.Sprintf("%s %s: %s; meshlint cannot check it until this is fixed", r.Kind, qualified(r), p.Message)
	b.add(f)
}

func (b *builder) addRaw(rf engine.RawFinding) {
	if rf.Resource < 0 || rf.Resource >= len(b.g.Resources) {
		return
	}
	r := b.g.Resources[rf.Resource]
	f := b.locate(r, rf.Pointer)
	f.Rule, f.Severity, f.Message = rf.Rule.ID, rf.Rule.Severity, rf.Message
	if len(rf.Assumptions) > 0 {
		f.Message += " [assumes: " + strings.Join(uniq(rf.Assumptions), "; ") + "]"
	}
	for _, rel := range rf.Related {
		if rel.Resource < 0 || rel.Resource >= len(b.g.Resources) {
			continue
		}
		rr := b.g.Resources[rel.Resource]
		loc := b.locate(rr, rel.Pointer)
		f.Related = append(f.Related, report.Related{Message: rel.Message, File: loc.File, Line: loc.Line, Column: loc.Column,
			EndLine: loc.EndLine, EndColumn: loc.EndColumn, Path: rel.Pointer, Resource: loc.Resource})
	}
	sort.SliceStable(f.Related, func(i, j int) bool {
		a, c := f.Related[i], f.Related[j]
		if a.File != c.File {
			return a.File < c.File
		}
		return a.Line < c.Line
	})
	if reason, ok := annotation(r, suppressionPrefix+f.Rule); ok && strings.TrimSpace(reason) != "" {
		f.Suppressed = true
		f.Suppression = &report.Suppression{Kind: "inSource", Justification: reason}
	}
	b.add(f)
}

// locate places a pointer of a resource in its file.
func (b *builder) locate(r *graph.Resource, pointer string) report.Finding {
	rng, _ := r.Doc.Position(pointer)
	return report.Finding{File: r.Doc.File, Line: rng.Line, Column: rng.Column, EndLine: rng.EndLine, EndColumn: rng.EndColumn,
		Path: pointer, Related: []report.Related{},
		Resource: &report.Resource{APIVersion: r.Doc.APIVersion, Kind: r.Kind, Namespace: namespaceOf(r), Name: r.Name}}
}

// checkSuppressionReasons reports suppression annotations without a reason:
// accepting a finding must say why, or reviews cannot judge it.
func (b *builder) checkSuppressionReasons() {
	for _, r := range b.g.Resources {
		anns, _ := dig(r.Doc.Object, "metadata", "annotations").(map[string]any)
		keys := make([]string, 0, len(anns))
		for k := range anns {
			if strings.HasPrefix(k, suppressionPrefix) {
				keys = append(keys, k)
			}
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

func annotation(r *graph.Resource, key string) (string, bool) {
	v, ok := dig(r.Doc.Object, "metadata", "annotations", key).(string)
	return v, ok
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

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
