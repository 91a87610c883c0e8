package lint

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/baseline"
	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/policies"
)

// unusedSuppression is the rule that reports suppressions that accepted
// nothing (docs/rules/unused-suppression.md). Its findings are produced here, in Go.
const unusedSuppression = policies.UnusedSuppression

// Suppressions are applied in a fixed order, and each finding is accepted by
// the first that matches: the resource's own annotation (in source), then
// the config file's ignore entries, then the baseline (both external).
// Every kind of suppression that accepted nothing is reported as
// unused-suppression, so stale ones get cleaned up and a baseline can only
// shrink.
func (b *builder) applySuppressions(opts Options, raw []engine.RawFinding) {
	b.reportUnusedAnnotations(raw)
	b.applyExternal(opts)
}

// applyExternal applies the config's ignore entries, the baseline and the
// config's severities: once per run, over the findings of every
// environment.
func (b *builder) applyExternal(opts Options) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	b.applyIgnores(opts.Ignores, now)
	if opts.Baseline != nil {
		b.applyBaseline(opts.Baseline)
	}
	for i := range b.findings {
		if s, ok := opts.Severity[b.findings[i].Rule]; ok {
			b.findings[i].Severity = s
		}
	}
}

// reportUnusedAnnotations reports ignore.meshlint.io/<id> annotations on
// resources where <id> found nothing. What the rules reported is matched by
// resource, not by file: a rendered object's fields can map to several
// files (a Kustomize base and its patch). Annotations of disabled rules are
// left alone: the rule did not look.
func (b *builder) reportUnusedAnnotations(raw []engine.RawFinding) {
	type key struct {
		rule     string
		resource int
	}
	reported := map[key]bool{}
	for _, rf := range raw {
		reported[key{rf.Rule.ID, rf.Resource}] = true
	}
	var unused []finding.Finding
	for i, r := range b.resources {
		anns := b.suppressions[r.ID]
		keys := make([]string, 0, len(anns))
		for k, v := range anns {
			if s, _ := v.(string); strings.TrimSpace(s) != "" {
				keys = append(keys, k) // an empty reason is already an invalid-manifest finding
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			id := strings.TrimPrefix(k, suppressionPrefix)
			if id == unusedSuppression {
				continue // accepts the findings below; never reported itself
			}
			f := b.locate(r, "/metadata/annotations/"+loader.EscapePointerToken(k))
			switch rule := b.eng.Rule(id); {
			case rule == nil:
				f.Message = fmt.Sprintf("annotation %s names no rule meshlint knows, so it suppresses nothing; check the id with 'meshlint rules'", k)
			case !b.enabled[id] || reported[key{id, i}]:
				continue
			default:
				f.Message = fmt.Sprintf("annotation %s suppresses nothing: %s reports no finding on %s %s; remove the annotation", k, id, r.Kind, qualified(r))
			}
			f.Rule, f.Severity = unusedSuppression, b.severity(unusedSuppression)
			if reason, ok := b.annotation(r, suppressionPrefix+unusedSuppression); ok && strings.TrimSpace(reason) != "" {
				f.Suppressed = true
				f.Suppression = &finding.Suppression{Kind: "inSource", Justification: reason}
			}
			unused = append(unused, f)
		}
	}
	for _, f := range unused {
		b.add(f)
	}
}

// applyIgnores applies the config file's ignore entries. An expired entry no
// longer accepts anything; the finding it used to accept says so, so that
// whoever sees it reappear in CI knows why.
func (b *builder) applyIgnores(ignores []config.Ignore, now time.Time) {
	if len(ignores) == 0 {
		return
	}
	used := make([]bool, len(ignores))
	for i := range b.findings {
		f := &b.findings[i]
		var r finding.Resource
		if f.Resource != nil {
			r = *f.Resource
		}
		var expired []string
		for j := range ignores {
			ig := &ignores[j]
			if !ig.Matches(f.Rule, r.Kind, r.Namespace, r.Name) {
				continue
			}
			used[j] = true
			if ig.Expired(now) {
				expired = append(expired, fmt.Sprintf("%s:%d expired on %s", ig.File, ig.Line, ig.Expires))
				continue
			}
			if !f.Suppressed {
				f.Suppressed = true
				f.Suppression = &finding.Suppression{Kind: "external", Justification: ig.Reason}
			}
		}
		if len(expired) > 0 && !f.Suppressed {
			f.Message += fmt.Sprintf(" [config ignore entry %s, so this is reported again; fix it or renew the entry]", strings.Join(expired, ", "))
		}
	}
	for j := range ignores {
		ig := &ignores[j]
		if used[j] || !b.enabled[ig.Rule] {
			continue
		}
		msg := fmt.Sprintf("config ignore entry for %s on %s matches no finding; remove it", ig.Rule, ig.Scope())
		if ig.Expired(now) {
			msg = fmt.Sprintf("config ignore entry for %s on %s expired on %s and matches no finding; remove it", ig.Rule, ig.Scope(), ig.Expires)
		}
		b.add(finding.Finding{Rule: unusedSuppression, Severity: b.severity(unusedSuppression), Message: msg,
			Place:   placeAt(ig.File, loader.Range{Line: ig.Line, Column: ig.Column, EndLine: ig.Line, EndColumn: ig.Column}, ""),
			Related: []finding.Related{}})
	}
}

// applyBaseline accepts the findings the baseline lists and reports the
// entries that no longer match. unused-suppression findings are never
// baselined: the fix for a stale suppression is to delete it.
func (b *builder) applyBaseline(bl *baseline.Baseline) {
	m := bl.Matcher()
	for i := range b.findings {
		f := &b.findings[i]
		if f.Suppressed || f.Rule == unusedSuppression {
			continue
		}
		if m.Match(*f) {
			f.Suppressed = true
			f.Suppression = &finding.Suppression{Kind: "external", Justification: baseline.Justification}
		}
	}
	for _, e := range m.Unused() {
		if b.eng.Rule(e.Rule) != nil && !b.enabled[e.Rule] {
			continue // the rule did not run, so its entries could not match
		}
		b.add(finding.Finding{Rule: unusedSuppression, Severity: b.severity(unusedSuppression),
			Message: fmt.Sprintf("baseline entry for %s matches no finding any more; remove it (or write the baseline again with --write-baseline)", e.Describe()),
			Place:   placeAt(bl.File, loader.Range{Line: e.Line, Column: e.Column, EndLine: e.Line, EndColumn: e.Column}, ""),
			Related: []finding.Related{}})
	}
}
