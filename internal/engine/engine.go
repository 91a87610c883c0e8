package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/engine/input"
)

// Engine holds the compiled rules.
type Engine struct {
	Rules    []*Rule
	byPkg    map[string]*Rule
	prepared rego.PreparedEvalQuery
	stages   []stage // when set, evaluated in stages instead (stages.go)
	workers  int     // goroutines per stage
	timeout  time.Duration
	memory   uint64 // Options.MemoryBudget
}

// Related is a related location a rule names.
type Related struct {
	Resource int    `json:"resource"`
	Pointer  string `json:"pointer"`
	Message  string `json:"message"`
}

// RawFinding is what a rule reported, before positions, severity overrides
// and suppressions are applied.
type RawFinding struct {
	Rule        *Rule
	Resource    int
	Pointer     string
	Message     string
	Related     []Related
	Assumptions []string
	// Severity, when a rule sets it on one finding, replaces the rule's
	// default for that finding (e.g. an error rule that knows a case is
	// only probably wrong). Config overrides still win.
	Severity string
}

// Options are what a compilation of the rules may read and how long a
// query may run.
type Options struct {
	// PolicyDirs are the directories of extra rules (--policy, the config
	// file's policies).
	PolicyDirs []string
	// Root confines the reads of the policy files; nil reads anywhere
	// (still only regular files, within the limits).
	Root *confine.Root
	// Timeout is the wall-clock deadline of each query (--policy-timeout);
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// MemoryBudget is the heap, in bytes, past which evaluation stops
	// (--max-policy-memory, membudget.go); 0 means DefaultMemoryBudget.
	MemoryBudget uint64
}

// DefaultTimeout is the deadline of one query when Options.Timeout is 0:
// generous, a backstop against a policy that never ends, not a budget.
const DefaultTimeout = 60 * time.Second

// New compiles the built-in rules and the rules of each policy directory,
// reading them anywhere, with the default deadline.
func New(ctx context.Context, policyDirs []string) (*Engine, error) {
	return Compile(ctx, Options{PolicyDirs: policyDirs})
}

// Compile compiles the built-in rules and the rules of each policy
// directory, read through opts.Root, under the sandbox's capabilities
// (sandbox.go).
func Compile(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Root == nil {
		opts.Root = confine.Unconfined()
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	defer pauseGC()()
	sources, err := builtinSources(false)
	if err != nil {
		return nil, err
	}
	budget := &readBudget{left: MaxPolicyTotalBytes}
	for _, dir := range opts.PolicyDirs {
		us, err := userSources(opts.Root, dir, false, budget)
		if err != nil {
			return nil, err
		}
		if len(us) == 0 {
			return nil, fmt.Errorf("policy directory %s holds no .rego files", dir)
		}
		sources = append(sources, us...)
	}
	caps := Capabilities()
	modules, err := parseModules(sources, caps)
	if err != nil {
		return nil, err
	}
	rules, err := rulesFromModules(modules, sources)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().WithCapabilities(caps).WithEnablePrintStatements(false)
	if len(opts.PolicyDirs) == 0 {
		compiler.WithSkipStages(builtinChecks...)
	}
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("compile policies: %w", explainForbidden(compiler.Errors))
	}
	all, err := withGoRules(rules)
	if err != nil {
		return nil, err
	}
	e := &Engine{Rules: all, byPkg: map[string]*Rule{}, timeout: opts.Timeout, memory: opts.MemoryBudget}
	if e.memory == 0 {
		e.memory = DefaultMemoryBudget
	}
	if e.workers = evalWorkerCount(); !singleQuery {
		stages, ok, err := planStages(ctx, compiler, rules)
		if err != nil {
			return nil, err
		}
		if ok {
			e.stages = stages
		}
	}
	if e.stages == nil {
		pq, err := rego.New(
			rego.Query("data.meshlint.rules"),
			rego.Compiler(compiler),
			rego.StrictBuiltinErrors(true),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare policies: %w", err)
		}
		e.prepared = pq
	}
	for _, r := range rules {
		e.byPkg[r.Package] = r
	}
	return e, nil
}

