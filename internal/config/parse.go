package config

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/exclude"
)

// parser walks the yaml.v3 node tree: unlike decoding into structs, nodes
// keep the line of every key, so each error can name it.
type parser struct {
	file string
	dir  string
	cfg  *Config
	errs Errors
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// field is one key of a mapping with what to do with its value.
type field struct {
	name  string
	parse func(key string, value *yaml.Node)
}

// mapping checks that n is a mapping and hands each key to its field; keys
// that no field names, and keys given twice, are errors.
func (p *parser) mapping(key string, n *yaml.Node, fields []field) {
	byName := map[string]field{}
	var names []string
	for _, f := range fields {
		byName[f.name] = f
		names = append(names, f.name)
	}
	p.entries(key, n, "a mapping", func(full string, k, v *yaml.Node) {
		f, ok := byName[k.Value]
		if !ok {
			p.errorf(k, "unknown key %q (want one of %s)", full, strings.Join(names, ", "))
			return
		}
		f.parse(full, v)
	})
}

func (p *parser) root(n *yaml.Node) {
	c := p.cfg
	p.mapping("", n, []field{
		{"mesh", func(key string, v *yaml.Node) {
			p.mapping(key, v, []field{
				{"rootNamespace", func(key string, v *yaml.Node) { p.name(key, v, &c.Mesh.RootNamespace) }},
				{"defaultMode", func(key string, v *yaml.Node) {
					p.enum(key, v, &c.Mesh.DefaultMode, strings.ToUpper, "STRICT", "PERMISSIVE", "DISABLE")
				}},
				{"enablePrometheusMerge", func(key string, v *yaml.Node) { p.boolean(key, v, &c.Mesh.EnablePrometheusMerge) }},
				{"assumeInjection", func(key string, v *yaml.Node) {
					p.enum(key, v, &c.Mesh.AssumeInjection, nil, "auto", "enabled", "disabled", "unknown")
				}},
			})
		}},
		{"namespace", func(key string, v *yaml.Node) { p.name(key, v, &c.Namespace) }},
		{"failOn", func(key string, v *yaml.Node) { p.enum(key, v, &c.FailOn, nil, "error", "warning", "note", "none") }},
		{"rules", p.rules},
		{"policies", func(key string, v *yaml.Node) { p.paths(key, v, "directories", &p.cfg.Policies) }},
		{"prometheusValues", p.prometheusValues},
		{"ignore", p.ignores},
		{"exclude", p.excludes},
		{"environments", p.environments}, // environments.go
		{"sources", p.sources},
	})
}

// excludes reads gitignore patterns, anchored to the config file's
// directory.
func (p *parser) excludes(key string, n *yaml.Node) {
	items, ok := p.sequence(key, n, "a list of gitignore patterns such as ['testdata/', '**/*.tmpl.yaml']")
	if !ok {
		return
	}
	for i, item := range items {
		full := fmt.Sprintf("%s[%d]", key, i)
		item = resolve(item)
		if item.Kind != yaml.ScalarNode || item.ShortTag() != "!!str" {
			p.errorf(item, "%s: want a string, got %s (quote a pattern that starts with '*' or '!')", full, describe(item))
			continue
		}
		if err := exclude.Check(item.Value); err != nil {
			p.errorf(item, "%s: %v", full, err)
			continue
		}
		p.cfg.Exclude = append(p.cfg.Exclude, Exclude{Pattern: item.Value, Base: p.dir, Line: item.Line})
	}
}

// entries calls each on every key of the mapping n (key: its name in
// messages) with the key's full name; want describes the mapping for the
// error when n is not one, and a key given twice is an error.
func (p *parser) entries(key string, n *yaml.Node, want string, each func(full string, k, v *yaml.Node)) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want %s, got %s", display(key), want, describe(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		full := join(key, k.Value)
		if prev, dup := seen[k.Value]; dup {
			p.errorf(k, "%s: given twice (first on line %d)", full, prev)
			continue
		}
		seen[k.Value] = k.Line
		each(full, k, v)
	}
}

func (p *parser) rules(key string, n *yaml.Node) {
	p.entries(key, n, "a mapping of rule ids", func(full string, k, v *yaml.Node) {
		r := Rule{ID: k.Value, Line: k.Line}
		if isNull(resolve(v)) {
			p.errorf(k, "%s: empty; set severity or enabled, e.g. {severity: warning}", full)
			return
		}
		p.mapping(full, v, []field{
			{"severity", func(key string, v *yaml.Node) { p.enum(key, v, &r.Severity, nil, "error", "warning", "note") }},
			{"enabled", func(key string, v *yaml.Node) { p.boolean(key, v, &r.Enabled) }},
		})
		p.cfg.Rules = append(p.cfg.Rules, r)
	})
}

