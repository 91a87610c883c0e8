package graph

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// LabelSelector is a Kubernetes metav1.LabelSelector. A nil *LabelSelector is
// the null selector (matches nothing); a non-nil selector with no terms is the
// empty selector (matches everything). The two differ, and the Prometheus
// Operator relies on the difference (docs/model.md#label-selectors,
// docs/model.md#monitor-selection).
type LabelSelector struct {
	MatchLabels      map[string]string
	MatchExpressions []Requirement
}

// Requirement is one matchExpressions term.
type Requirement struct {
	Key      string
	Operator string // In, NotIn, Exists, DoesNotExist
	Values   []string
}

// Matches applies the selector to a set of labels.
func (s *LabelSelector) Matches(labels map[string]string) bool {
	if s == nil {
		return false
	}
	for k, v := range s.MatchLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	for _, r := range s.MatchExpressions {
		if !r.matches(labels) {
			return false
		}
	}
	return true
}

// selectorMatch is how a monitor's spec.selector matches an object.
type selectorMatch int

const (
	noMatch selectorMatch = iota
	// regexMatch: the object matches only when matchLabels values are read
	// as regular expressions, as the operator's relabeling does.
	regexMatch
	// exactMatch: the object matches whichever way the operator selects.
	exactMatch
)

// monitorSelectorMatch is the one matcher of a ServiceMonitor's or
// PodMonitor's spec.selector against an object's labels
// (docs/model.md#servicemonitor-selector). How the operator applies it
// depends on the monitor's spec.selectorMechanism (prometheus-operator
// pkg/apis/monitoring/v1 servicemonitor_types.go, podmonitor_types.go): by
// default (RelabelConfig) it turns matchLabels into keep relabelings whose
// regex is the value, anchored at both ends (pkg/prometheus/promcfg.go),
// so a value with metacharacters matches more than its literal text; with
// RoleSelector it hands the selector to Kubernetes service discovery, which
// compares exactly. The graph does not read that field, so the answer says
// which: an exact match holds either way, a regex match only under
// relabeling.
// Each reader takes the side that keeps it from false alarms: the targets a
// finding is about are the exact matches, and a monitor "selects nothing"
// only when not even the regex reading matches. matchExpressions keep their
// Kubernetes meaning.
//
// LabelSelector.Matches is the Kubernetes semantics alone, for the
// selectors the API machinery applies: a Prometheus's monitor and
// namespace selectors.
func monitorSelectorMatch(s *LabelSelector, labels map[string]string) selectorMatch {
	if s == nil {
		return noMatch
	}
	for _, r := range s.MatchExpressions {
		if !r.matches(labels) {
			return noMatch
		}
	}
	m := exactMatch
	for k, v := range s.MatchLabels {
		got, ok := labels[k]
		switch {
		case !ok:
			return noMatch
		case got == v:
		case isLiteral(v):
			return noMatch
		default:
			if re := anchoredRegexp(v); re == nil || !re.MatchString(got) {
				return noMatch
			}
			m = regexMatch
		}
	}
	return m
}

// isLiteral reports whether a matchLabels value, read as a regular
// expression, matches its own text and nothing else.
func isLiteral(v string) bool { return regexp.QuoteMeta(v) == v }

// compiledSelectorValues caches anchoredRegexp: a crowded namespace compares
// every monitor's values with every object's labels, so each value is
// compiled once.
var compiledSelectorValues sync.Map // value → *regexp.Regexp, or nil when it does not compile

// anchoredRegexp is v as the operator's relabeling uses it, anchored at
// both ends; nil when v is not a valid regular expression.
func anchoredRegexp(v string) *regexp.Regexp {
	if re, ok := compiledSelectorValues.Load(v); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile("^(?:" + v + ")$")
	if err != nil {
		re = nil
	}
	compiledSelectorValues.Store(v, re)
	return re
}

func (r Requirement) matches(labels map[string]string) bool {
	v, has := labels[r.Key]
	switch r.Operator {
	case "In":
		return has && slices.Contains(r.Values, v)
	case "NotIn":
		// Objects without the key match NotIn (Kubernetes label semantics).
		return !has || !slices.Contains(r.Values, v)
	case "Exists":
		return has
	case "DoesNotExist":
		return !has
	}
	return false
}

// IsEmpty reports whether the selector selects everything.
func (s *LabelSelector) IsEmpty() bool {
	return s != nil && len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0
}

