package engine

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Every rule scans the facts on its own, so one evaluation of all rules is
// a sum of independent scans, and on a large repository it takes a good
// part of the run on one core while the others wait. The rules are
// therefore evaluated in groups of whole categories (the packages under
// data.meshlint.rules.<category>), one goroutine per group, over the same
// input value, which evaluation only reads. Each group is one prepared
// query, compiled once in New. The results are merged into the tree that a
// single query of data.meshlint.rules returns, so the findings come out in
// the same order.

// evalGroup is the categories one prepared query evaluates.
type evalGroup struct {
	categories []string
	query      rego.PreparedEvalQuery
}

// prepareGroups compiles up to n group queries; ok is false when the rules
// cannot be split by category (a rule directly in data.meshlint.rules) or
// there is nothing to split, and the single query is used.
func prepareGroups(ctx context.Context, compiler *ast.Compiler, rules []*Rule, n int) ([]evalGroup, bool, error) {
	count := map[string]int{}
	for _, r := range rules {
		rest, ok := strings.CutPrefix(r.Package, "meshlint.rules.")
		cat, _, nested := strings.Cut(rest, ".")
		if !ok || !nested {
			return nil, false, nil
		}
		count[cat]++
	}
	if n > len(count) {
		n = len(count)
	}
	if n < 2 {
		return nil, false, nil
	}
	// Largest categories first, each to the group with the fewest rules.
	cats := make([]string, 0, len(count))
	for c := range count {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		if count[cats[i]] != count[cats[j]] {
			return count[cats[i]] > count[cats[j]]
		}
		return cats[i] < cats[j]
	})
	groups := make([]evalGroup, n)
	load := make([]int, n)
	for _, c := range cats {
		min := 0
		for g := range groups {
			if load[g] < load[min] {
				min = g
			}
		}
		groups[min].categories = append(groups[min].categories, c)
		load[min] += count[c]
	}
	for i := range groups {
		quoted := make([]string, len(groups[i].categories))
		for j, c := range groups[i].categories {
			quoted[j] = strconv.Quote(c)
		}
		q, err := rego.New(
			rego.Query("some category in {"+strings.Join(quoted, ", ")+"}; rules := data.meshlint.rules[category]"),
			rego.Compiler(compiler),
			rego.StrictBuiltinErrors(true),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("prepare policies: %w", err)
		}
		groups[i].query = q
	}
	return groups, true, nil
}

// evalGroups evaluates the groups concurrently and returns the documents
// of the categories, keyed by category, as the single query would.
func evalGroups(ctx context.Context, groups []evalGroup, input ast.Value) (map[string]any, error) {
	results := make([]rego.ResultSet, len(groups))
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = groups[i].query.Eval(ctx, rego.EvalParsedInput(input))
		}()
	}
	wg.Wait()
	tree := map[string]any{}
	for i := range groups {
		if errs[i] != nil {
			return nil, fmt.Errorf("evaluate policies: %w", errs[i])
		}
		for _, r := range results[i] {
			cat, _ := r.Bindings["category"].(string)
			tree[cat] = r.Bindings["rules"]
		}
	}
	return tree, nil
}

// maxEvalGroups bounds the groups: each costs a query compilation at
// start-up. Tests set it to 1 for the single query.
var maxEvalGroups = 4

// evalGroupCount is how many groups New prepares: one per core.
func evalGroupCount() int {
	return min(runtime.GOMAXPROCS(0), maxEvalGroups)
}