// sequence is the items of the list n at key; a null leaves the key unset
// and anything else is an error that says what the key wants.
func (p *parser) sequence(key string, n *yaml.Node, want string) ([]*yaml.Node, bool) {
	n = resolve(n)
	if isNull(n) {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want %s, got %s", key, want, describe(n))
		return nil, false
	}
	return n.Content, true
}

// paths reads a list of paths, relative to the config file's directory.
func (p *parser) paths(key string, n *yaml.Node, what string, dst *[]Path) {
	items, ok := p.sequence(key, n, "a list of "+what)
	if !ok {
		return
	}
	for i, item := range items {
		var s Setting[string]
		p.name(fmt.Sprintf("%s[%d]", key, i), item, &s)
		if !s.Set {
			continue
		}
		path := filepath.FromSlash(s.Value)
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.dir, path)
		}
		*dst = append(*dst, Path{Path: path, Written: s.Value, Line: s.Line})
	}
}

// prometheusValues reads either a list of file names, layered into one
// Prometheus, or a list of {files, release, namespace} objects, one
// Prometheus each. Both in one list is an error: it would be unclear
// whether the names layer over the objects or stand alone.
func (p *parser) prometheusValues(key string, n *yaml.Node) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 || resolve(n.Content[0]).Kind != yaml.MappingNode {
		for i, item := range n.Content {
			if item = resolve(item); n.Kind == yaml.SequenceNode && item.Kind == yaml.MappingNode {
				p.errorf(item, "%s[%d]: a server object in a list of file names; write either file names (layered into one Prometheus) "+
					"or only objects {files: [...], release: ..., namespace: ...} (one Prometheus each)", key, i)
				return
			}
		}
		p.paths(key, n, "values files, or of {files, release, namespace} objects", &p.cfg.PrometheusValues)
		return
	}
	for i, item := range n.Content {
		item = resolve(item)
		full := fmt.Sprintf("%s[%d]", key, i)
		if item.Kind != yaml.MappingNode {
			p.errorf(item, "%s: %s in a list of server objects; write either file names (layered into one Prometheus) "+
				"or only objects {files: [...], release: ..., namespace: ...} (one Prometheus each)", full, describe(item))
			continue
		}
		srv := PrometheusServer{Line: item.Line}
		p.mapping(full, item, []field{
			{"files", func(key string, v *yaml.Node) { p.paths(key, v, "values files", &srv.Files) }},
			{"release", func(key string, v *yaml.Node) { p.dnsName(key, v, 53, &srv.Release) }},
			{"namespace", func(key string, v *yaml.Node) { p.dnsName(key, v, 63, &srv.Namespace) }},
		})
		if len(srv.Files) == 0 {
			p.errorf(item, "%s.files: name at least one values file, e.g. {files: [monitoring/values.yaml]}", full)
			continue
		}
		p.cfg.PrometheusServers = append(p.cfg.PrometheusServers, srv)
	}
}

