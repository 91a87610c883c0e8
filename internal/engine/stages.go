package engine

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/meshlint/meshlint/internal/engine/input"
)

// The rules are evaluated in stages, one per category (the packages under
// data.meshlint.rules.<category>), and each stage's input holds only the
// facts its rules read. The OPA value of the facts is the largest thing in
// memory while the rules run (an OPA object costs several times its JSON),
// and the categories read mostly disjoint parts of it: the scrape rules
// read the scrapes, the PeerAuthentication rules the policies. So only one
// part is converted and alive at a time. Which facts a rule reads is read
// from its compiled Rego (inputKeys); a rule that reads the input in a way
// that analysis cannot follow gets all of it.
//
// Within a stage, the rules run on one goroutine per core over the same
// input value, which evaluation only reads. Findings come out in the order
// of the rules' packages, as from the single query of data.meshlint.rules.

// stage is the rules of one category and the facts they read.
type stage struct {
	category string
	keys     []string // top-level keys of the facts its rules read; nil: all
	rules    []stagedRule
}

// stagedRule is a rule with its own prepared query of its report.
type stagedRule struct {
	rule  *Rule
	query rego.PreparedEvalQuery
}

// planStages prepares the stages; ok is false when the rules cannot be
// split by category (a rule directly in data.meshlint.rules), and the
// single query is used.
func planStages(ctx context.Context, compiler *ast.Compiler, rules []*Rule) ([]stage, bool, error) {
	byCategory := map[string]*stage{}
	reads := inputKeys(compiler)
	for _, r := range rules {
		rest, ok := strings.CutPrefix(r.Package, "meshlint.rules.")
		cat, _, nested := strings.Cut(rest, ".")
		if !ok || !nested {
			return nil, false, nil
		}
		st := byCategory[cat]
		if st == nil {
			st = &stage{category: cat, keys: []string{}}
			byCategory[cat] = st
		}
		keys, known := reads[r.Package]
		switch {
		case !known:
			st.keys = nil
		case st.keys != nil:
			for _, k := range keys {
				if !slices.Contains(st.keys, k) {
					st.keys = append(st.keys, k)
				}
			}
		}
		q, err := rego.New(
			rego.Query("report := data."+r.Package+".report"),
			rego.Compiler(compiler),
			rego.Capabilities(compiler.Capabilities()), // else parsing the query builds OPA's capabilities again
			rego.StrictBuiltinErrors(true),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("prepare rule %s (%s): %w", r.ID, r.File, err)
		}
		st.rules = append(st.rules, stagedRule{rule: r, query: q})
	}
	stages := make([]stage, 0, len(byCategory))
	for _, st := range byCategory {
		sort.Strings(st.keys)
		sort.Slice(st.rules, func(i, j int) bool { return packageLess(st.rules[i].rule.Package, st.rules[j].rule.Package) })
		stages = append(stages, *st)
	}
	sort.Slice(stages, func(i, j int) bool { return stages[i].category < stages[j].category })
	return chainStages(stages), len(stages) > 0, nil
}

// chainStages orders the stages so that each shares as many facts as it can
// with the one before it (ties keep the order by category): a part of the
// facts two neighbours read is converted once, for both (evalStages).
func chainStages(stages []stage) []stage {
	if len(stages) < 3 {
		return stages
	}
	shared := func(a, b stage) int {
		n := 0
		for _, k := range a.keys {
			if slices.Contains(b.keys, k) {
				n++
			}
		}
		return n
	}
	out := []stage{stages[0]}
	rest := slices.Clone(stages[1:])
	for len(rest) > 0 {
		best := 0
		for i := range rest {
			if shared(out[len(out)-1], rest[i]) > shared(out[len(out)-1], rest[best]) {
				best = i
			}
		}
		out = append(out, rest[best])
		rest = slices.Delete(rest, best, best+1)
	}
	return out
}

// packageLess orders packages segment by segment, as a walk of the
// data.meshlint.rules document by sorted keys visits them.
func packageLess(a, b string) bool {
	return slices.Compare(strings.Split(a, "."), strings.Split(b, ".")) < 0
}

// inputKeys returns, for each package that reads only named top-level keys
// of the input (input.scrapes, input.peerAuthReview.policies), those keys.
// A package is left out, meaning it reads all of the input, when it uses
// the input in any other way (input[x], the whole input), or refers to
// data outside its own package and the library; if any module outside
// data.meshlint.rules reads the input, every package is left out, since
// rules may call it.
func inputKeys(compiler *ast.Compiler) map[string][]string {
	out := map[string][]string{}
	whole := map[string]bool{}
	lib := ast.MustParseRef("data.meshlint.lib")
	for _, m := range compiler.Modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		isRule := strings.HasPrefix(pkg, "meshlint.rules.")
		ast.WalkRefs(m, func(ref ast.Ref) bool {
			switch {
			case ref.HasPrefix(ast.InputRootRef):
				if !isRule {
					whole[""] = true
					return false
				}
				if len(ref) < 2 {
					whole[pkg] = true // the whole input
					return false
				}
				s, isString := ref[1].Value.(ast.String)
				if !isString {
					whole[pkg] = true
					return false
				}
				if !slices.Contains(out[pkg], string(s)) {
					out[pkg] = append(out[pkg], string(s))
				}
			case isRule && ref.HasPrefix(ast.DefaultRootRef) && !ref.HasPrefix(m.Package.Path) && !ref.HasPrefix(lib):
				whole[pkg] = true
			}
			return false
		})
		if isRule {
			if _, ok := out[pkg]; !ok {
				out[pkg] = []string{}
			}
		}
	}
	if whole[""] {
		return map[string][]string{}
	}
	for pkg := range whole {
		delete(out, pkg)
	}
	return out
}