// String renders the selector the way kubectl does, for messages.
func (s *LabelSelector) String() string {
	if s == nil {
		return "<null>"
	}
	var parts []string
	for _, k := range sortedKeys(s.MatchLabels) {
		parts = append(parts, k+"="+s.MatchLabels[k])
	}
	for _, r := range s.MatchExpressions {
		switch r.Operator {
		case "Exists":
			parts = append(parts, r.Key)
		case "DoesNotExist":
			parts = append(parts, "!"+r.Key)
		default:
			parts = append(parts, fmt.Sprintf("%s %s (%s)", r.Key, strings.ToLower(r.Operator), strings.Join(r.Values, ",")))
		}
	}
	if len(parts) == 0 {
		return "{} (everything)"
	}
	return strings.Join(parts, ",")
}

// parseLabelSelector reads a metav1.LabelSelector. A missing or null value
// gives nil. A value of the wrong shape is a fieldError at the offending
// field, since the API server would reject the object.
func parseLabelSelector(v any, pointer string) (*LabelSelector, *fieldError) {
	return readLabelSelector(v, pointer, labelMap)
}

// readLabelSelector is parseLabelSelector with labels reading matchLabels.
func readLabelSelector(v any, pointer string, labels func(any, string) (map[string]string, *fieldError)) (*LabelSelector, *fieldError) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &fieldError{pointer, "label selector is not a mapping"}
	}
	sel := &LabelSelector{}
	if ml, exists := m["matchLabels"]; exists && ml != nil {
		labels, err := labels(ml, pointer+"/matchLabels")
		if err != nil {
			return nil, err
		}
		sel.MatchLabels = labels
	}
	if me, exists := m["matchExpressions"]; exists && me != nil {
		list, ok := me.([]any)
		if !ok {
			return nil, &fieldError{pointer + "/matchExpressions", "matchExpressions is not a list"}
		}
		for i, item := range list {
			p := fmt.Sprintf("%s/matchExpressions/%d", pointer, i)
			im, ok := item.(map[string]any)
			if !ok {
				return nil, &fieldError{p, "matchExpressions item is not a mapping"}
			}
			key, _ := im["key"].(string)
			op, _ := im["operator"].(string)
			if key == "" {
				return nil, &fieldError{p, "matchExpressions item has no key"}
			}
			if err := labelKeyBound(key, p+"/key"); err != nil {
				return nil, err
			}
			r := Requirement{Key: key, Operator: op}
			switch op {
			case "In", "NotIn", "Exists", "DoesNotExist":
			default:
				return nil, &fieldError{p + "/operator", fmt.Sprintf("unknown selector operator %q (want In, NotIn, Exists or DoesNotExist)", op)}
			}
			if vals, exists := im["values"]; exists && vals != nil {
				vl, ok := vals.([]any)
				if !ok {
					return nil, &fieldError{p + "/values", "values is not a list"}
				}
				for j, x := range vl {
					v := scalarString(x)
					if len(v) > maxLabelValue {
						return nil, tooLong(fmt.Sprintf("%s/values/%d", p, j), "a selector value", len(v), maxLabelValue)
					}
					r.Values = append(r.Values, v)
				}
			}
			sel.MatchExpressions = append(sel.MatchExpressions, r)
		}
	}
	return sel, nil
}

// stringMap reads a map[string]string such as labels or a Service selector.
// Values that YAML typed as numbers or booleans are read as their text, as
// the API server would refuse them but the intent is clear.
func stringMap(v any, pointer string) (map[string]string, *fieldError) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &fieldError{pointer, "expected a mapping of strings"}
	}
	out := make(map[string]string, len(m))
	bad, found := "", false
	for k, val := range m {
		switch val.(type) {
		case map[string]any, []any:
			// The first bad key in sorted order, not in map order: the
			// report must not change from run to run.
			if !found || k < bad {
				bad, found = k, true
			}
			continue
		}
		out[k] = scalarString(val)
	}
	if found {
		return nil, &fieldError{pointer + "/" + escape(bad), fmt.Sprintf("value of %q is not a string", bad)}
	}
	return out, nil
}

// subsetOf reports whether every key/value of sel is in labels: the Istio
// WorkloadSelector and the Service selector semantics.
func subsetOf(sel, labels map[string]string) bool {
	for k, v := range sel {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