// dnsLabel is what Kubernetes accepts as a namespace, and Helm as a
// release name without dots. The patterns of this package are compiled when
// first used: most runs, and every render child, use none of them.
var dnsLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`) })

// dnsName reads a lower-case DNS label of at most max characters.
func (p *parser) dnsName(key string, n *yaml.Node, max int, out *Setting[string]) {
	var s Setting[string]
	p.name(key, n, &s)
	if !s.Set {
		return
	}
	if len(s.Value) > max || !dnsLabel().MatchString(s.Value) {
		p.errorf(resolve(n), "%s: %q is not a valid name: use at most %d lower-case letters, digits and '-', starting and ending with a letter or digit", key, s.Value, max)
		return
	}
	*out = s
}

func (p *parser) ignores(key string, n *yaml.Node) {
	items, ok := p.sequence(key, n, "a list of entries")
	if !ok {
		return
	}
	for i, item := range items {
		item = resolve(item)
		full := fmt.Sprintf("%s[%d]", key, i)
		if item.Kind != yaml.MappingNode {
			p.errorf(item, "%s: want a mapping such as {rule: ID, kind: KIND, namespace: NS, name: NAME, reason: WHY}, got %s", full, describe(item))
			continue
		}
		var rule, kind, ns, name, reason, expires Setting[string]
		before := len(p.errs)
		p.mapping(full, item, []field{
			{"rule", func(key string, v *yaml.Node) { p.name(key, v, &rule) }},
			{"kind", func(key string, v *yaml.Node) { p.name(key, v, &kind) }},
			{"namespace", func(key string, v *yaml.Node) { p.name(key, v, &ns) }},
			{"name", func(key string, v *yaml.Node) { p.glob(key, v, &name) }},
			{"reason", func(key string, v *yaml.Node) { p.name(key, v, &reason) }},
			{"expires", func(key string, v *yaml.Node) { p.date(key, v, &expires) }},
		})
		if !rule.Set {
			p.errorf(item, "%s: rule is required", full)
		}
		if !reason.Set || strings.TrimSpace(reason.Value) == "" {
			p.errorf(item, "%s: reason is required: write why the finding is accepted", full)
		}
		if len(p.errs) > before {
			continue
		}
		p.cfg.Ignore = append(p.cfg.Ignore, Ignore{Rule: rule.Value, Kind: kind.Value, Namespace: ns.Value, Name: name.Value,
			Reason: reason.Value, Expires: expires.Value, File: p.file, Line: item.Line, Column: item.Column})
	}
}

// name reads a non-empty string.
func (p *parser) name(key string, n *yaml.Node, out *Setting[string]) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.errorf(n, "%s: want a string, got %s", key, describe(n))
		return
	}
	if strings.TrimSpace(n.Value) == "" {
		p.errorf(n, "%s: must not be empty", key)
		return
	}
	*out = Setting[string]{Value: n.Value, Set: true, Line: n.Line}
}

// enum reads one of the allowed strings, after normalize when given.
func (p *parser) enum(key string, n *yaml.Node, out *Setting[string], normalize func(string) string, allowed ...string) {
	var s Setting[string]
	p.name(key, n, &s)
	if !s.Set {
		return
	}
	if normalize != nil {
		s.Value = normalize(s.Value)
	}
	for _, a := range allowed {
		if s.Value == a {
			*out = s
			return
		}
	}
	p.errorf(resolve(n), "%s: %q is not one of %s", key, resolve(n).Value, strings.Join(allowed, ", "))
}

func (p *parser) boolean(key string, n *yaml.Node, out *Setting[bool]) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		p.errorf(n, "%s: want true or false, got %s", key, describe(n))
		return
	}
	v, err := strconv.ParseBool(n.Value)
	if err != nil {
		p.errorf(n, "%s: want true or false, got %q", key, n.Value)
		return
	}
	*out = Setting[bool]{Value: v, Set: true, Line: n.Line}
}

func (p *parser) glob(key string, n *yaml.Node, out *Setting[string]) {
	var s Setting[string]
	p.name(key, n, &s)
	if !s.Set {
		return
	}
	if _, err := path.Match(s.Value, ""); err != nil {
		p.errorf(resolve(n), "%s: %q is not a valid glob (use * and ? as in shell patterns)", key, s.Value)
		return
	}
	*out = s
}

// date reads YYYY-MM-DD, written plain (a YAML timestamp) or quoted.
func (p *parser) date(key string, n *yaml.Node, out *Setting[string]) {
	n = resolve(n)
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!str" && tag != "!!timestamp") {
		p.errorf(n, "%s: want a date such as 2027-01-31, got %s", key, describe(n))
		return
	}
	if _, err := time.Parse(DateLayout, n.Value); err != nil {
		p.errorf(n, "%s: want a date such as 2027-01-31, got %q", key, n.Value)
		return
	}
	*out = Setting[string]{Value: n.Value, Set: true, Line: n.Line}
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's type for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!str":
			return fmt.Sprintf("string %q", n.Value)
		case "!!bool":
			return "boolean " + n.Value
		case "!!int", "!!float":
			return "number " + n.Value
		case "!!timestamp":
			return "date " + n.Value
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported YAML node"
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func display(key string) string {
	if key == "" {
		return "the file"
	}
	return key
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): `) })

// yamlError splits a yaml.v3 syntax error into its line (1 when it names
// none) and its message.
func yamlError(err error) (int, string) {
	msg := err.Error()
	if m := yamlLine().FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n, msg[len(m[0]):]
		}
	}
	return 1, strings.TrimPrefix(msg, "yaml: ")
}
