package loader

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// ValueError is a problem in a document's content that yaml.v3 accepts but a
// Kubernetes API server would not (duplicate keys, unsupported keys) or that
// would make meshlint do unbounded work (alias bombs, deep nesting). Line and
// Column are relative to the document's own text.
type ValueError struct {
	Line, Column int
	Message      string
}

func (e *ValueError) Error() string { return e.Message }

// converter turns yaml.v3 nodes into the JSON-like values that Rego and the
// graph read: map[string]any, []any, string, int64, float64, bool and nil.
// Map keys are always strings, the way sigs.k8s.io/yaml and the API server
// see them; yaml.v3's own Decode would produce map[any]any for integer keys
// such as portLevelMtls ports, which OPA cannot convert.
type converter struct {
	budget   int // remaining nodes we may visit; bounds alias expansion
	maxNodes int
	maxDepth int
}

func newConverter(limits Limits) *converter {
	return &converter{budget: limits.MaxNodes, maxNodes: limits.MaxNodes, maxDepth: limits.MaxDepth}
}

func (c *converter) convert(n *yaml.Node, depth int) (any, error) {
	c.budget--
	if c.budget < 0 {
		return nil, &ValueError{n.Line, n.Column, fmt.Sprintf("document expands to more than %d YAML nodes (an alias bomb?); limit --max-nodes", c.maxNodes)}
	}
	if depth > c.maxDepth {
		return nil, &ValueError{n.Line, n.Column, fmt.Sprintf("document is nested deeper than %d levels; limit --max-depth", c.maxDepth)}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, &ValueError{n.Line, n.Column, "alias to an unknown anchor"}
		}
		return c.convert(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, &ValueError{n.Line, n.Column, "unsupported YAML node"}
}

func (c *converter) mapping(n *yaml.Node, depth int) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key, err := keyString(k)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[key]; dup {
			return nil, &ValueError{k.Line, k.Column, fmt.Sprintf("duplicate key %q (first defined at line %d); the API server rejects it and tools disagree on which value wins", key, first.Line)}
		}
		seen[key] = k
		val, err := c.convert(v, depth+1)
		if err != nil {
			return nil, err
		}
		out[key] = val
	}
	// Merge keys (<<) fill in keys the mapping does not set itself, in order.
	for _, m := range merges {
		sources := []*yaml.Node{m}
		target := m
		if target.Kind == yaml.AliasNode && target.Alias != nil {
			target = target.Alias
		}
		if target.Kind == yaml.SequenceNode {
			sources = target.Content
		}
		for _, src := range sources {
			v, err := c.convert(src, depth+1)
			if err != nil {
				return nil, err
			}
			mv, ok := v.(map[string]any)
			if !ok {
				return nil, &ValueError{src.Line, src.Column, "merge key (<<) must refer to a mapping"}
			}
			for k, val := range mv {
				if _, set := out[k]; !set {
					out[k] = val
				}
			}
		}
	}
	return out, nil
}

// keyString renders a mapping key as the string the API server would see.
func keyString(k *yaml.Node) (string, error) {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", &ValueError{k.Line, k.Column, "mapping key is not a scalar; Kubernetes objects only have string keys"}
	}
	if k.Tag == "!!null" {
		return "", &ValueError{k.Line, k.Column, "mapping key is null"}
	}
	return k.Value, nil
}

func scalarValue(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return n.Value, nil
		}
		return b, nil
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return i, nil
		}
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		var f float64
		if err := n.Decode(&f); err == nil {
			return f, nil
		}
		return n.Value, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			// JSON has no Inf or NaN; keep the text so nothing downstream breaks.
			return n.Value, nil
		}
		return f, nil
	case "!!timestamp", "!!str", "!!binary":
		return n.Value, nil
	}
	return n.Value, nil
}
