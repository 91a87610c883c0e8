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
	firstLine    int // for a duplicate key: the line of the first one, relative like Line
	key          string
}

func (e *ValueError) Error() string { return e.Message }

// messageAt is the message for a document whose first line is offset+1 in
// its file: the lines it names are file lines.
func (e *ValueError) messageAt(offset int) string {
	if e.firstLine > 0 {
		return duplicateKeyMessage(e.key, e.firstLine+offset)
	}
	return e.Message
}

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
		return nil, &ValueError{Line: n.Line, Column: n.Column, Message: nodeLimitMessage(c.maxNodes)}
	}
	if depth > c.maxDepth {
		return nil, &ValueError{Line: n.Line, Column: n.Column, Message: depthLimitMessage(c.maxDepth)}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, &ValueError{Line: n.Line, Column: n.Column, Message: "alias to an unknown anchor"}
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
	return nil, &ValueError{Line: n.Line, Column: n.Column, Message: "unsupported YAML node"}
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
			return nil, duplicateKeyError(k, key, first)
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
				return nil, &ValueError{Line: src.Line, Column: src.Column, Message: "merge key (<<) must refer to a mapping"}
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

// checkShape enforces MaxDepth and MaxNodes on a document that is not
// converted, with the converter's messages. It counts the nodes an alias
// expands to without expanding it (each anchored node is measured once), so
// a billion-laughs document costs the size of its text.
func checkShape(n *yaml.Node, limits Limits) *ValueError {
	s := shapeChecker{limits: limits, measured: map[*yaml.Node]shape{}}
	s.measure(n, 0)
	return s.err
}

// shape is what an anchored node expands to: its node count (saturated at
// MaxNodes+1) and its height.
type shape struct{ nodes, height int }

type shapeChecker struct {
	limits   Limits
	measured map[*yaml.Node]shape
	err      *ValueError
}

func (s *shapeChecker) measure(n *yaml.Node, depth int) shape {
	if s.err != nil {
		return shape{}
	}
	if depth > s.limits.MaxDepth {
		s.err = &ValueError{Line: n.Line, Column: n.Column, Message: depthLimitMessage(s.limits.MaxDepth)}
		return shape{}
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return shape{1, 0}
		}
		a := s.measure(n.Alias, depth+1)
		return shape{a.nodes, a.height + 1}
	}
	if sh, ok := s.measured[n]; ok {
		if sh.nodes < 0 { // an alias inside its own anchor
			s.err = &ValueError{Line: n.Line, Column: n.Column, Message: "alias refers to the node that contains it"}
			return shape{}
		}
		if depth+sh.height > s.limits.MaxDepth {
			s.err = &ValueError{Line: n.Line, Column: n.Column, Message: depthLimitMessage(s.limits.MaxDepth)}
		}
		return sh
	}
	if n.Anchor != "" {
		s.measured[n] = shape{-1, 0}
	}
	if n.Kind == yaml.MappingNode {
		if s.err = checkKeys(n); s.err != nil {
			return shape{}
		}
	}
	total := shape{1, 0}
	for _, c := range n.Content {
		cs := s.measure(c, depth+1)
		if s.err != nil {
			return shape{}
		}
		total.nodes = min(total.nodes+cs.nodes, s.limits.MaxNodes+1)
		total.height = max(total.height, cs.height+1)
	}
	if total.nodes > s.limits.MaxNodes {
		s.err = &ValueError{Line: n.Line, Column: n.Column, Message: nodeLimitMessage(s.limits.MaxNodes)}
		return shape{}
	}
	if n.Anchor != "" {
		s.measured[n] = total
	}
	return total
}

// checkKeys reports the first key of a mapping that the API server would
// refuse: one that is not a scalar, null, or a duplicate. The converter
// checks the same while converting.
func checkKeys(n *yaml.Node) *ValueError {
	// Most mappings are small: compare pairwise without allocating.
	var small [8]struct {
		key  string
		node *yaml.Node
	}
	count := 0
	var seen map[string]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			continue
		}
		key, err := keyString(k)
		if err != nil {
			return err.(*ValueError)
		}
		if seen == nil && count < len(small) {
			for _, prev := range small[:count] {
				if prev.key == key {
					return duplicateKeyError(k, key, prev.node)
				}
			}
			small[count].key, small[count].node = key, k
			count++
			continue
		}
		if seen == nil {
			seen = make(map[string]*yaml.Node, len(n.Content)/2)
			for _, prev := range small[:count] {
				seen[prev.key] = prev.node
			}
		}
		if first, dup := seen[key]; dup {
			return duplicateKeyError(k, key, first)
		}
		seen[key] = k
	}
	return nil
}

func duplicateKeyError(k *yaml.Node, key string, first *yaml.Node) *ValueError {
	return &ValueError{Line: k.Line, Column: k.Column, Message: duplicateKeyMessage(key, first.Line), firstLine: first.Line, key: key}
}

func duplicateKeyMessage(key string, firstLine int) string {
	return fmt.Sprintf("duplicate key %q (first defined at line %d); the API server rejects it and tools disagree on which value wins", key, firstLine)
}

// keyString renders a mapping key as the string the API server would see.
func keyString(k *yaml.Node) (string, error) {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", &ValueError{Line: k.Line, Column: k.Column, Message: "mapping key is not a scalar; Kubernetes objects only have string keys"}
	}
	if k.Tag == "!!null" {
		return "", &ValueError{Line: k.Line, Column: k.Column, Message: "mapping key is null"}
	}
	return keyText(k), nil
}

// keyText is a scalar key's text as the API server sees it: the YAML-to-JSON
// conversion of kubectl (sigs.k8s.io/yaml) writes an integer key such as
// 8080, 0x1F90 or 8_080 as its decimal text, "8080". Other keys are their
// text as written.
func keyText(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!int" {
		var i int64
		if err := k.Decode(&i); err == nil {
			return strconv.FormatInt(i, 10)
		}
	}
	return k.Value
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
