package promvalues

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/loader"
)

// isTemplate reports whether a value is a Go template that Helm would
// render (kube-prometheus-stack passes podMetadata and additionalConfig
// through `tpl`); meshlint cannot know what it renders to.
func isTemplate(s string) bool { return strings.Contains(s, "{{") }

func quoteTemplate(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

// filter decides which map entries of a value are checked for templates.
type filter func(key string) bool

func all(string) bool { return true }

// onlyIstio keeps the pod metadata that meshlint's rules read: Istio's
// labels and annotations, prometheus.io ones, and meshlint's suppressions.
// A template in any other annotation changes nothing meshlint checks.
func onlyIstio(key string) bool {
	if isTemplate(key) {
		return true
	}
	for _, p := range []string{"istio.io/", ".istio.io/", "prometheus.io/", "ignore.meshlint.io/"} {
		if strings.HasPrefix(key, p) || strings.Contains(key, p) {
			return true
		}
	}
	return false
}

// checkTemplates reports templates in the spec fields read from the file.
func (b *builder) checkTemplates(spec map[string]any, sm *sourceMap) {
	for _, field := range slices.Sorted(maps.Keys(spec)) {
		if _, derived := sm.described[field]; derived {
			continue // made by the chart from a switch, not read from the file
		}
		ptr := sm.FilePointer("/spec/" + field)
		if !exists(b.root, ptr) {
			continue // a default, not the user's
		}
		if field == "podMetadata" {
			if m, ok := spec[field].(map[string]any); ok {
				for _, k := range slices.Sorted(maps.Keys(m)) {
					f := all
					if k == "labels" || k == "annotations" {
						f = onlyIstio
					}
					if exists(b.root, ptr+"/"+loader.EscapePointerToken(k)) {
						b.templatesIn(m[k], ptr+"/"+loader.EscapePointerToken(k), f)
					}
				}
				continue
			}
		}
		b.templatesIn(spec[field], ptr, all)
	}
}

// templatesIn reports the first template in v, at pointer of the file; in
// mappings, only the entries keep accepts.
func (b *builder) templatesIn(v any, pointer string, keep filter) {
	switch x := v.(type) {
	case string:
		if isTemplate(x) {
			b.cannot(pointer, fmt.Sprintf("is a Helm template (%s), which meshlint does not render", quoteTemplate(x)))
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if !keep(k) {
				continue
			}
			p := pointer + "/" + loader.EscapePointerToken(k)
			if isTemplate(k) {
				b.cannot(p, "has a Helm template as its key, which meshlint does not render")
				continue
			}
			if exists(b.root, p) {
				b.templatesIn(x[k], p, all)
			}
		}
	case []any:
		for i, item := range x {
			b.templatesIn(item, fmt.Sprintf("%s/%d", pointer, i), all)
		}
	}
}

// mentionsModelled reports whether a template string may set a field
// meshlint reads.
func mentionsModelled(s string) bool {
	for _, f := range append(append([]string{}, modelled...), "serviceMonitor", "podMonitor") {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}
