// Package engine compiles meshlint's Rego rules once and evaluates them over
// the graph's facts: category by category, each over the facts its rules
// read (stages.go).
package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/policies"
)

// Rule is one rule's documentation, read from its METADATA block.
type Rule struct {
	finding.RuleDoc
	Semantics string `json:"semantics,omitempty"`
	// Tags are GitHub code scanning's rule tags (custom.tags): security for
	// the rules where mTLS or key material is weakened, reliability where
	// scraping breaks. SecuritySeverity (custom.security-severity, "0.0" to
	// "10.0") is what code scanning ranks security alerts by; only rules
	// tagged security carry one, as GitHub applies it only to those.
	Tags             []string `json:"-"`
	SecuritySeverity string   `json:"-"`
	// Source is "go" for the rules meshlint implements in Go
	// (policies.GoRules), which have no Rego module.
	Source string `json:"-"`
	// Package is the Rego package path, e.g. "meshlint.rules.scrape.podmonitor_under_strict".
	Package string `json:"-"`
	// File is where the rule is defined ("policies/rules/..." for built-in
	// Rego rules, GoRulesFile for Go rules).
	File string `json:"-"`
	// Builtin is false for rules loaded with --policy.
	Builtin bool `json:"-"`
}

// readTags reads custom.tags and custom.security-severity, which must agree:
// a security-severity belongs to a rule tagged security and to no other.
func readTags(r *Rule, custom map[string]any) error {
	if v, ok := custom["tags"]; ok {
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("custom.tags must be a list of strings, got %v", v)
		}
		for _, t := range list {
			s, ok := t.(string)
			if !ok || s == "" {
				return fmt.Errorf("custom.tags must be a list of strings, got %v", v)
			}
			r.Tags = append(r.Tags, s)
		}
	}
	if v, ok := custom["security-severity"]; ok {
		s, ok := v.(string)
		f, err := strconv.ParseFloat(s, 64)
		if !ok || err != nil || f < 0 || f > 10 {
			return fmt.Errorf("custom.security-severity must be a quoted number from \"0.0\" to \"10.0\", got %v", v)
		}
		r.SecuritySeverity = s
	}
	return checkSecurityTag(r)
}

// checkSecurityTag holds a rule's tags and security severity to agree: a
// security severity belongs to a rule tagged security and to no other.
func checkSecurityTag(r *Rule) error {
	if security := slices.Contains(r.Tags, "security"); security != (r.SecuritySeverity != "") {
		return fmt.Errorf("a rule tagged security needs custom.security-severity, and only such a rule may have one (tags %v, security-severity %q)", r.Tags, r.SecuritySeverity)
	}
	return nil
}

// Severities in increasing order.
var severityRank = map[string]int{"note": 1, "warning": 2, "error": 3}

// ValidSeverity reports whether s is note, warning or error.
func ValidSeverity(s string) bool { return severityRank[s] > 0 }

// SeverityAtLeast reports whether s is at or above min.
func SeverityAtLeast(s, min string) bool { return severityRank[s] >= severityRank[min] }

// source is one Rego file to compile.
type source struct {
	name    string // display name, used in compile errors
	text    string
	builtin bool
}

// builtinSources returns the embedded rules and library, tests excluded.
func builtinSources(withTests bool) ([]source, error) {
	var out []source
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		if strings.HasSuffix(p, "_test.rego") && !withTests {
			return nil
		}
		b, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		out = append(out, source{name: "policies/" + p, text: string(b), builtin: true})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded policies: %w", err)
	}
	return out, nil
}

// Policy files come from the linted tree: they are read through the Root
// and bounded, one by one and in all, so that a policy directory cannot make
// meshlint read a device, wait on a FIFO or hold gigabytes.
const (
	MaxPolicyFileBytes  = 1 << 20 // one .rego file
	MaxPolicyTotalBytes = 8 << 20 // all the .rego files of a run
)

// readBudget is what is left of MaxPolicyTotalBytes.
type readBudget struct{ left int64 }

// userSources reads the .rego files of a policy directory through root. The
// directory itself must lie inside the root; below it, the walk does not
// follow symbolic links to directories, and each file is read through the
// root, so a link leaving it or a file that is not regular is an error
// naming the file.
func userSources(root *confine.Root, dir string, withTests bool, budget *readBudget) ([]source, error) {
	real, err := root.Resolve(dir)
	if err != nil {
		return nil, fmt.Errorf("read policy directory %s: %w", dir, err)
	}
	var out []source
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		name := displayName(dir, real, p)
		if err != nil {
			return fmt.Errorf("read policy directory %s: %w", name, confine.UnwrapPath(err))
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		if strings.HasSuffix(p, "_test.rego") && !withTests {
			return nil
		}
		limit := min(MaxPolicyFileBytes, budget.left)
		b, err := root.ReadFile(p, limit, "")
		var tooLarge *confine.TooLargeError
		if errors.As(err, &tooLarge) {
			return fmt.Errorf("read policy %s: larger than the %d bytes left of the limits on policies (%d bytes a file, %d bytes in all); keep generated data out of policy directories",
				name, limit, MaxPolicyFileBytes, MaxPolicyTotalBytes)
		}
		if err != nil {
			return fmt.Errorf("read policy %s: %w", name, err)
		}
		budget.left -= int64(len(b))
		out = append(out, source{name: name, text: string(b)})
		return nil
	})
	return out, err
}

// displayName is how messages name the file p found walking real, the
// resolved dir: below dir as the user or the config file wrote it.
func displayName(dir, real, p string) string {
	rel, err := filepath.Rel(real, p)
	if err != nil || rel == "." {
		return filepath.ToSlash(dir)
	}
	return filepath.ToSlash(filepath.Join(dir, rel))
}