// evalStages runs the stages one after the other, converting for each only
// the sections it reads; a section the next stage reads too is kept
// converted for it. Each section is released after the last stage that
// reads it. The findings come out in the order of the rules' packages.
func (e *Engine) evalStages(ctx context.Context, in *Input) ([]RawFinding, error) {
	var found []ruleFindings
	converted := map[string]*ast.Term{} // sections, by key, kept for the next stage
	for i, st := range e.stages {
		collectBeforeStage()
		fs, err := evalRules(ctx, st.rules, stageInput(in, st.keys, converted), e.workers, e.timeout)
		if err != nil {
			return nil, err
		}
		found = append(found, fs...)
		for k := range converted {
			if i+1 == len(e.stages) || !slices.Contains(e.stages[i+1].keys, k) {
				delete(converted, k)
			}
		}
		for _, k := range e.lastReadBy(i) {
			in.Release(k)
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return packageLess(found[i].rule.Package, found[j].rule.Package) })
	var out []RawFinding
	for _, f := range found {
		out = append(out, f.findings...)
	}
	return out, nil
}

// stageInput is the input of a stage that reads these sections (all of
// them when keys is nil), taking the ones already converted from converted
// and adding the ones it converts. Keys the input has no section for are
// left out.
func stageInput(in *Input, keys []string, converted map[string]*ast.Term) ast.Value {
	enc := input.NewEncoder()
	if keys == nil {
		return in.Object(enc)
	}
	pairs := make([][2]*ast.Term, 0, len(keys))
	for _, k := range keys {
		t := converted[k]
		if t == nil {
			if t = in.Term(enc, k); t == nil {
				continue
			}
			converted[k] = t
		}
		pairs = append(pairs, [2]*ast.Term{ast.StringTerm(k), t})
	}
	return ast.NewObject(pairs...)
}

// A stage starts on a collected heap when the stages before it left
// enough garbage: the OPA values of the sections the last one read, its
// rules' intermediate values, and before the first stage what building the
// facts left. Left to the collector's pace, the next collection comes only
// once the heap has grown by half the live heap the last one found, which
// held those values, so the next stage's conversion and evaluation touched
// fresh pages on top of the garbage: on the adoption corpus at 10,000 apps
// the peak RSS was reached there (docs/performance.md). Each collection
// costs a marking of what is live, which the pace would spend soon anyway.

// minStageGarbage is the growth of the heap since the last collection
// below which a stage starts without one: small inputs never pay for it.
const minStageGarbage = 16 << 20

// collectBeforeStage collects the garbage when collectionPays says so.
func collectBeforeStage() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return
	}
	if collectionPays(s[0].Value.Uint64(), s[1].Value.Uint64()) {
		runtime.GC()
	}
}

// collectionPays decides whether to collect before a stage, from the heap
// held by objects now (live, or dead and not yet swept) and the live heap
// the last collection found: when the heap grew since by at least
// minStageGarbage and a quarter of that live heap, so that the collection
// frees a good part of what it has to look at.
func collectionPays(objects, live uint64) bool {
	if objects <= live {
		return false
	}
	grown := objects - live
	return grown >= minStageGarbage && grown >= live/4
}

// lastReadBy lists the keys that stage i is the last to read; nil when a
// later stage reads all the facts.
func (e *Engine) lastReadBy(i int) []string {
	if e.stages[i].keys == nil {
		return nil
	}
	later := map[string]bool{}
	for _, st := range e.stages[i+1:] {
		if st.keys == nil {
			return nil
		}
		for _, k := range st.keys {
			later[k] = true
		}
	}
	var out []string
	for _, k := range e.stages[i].keys {
		if !later[k] {
			out = append(out, k)
		}
	}
	return out
}

// ruleFindings are what one rule reported.
type ruleFindings struct {
	rule     *Rule
	findings []RawFinding
}

// evalRules evaluates rules over one input on up to workers goroutines.
func evalRules(ctx context.Context, rules []stagedRule, input ast.Value, workers int, timeout time.Duration) ([]ruleFindings, error) {
	found := make([][]RawFinding, len(rules))
	errs := make([]error, len(rules))
	next := make(chan int, len(rules))
	for i := range rules {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(workers, len(rules)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				found[i], errs[i] = evalRule(ctx, rules[i], input, timeout)
			}
		}()
	}
	wg.Wait()
	out := make([]ruleFindings, len(rules))
	for i := range rules {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[i] = ruleFindings{rules[i].rule, found[i]}
	}
	return out, nil
}

func evalRule(ctx context.Context, r stagedRule, input ast.Value, timeout time.Duration) ([]RawFinding, error) {
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rs, err := r.query.Eval(qctx, rego.EvalParsedInput(input))
	if err != nil {
		if timedOut(ctx, qctx) {
			return nil, &TimeoutError{Rules: []*Rule{r.rule}, Timeout: timeout}
		}
		return nil, fmt.Errorf("evaluate rule %s (%s): %w", r.rule.ID, r.rule.File, err)
	}
	if len(rs) == 0 {
		return nil, nil // no report rule: nothing to say
	}
	return decodeReport(r.rule, rs[0].Bindings["report"])
}

// maxEvalWorkers bounds the goroutines evaluating rules.
var maxEvalWorkers = 4

// singleQuery makes New prepare the single query of data.meshlint.rules
// even when the rules can be staged; tests compare the two.
var singleQuery = false

// evalWorkerCount is how many goroutines evaluate rules: one per core.
func evalWorkerCount() int {
	return min(runtime.GOMAXPROCS(0), maxEvalWorkers)
}
