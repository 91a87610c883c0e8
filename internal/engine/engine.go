package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Engine holds the compiled rules.
type Engine struct {
	Rules    []*Rule
	byPkg    map[string]*Rule
	prepared rego.PreparedEvalQuery
	stages   []stage // when set, evaluated in stages instead (stages.go)
	workers  int     // goroutines per stage
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

// deniedBuiltins are the built-ins rules may not call: rules must be pure
// functions of the manifests, with no network, environment or runtime access.
func deniedBuiltin(name string) bool {
	return name == "http.send" || strings.HasPrefix(name, "net.") || name == "opa.runtime" ||
		strings.HasPrefix(name, "providers.")
}

// Capabilities are OPA's capabilities with the denied built-ins removed.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if !deniedBuiltin(b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// New compiles the built-in rules and the rules of each --policy directory.
func New(ctx context.Context, policyDirs []string) (*Engine, error) {
	sources, err := builtinSources(false)
	if err != nil {
		return nil, err
	}
	for _, dir := range policyDirs {
		us, err := userSources(dir, false)
		if err != nil {
			return nil, err
		}
		if len(us) == 0 {
			return nil, fmt.Errorf("policy directory %s holds no .rego files", dir)
		}
		sources = append(sources, us...)
	}
	modules, err := parseModules(sources)
	if err != nil {
		return nil, err
	}
	rules, err := rulesFromModules(modules, sources)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().WithCapabilities(Capabilities()).WithEnablePrintStatements(false)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("compile policies: %w", compiler.Errors)
	}
	e := &Engine{Rules: rules, byPkg: map[string]*Rule{}}
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

// Rule returns the rule with the given id, or nil.
func (e *Engine) Rule(id string) *Rule {
	for _, r := range e.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Evaluate runs every rule once over the facts: in stages, each over the
// part of the facts its rules read (stages.go), or as one query over all of
// them.
func (e *Engine) Evaluate(ctx context.Context, facts any) ([]RawFinding, error) {
	c, release := facts.(consumed)
	if release {
		facts = c.facts
	}
	if e.stages != nil {
		return e.evalStages(ctx, facts, release)
	}
	input, err := toValue(facts)
	if err != nil {
		return nil, err
	}
	rs, err := e.prepared.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
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

// Consume hands the facts (a pointer to a struct) to Evaluate to use up:
// it then drops each top-level field once no later stage reads it, so the
// facts are not kept whole while the last rules run. The caller must not
// use them afterwards.
func Consume(facts any) any { return consumed{facts} }

type consumed struct{ facts any }

func toValue(facts any) (ast.Value, error) {
	// Built directly with the JSON encoding's rules (value.go): the JSON
	// round trip it replaces cost more than the evaluation at scale.
	return valueOf(facts)
}

// decodeReport reads a rule's report set.
func decodeReport(rule *Rule, v any) ([]RawFinding, error) {
	if v == nil {
		return nil, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("rule %s (%s): report is not a set", rule.ID, rule.File)
	}
	var out []RawFinding
	for _, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			return nil, fmt.Errorf("rule %s: encode finding: %w", rule.ID, err)
		}
		var f struct {
			Resource    *int      `json:"resource"`
			Pointer     string    `json:"pointer"`
			Message     string    `json:"message"`
			Related     []Related `json:"related"`
			Assumptions []string  `json:"assumptions"`
			Severity    string    `json:"severity"`
		}
		if err := json.Unmarshal(b, &f); err != nil || f.Resource == nil || f.Message == "" {
			return nil, fmt.Errorf("rule %s (%s): a finding must be an object with resource, pointer and message (use data.meshlint.lib.finding); got %s", rule.ID, rule.File, b)
		}
		if f.Severity != "" && !ValidSeverity(f.Severity) {
			return nil, fmt.Errorf("rule %s (%s): finding severity %q is not error, warning or note", rule.ID, rule.File, f.Severity)
		}
		out = append(out, RawFinding{Rule: rule, Resource: *f.Resource, Pointer: f.Pointer, Message: f.Message, Related: f.Related,
			Assumptions: f.Assumptions, Severity: f.Severity})
	}
	return out, nil
}