// parseModules parses sources into modules, keeping METADATA, with the
// capabilities they are compiled with: the parser reads only their language
// features and keywords, but without them it builds OPA's full capabilities
// again for every module.
func parseModules(sources []source, caps *ast.Capabilities) (map[string]*ast.Module, error) {
	modules := make(map[string]*ast.Module, len(sources))
	opts := ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1, Capabilities: caps}
	for _, s := range sources {
		m, err := ast.ParseModuleWithOpts(s.name, s.text, opts)
		if err != nil {
			return nil, fmt.Errorf("parse policy: %w", err)
		}
		modules[s.name] = m
	}
	return modules, nil
}

// rulesFromModules reads each rule module's package METADATA. A module under
// a meshlint.rules package must document itself completely; that is the
// contract for built-in and user rules alike.
func rulesFromModules(modules map[string]*ast.Module, sources []source) ([]*Rule, error) {
	builtin := map[string]bool{}
	for _, s := range sources {
		builtin[s.name] = s.builtin
	}
	var rules []*Rule
	seen := map[string]string{}
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		m := modules[name]
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if !strings.HasPrefix(pkg, "meshlint.rules.") || strings.HasSuffix(pkg, "_test") {
			continue
		}
		var ann *ast.Annotations
		for _, a := range m.Annotations {
			if a.Scope == "package" {
				ann = a
			}
		}
		if ann == nil {
			return nil, fmt.Errorf("%s:%d: rule package %s has no METADATA block", name, m.Package.Location.Row, pkg)
		}
		r := &Rule{RuleDoc: finding.RuleDoc{Title: ann.Title, Description: strings.TrimSpace(ann.Description)}, Package: pkg, File: name, Builtin: builtin[name]}
		custom := ann.Custom
		r.ID, _ = custom["id"].(string)
		r.Severity, _ = custom["severity"].(string)
		r.Category, _ = custom["category"].(string)
		r.Tier, _ = custom["tier"].(string)
		r.Fix, _ = custom["fix"].(string)
		r.Fix = strings.TrimSpace(r.Fix)
		r.Semantics, _ = custom["semantics"].(string)
		if err := readTags(r, custom); err != nil {
			return nil, fmt.Errorf("%s:%d: rule %s: %w", name, ann.Location.Row, r.ID, err)
		}
		if r.Tier == "" && !r.Builtin {
			r.Tier = "custom"
		}
		var missing []string
		for field, v := range map[string]string{"title": r.Title, "description": r.Description, "custom.id": r.ID,
			"custom.severity": r.Severity, "custom.category": r.Category, "custom.fix": r.Fix} {
			if v == "" {
				missing = append(missing, field)
			}
		}
		sort.Strings(missing)
		loc := fmt.Sprintf("%s:%d", name, ann.Location.Row)
		if len(missing) > 0 {
			return nil, fmt.Errorf("%s: rule package %s: METADATA lacks %s", loc, pkg, strings.Join(missing, ", "))
		}
		if !ValidSeverity(r.Severity) {
			return nil, fmt.Errorf("%s: rule %s: severity %q is not note, warning or error", loc, r.ID, r.Severity)
		}
		if prev, dup := seen[r.ID]; dup {
			return nil, fmt.Errorf("%s: rule id %s is already defined in %s", loc, r.ID, prev)
		}
		seen[r.ID] = name
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules, nil
}

// GoRulesFile is where the Go-implemented rules are documented.
const GoRulesFile = "policies/builtin.go"

// withGoRules adds to the Rego rules the rules meshlint implements in Go
// (policies.GoRules), held to the contract of a Rego rule's METADATA, and
// sorts all of them by id. A Rego rule may not take the id of a Go rule.
func withGoRules(rules []*Rule) ([]*Rule, error) {
	seen := map[string]*Rule{}
	for _, r := range rules {
		seen[r.ID] = r
	}
	all := slices.Clone(rules)
	for _, g := range policies.GoRules {
		if g.InRego {
			if r := seen[g.ID]; r == nil || !r.Builtin {
				return nil, fmt.Errorf("%s: rule %s is documented in Rego, but no built-in Rego module defines it", GoRulesFile, g.ID)
			}
			continue
		}
		r := &Rule{RuleDoc: finding.RuleDoc{ID: g.ID, Title: g.Title, Description: g.Description, Severity: g.Severity,
			Category: g.Category, Tier: g.Tier, Fix: g.Fix}, Semantics: g.Semantics, Tags: slices.Clone(g.Tags), SecuritySeverity: g.SecuritySeverity,
			Source: "go", File: GoRulesFile, Builtin: true}
		if err := checkGoRule(r); err != nil {
			return nil, fmt.Errorf("%s: rule %s: %w", GoRulesFile, g.ID, err)
		}
		if prev := seen[r.ID]; prev != nil {
			return nil, fmt.Errorf("%s: rule id %s is already defined in %s", prev.File, r.ID, r.File)
		}
		seen[r.ID] = r
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

// checkGoRule holds a Go rule to what rulesFromModules asks of METADATA.
func checkGoRule(r *Rule) error {
	var missing []string
	for field, v := range map[string]string{"Title": r.Title, "Description": r.Description, "Severity": r.Severity,
		"Category": r.Category, "Tier": r.Tier, "Fix": r.Fix} {
		if v == "" {
			missing = append(missing, field)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		return fmt.Errorf("lacks %s", strings.Join(missing, ", "))
	}
	if !ValidSeverity(r.Severity) {
		return fmt.Errorf("severity %q is not note, warning or error", r.Severity)
	}
	return checkSecurityTag(r)
}
