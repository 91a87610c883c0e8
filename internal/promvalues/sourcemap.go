package promvalues

import (
	"regexp"
	"strings"
)

// sourceMap translates the pointers of the modelled Prometheus CR into the
// values file, so findings land on the key that configures the field, or on
// its nearest parent that the file has.
type sourceMap struct {
	root    map[string]any // the whole values file
	section string         // pointer of the chart's `prometheus:` section
	spec    string         // pointer of `prometheus.prometheusSpec`
	// fields holds spec fields that are not read from prometheusSpec.<field>:
	// those from prometheusSpec.additionalConfig, and selectors the chart
	// made from serviceMonitorSelectorNilUsesHelmValues. Pointers are of the
	// file, as FilePointer returns them.
	fields map[string]string
	// described is how Describe names such fields, when it differs from
	// the field's own path.
	described map[string]string
	// defaults are spec fields that Big Bang's own defaults supply.
	defaults map[string]bool
}

// FilePointer implements loader.SourceMap.
func (m *sourceMap) FilePointer(p string) string {
	path, _ := m.resolve(p)
	return path
}

// Describe implements loader.SourceMap: the dotted values path of the field
// at p, e.g. `monitoring.values.prometheus.prometheusSpec.volumes[0]`.
func (m *sourceMap) Describe(p string) string {
	path, field := m.resolve(p)
	if field != "" {
		if d, ok := m.described[field]; ok {
			return d
		}
	}
	out := dotted(path)
	if field != "" && m.defaults[field] && !exists(m.root, path) {
		out += " (set by Big Bang's defaults)"
	}
	return out
}

// resolve maps a CR pointer to a file pointer, and names the spec field it
// is in ("" outside spec).
func (m *sourceMap) resolve(p string) (string, string) {
	switch {
	case p == "":
		return m.section, ""
	case p == "/spec":
		return m.spec, ""
	case strings.HasPrefix(p, "/spec/"):
		field, rest, _ := strings.Cut(strings.TrimPrefix(p, "/spec/"), "/")
		if rest != "" {
			rest = "/" + rest
		}
		if base, ok := m.fields[field]; ok {
			if strings.HasSuffix(base, "NilUsesHelmValues") {
				return base, field // the chart's selector has no key of its own
			}
			return base + rest, field
		}
		return m.spec + "/" + field + rest, field
	case p == "/metadata/annotations" || strings.HasPrefix(p, "/metadata/annotations/"):
		// prometheus.annotations are the Prometheus CR's own annotations.
		return m.section + "/annotations" + strings.TrimPrefix(p, "/metadata/annotations"), ""
	}
	return m.section, ""
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// dotted renders a JSON pointer the way Helm users write values paths:
// `prometheus.prometheusSpec.volumes[0]`, with keys that are not plain
// identifiers quoted: `annotations["proxy.istio.io/config"]`.
func dotted(pointer string) string {
	if pointer == "" {
		return "(the values file)"
	}
	var b strings.Builder
	for i, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch {
		case tok != "" && strings.Trim(tok, "0123456789") == "":
			b.WriteString("[" + tok + "]")
		case identifier.MatchString(tok):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
		default:
			b.WriteString(`["` + strings.ReplaceAll(tok, `"`, `\"`) + `"]`)
		}
	}
	return b.String()
}

// at returns the value at a JSON pointer of v.
func at(v any, pointer string) (any, bool) {
	if pointer == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i := 0
			for _, c := range tok {
				if c < '0' || c > '9' {
					return nil, false
				}
				i = i*10 + int(c-'0')
				if i > len(x) {
					return nil, false
				}
			}
			if tok == "" || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func exists(v any, pointer string) bool {
	_, ok := at(v, pointer)
	return ok
}
