package graph

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/loader"
)

// fieldError is a field whose type or value the API server would reject and
// that a rule needs; it becomes an invalid-manifest finding at the field.
type fieldError struct {
	Pointer string
	Message string
}

func escape(s string) string { return loader.EscapePointerToken(s) }

// dig is loader.Dig under the short name this package reads.
func dig(v any, keys ...string) any { return loader.Dig(v, keys...) }

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// scalarString renders a scalar the way YAML wrote it.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// IntOrString is a Kubernetes IntOrString: a port number or a port name.
type IntOrString struct {
	Set    bool
	IsName bool
	Num    int
	Name   string
}

func (p IntOrString) String() string {
	if p.IsName {
		return p.Name
	}
	return strconv.Itoa(p.Num)
}

// parseIntOrString reads a port given as a number or a name. A string of
// digits is a number, as the API server's IntOrString unmarshalling treats
// quoted numbers in YAML only when they come from JSON numbers; in practice
// `targetPort: "9090"` in YAML is a string, which Kubernetes looks up as a
// port name. We follow Kubernetes: quoted digits are a name.
func parseIntOrString(v any, pointer string) (IntOrString, *fieldError) {
	switch x := v.(type) {
	case nil:
		return IntOrString{}, nil
	case int64:
		return IntOrString{Set: true, Num: int(x)}, nil
	case float64:
		if x == float64(int(x)) {
			return IntOrString{Set: true, Num: int(x)}, nil
		}
	case string:
		if x == "" {
			return IntOrString{}, nil
		}
		return IntOrString{Set: true, IsName: true, Name: x}, nil
	}
	return IntOrString{}, &fieldError{pointer, "expected a port number or name"}
}

// parsePortNumber reads a field that must be a port number.
func parsePortNumber(v any, pointer string) (int, *fieldError) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		if x < 1 || x > 65535 {
			return 0, &fieldError{pointer, fmt.Sprintf("port %d is out of range 1-65535", x)}
		}
		return int(x), nil
	case float64:
		if x == float64(int(x)) && x >= 1 && x <= 65535 {
			return int(x), nil
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil && n >= 1 && n <= 65535 {
			return n, nil
		}
	}
	return 0, &fieldError{pointer, fmt.Sprintf("expected a port number, got %v", v)}
}

// listAt reads an optional list field; a value of another type is an error.
func listAt(obj map[string]any, key, pointer string) ([]any, *fieldError) {
	v, exists := obj[key]
	if !exists || v == nil {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, &fieldError{pointer + "/" + key, key + " is not a list"}
	}
	return l, nil
}

// mapAt reads an optional mapping field; a value of another type is an error.
func mapAt(obj map[string]any, key, pointer string) (map[string]any, *fieldError) {
	v, exists := obj[key]
	if !exists || v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &fieldError{pointer + "/" + key, key + " is not a mapping"}
	}
	return m, nil
}

// boolAt reads an optional boolean. Strings "true"/"false" are accepted as
// the intent is clear; anything else is an error.
func boolAt(obj map[string]any, key, pointer string) (value, set bool, err *fieldError) {
	v, exists := obj[key]
	if !exists || v == nil {
		return false, false, nil
	}
	switch x := v.(type) {
	case bool:
		return x, true, nil
	case string:
		if b, perr := strconv.ParseBool(x); perr == nil {
			return b, true, nil
		}
	}
	return false, false, &fieldError{pointer + "/" + key, key + " is not a boolean"}
}

// stringAt reads an optional string field; scalars of other types are
// rendered as text, collections are an error.
func stringAt(obj map[string]any, key, pointer string) (string, *fieldError) {
	v, exists := obj[key]
	if !exists || v == nil {
		return "", nil
	}
	switch v.(type) {
	case map[string]any, []any:
		return "", &fieldError{pointer + "/" + key, key + " is not a string"}
	}
	return scalarString(v), nil
}