// builtinChecks are the compiler stages that only check the modules and
// change nothing that evaluation reads: errors for a policy that is wrong
// (types, arity, recursion, unsafe heads, conflicting rules, keywords,
// forbidden built-ins). The embedded rules are the same on every run and
// pass them all (TestBuiltinRulesCompileInTheSandbox compiles them with
// every stage), so a run without custom policies skips them: the type
// check alone was a sixth of the compilation. Any custom policy brings
// every check back, for its modules and the built-in ones alike.
var builtinChecks = []ast.StageID{
	ast.StageCheckUnusedImports,
	ast.StageCheckKeywordOverrides,
	ast.StageCheckDuplicateImports,
	ast.StageCheckVoidCalls,
	ast.StageCheckRuleConflicts,
	ast.StageCheckUndefinedFuncs,
	ast.StageCheckSafetyRuleHeads,
	ast.StageCheckRecursion,
	ast.StageCheckTypes,
	ast.StageCheckUnsafeBuiltins,
	ast.StageCheckDeprecatedBuiltins,
}

// Rule returns the rule with the given id, or nil.
func (e *Engine) Rule(id string) *Rule {
	for _, r := range e.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Input is the rules' input: named sections, each converted to its OPA
// value only while the rules that read it run (internal/engine/input).
type Input = input.Input

// Evaluate runs every rule once over the input: in stages, each over the
// sections its rules read (stages.go), or as one query over all of them.
// It uses the input up: each section is released after the last stage that
// reads it, so the caller must not reuse it.
func (e *Engine) Evaluate(ctx context.Context, in *Input) ([]RawFinding, error) {
	wctx, stop := watchMemory(ctx, e.memory)
	defer stop()
	out, err := e.evaluate(wctx, in)
	if err != nil && overBudget(wctx) {
		return nil, &MemoryError{Rules: e.customRules(), Budget: e.memory}
	}
	return out, err
}

func (e *Engine) evaluate(ctx context.Context, in *Input) ([]RawFinding, error) {
	if e.stages != nil {
		return e.evalStages(ctx, in)
	}
	whole := in.Object(input.NewEncoder())
	qctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	rs, err := e.prepared.Eval(qctx, rego.EvalParsedInput(whole))
	if err != nil {
		if timedOut(ctx, qctx) {
			return nil, &TimeoutError{Rules: e.customRules(), Timeout: e.timeout}
		}
		return nil, fmt.Errorf("evaluate policies: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil
	}
	tree := rs[0].Expressions[0].Value
	var out []RawFinding
	var walk func(prefix string, v any) error
	walk = func(prefix string, v any) error {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if rule, ok := e.byPkg[prefix]; ok {
			findings, err := decodeReport(rule, m["report"])
			if err != nil {
				return err
			}
			out = append(out, findings...)
			return nil
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := walk(prefix+"."+k, m[k]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("meshlint.rules", tree); err != nil {
		return nil, err
	}
	return out, nil
}

// customRules are the rules not built in: the suspects when the single
// query of every rule runs out of time.
func (e *Engine) customRules() []*Rule {
	var out []*Rule
	for _, r := range e.Rules {
		if !r.Builtin {
			out = append(out, r)
		}
	}
	return out
}

// TimeoutError is a query that ran past --policy-timeout. It is an error,
// never a finding: a finding that depends on the machine's speed would make
// the output differ from run to run.
type TimeoutError struct {
	Rules   []*Rule // the rules of the query; the custom ones when it ran them all
	Timeout time.Duration
}

// suspects names the rules a backstop stopped, for its message.
func suspects(rules []*Rule) string {
	if len(rules) == 0 {
		return "the rules"
	}
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = fmt.Sprintf("%s (package %s, %s)", r.ID, r.Package, r.File)
	}
	return "policy " + strings.Join(names, ", ")
}

func (e *TimeoutError) Error() string {
	what := suspects(e.Rules)
	return fmt.Sprintf("%s did not finish within %s and was stopped; a policy must not loop over large products of the input. If it is only slow on a large input, raise --policy-timeout (e.g. --policy-timeout %s)",
		what, e.Timeout, 4*e.Timeout)
}

// timedOut reports whether a query failed because its own deadline passed,
// not because the caller gave up.
func timedOut(parent, query context.Context) bool {
	return parent.Err() == nil && errors.Is(query.Err(), context.DeadlineExceeded)
}

// decodeReport reads a rule's report set as the query gave it (OPA's
// values: []any for a set, map[string]any for an object, json.Number,
// string), field by field, as conftest reads its rules' results: no JSON
// encoding and decoding of every finding.
func decodeReport(rule *Rule, v any) ([]RawFinding, error) {
	if v == nil {
		return nil, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("rule %s (%s): report is not a set", rule.ID, rule.File)
	}
	out := make([]RawFinding, 0, len(items))
	for _, it := range items {
		f, ok := decodeFinding(it)
		if !ok {
			b, _ := json.Marshal(it)
			return nil, fmt.Errorf("rule %s (%s): a finding must be an object with resource, pointer and message (use data.meshlint.lib.finding); got %s", rule.ID, rule.File, b)
		}
		if f.Severity != "" && !ValidSeverity(f.Severity) {
			return nil, fmt.Errorf("rule %s (%s): finding severity %q is not error, warning or note", rule.ID, rule.File, f.Severity)
		}
		f.Rule = rule
		out = append(out, f)
	}
	return out, nil
}

// decodeFinding reads one finding of a report; ok is false when it is not
// an object with an integer resource and a message, or a field it has is
// of the wrong type. A null field counts as absent.
func decodeFinding(v any) (f RawFinding, ok bool) {
	m, isObject := v.(map[string]any)
	if !isObject {
		return RawFinding{}, false
	}
	resource, hasResource := m["resource"]
	f.Resource, ok = resultInt(resource)
	if !hasResource || resource == nil || !ok {
		return RawFinding{}, false
	}
	f.Pointer, ok = resultString(m["pointer"])
	if !ok {
		return RawFinding{}, false
	}
	if f.Message, ok = resultString(m["message"]); !ok || f.Message == "" {
		return RawFinding{}, false
	}
	if f.Severity, ok = resultString(m["severity"]); !ok {
		return RawFinding{}, false
	}
	if f.Related, ok = resultRelated(m["related"]); !ok {
		return RawFinding{}, false
	}
	if f.Assumptions, ok = resultStrings(m["assumptions"]); !ok {
		return RawFinding{}, false
	}
	return f, true
}

// resultInt reads an integer of a query result; null is 0.
func resultInt(v any) (int, bool) {
	switch n := v.(type) {
	case nil:
		return 0, true
	case json.Number:
		i, err := strconv.Atoi(string(n))
		return i, err == nil
	}
	return 0, false
}

// resultString reads a string of a query result; null is "".
func resultString(v any) (string, bool) {
	if v == nil {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}

// resultStrings reads a list of strings of a query result; null is none.
func resultStrings(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(list))
	for i, it := range list {
		if out[i], ok = resultString(it); !ok {
			return nil, false
		}
	}
	return out, true
}

// resultRelated reads the related locations of a finding; null is none.
func resultRelated(v any) ([]Related, bool) {
	if v == nil {
		return nil, true
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]Related, len(list))
	for i, it := range list {
		if it == nil {
			continue
		}
		m, isObject := it.(map[string]any)
		if !isObject {
			return nil, false
		}
		r := &out[i]
		var okR, okP, okM bool
		r.Resource, okR = resultInt(m["resource"])
		r.Pointer, okP = resultString(m["pointer"])
		r.Message, okM = resultString(m["message"])
		if !okR || !okP || !okM {
			return nil, false
		}
	}
	return out, true
}
