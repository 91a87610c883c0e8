package render

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/meshlint/meshlint/internal/finding"
)

// The sandboxed renderer receives a chart and its values on stdin and
// answers on stdout, both JSON. Values cross the pipe tagged with their Go
// type: plain JSON would turn the int64 of a --set value into a float64,
// and a template printing it, or testing it with typeIs, would render
// differently in the child than Helm renders it.

// childRequest is one chart to render.
type childRequest struct {
	Dir         string     // the chart directory, for the paths findings show
	WorkDir     string     // findings' paths are relative to it
	Files       []wireFile // the chart's files, relative to Dir, as Helm's loader takes them
	FileDeps    wireChart  // the chart's file:// dependencies that charts/ does not vendor (Deps, Refused)
	Values      wireValue  // user values, merged over the chart's values.yaml
	ValuesFiles []wireFile // HelmRelease valuesFiles (display path, content), replacing values.yaml
	Release     string
	Namespace   string
	MaxOutput   int64 // bytes the rendered templates may hold together
	Limits      childLimits
}

// wireFile is a file's name and content.
type wireFile struct {
	Name string
	Data []byte
}

// childResponse is what rendering a chart produced.
type childResponse struct {
	Name      string
	Release   string
	ChartFile string
	Outputs   []wireOutput
	Findings  []finding.Problem
	// Over names the budget the rendering exceeded ("output"), "" when none.
	Over string
}

// wireOutput is one template's rendered text.
type wireOutput struct {
	Key, File, Text string
	Lines           []int
}

// wireValue is a Helm value with its Go type.
type wireValue struct {
	T string               `json:"t"` // map, list, string, int, int64, uint64, float64, bool, null
	S string               `json:"s,omitempty"`
	B bool                 `json:"b,omitempty"`
	L []wireValue          `json:"l,omitempty"`
	M map[string]wireValue `json:"m,omitempty"`
}

// encodeValue tags a value tree; a type Helm values never hold is an error.
func encodeValue(v any) (wireValue, error) {
	switch c := v.(type) {
	case nil:
		return wireValue{T: "null"}, nil
	case map[string]any:
		return encodeMap(c)
	case chartutil.Values:
		return encodeMap(c)
	case []any:
		out := wireValue{T: "list", L: make([]wireValue, len(c))}
		for i, e := range c {
			w, err := encodeValue(e)
			if err != nil {
				return wireValue{}, err
			}
			out.L[i] = w
		}
		return out, nil
	case string:
		return wireValue{T: "string", S: c}, nil
	case bool:
		return wireValue{T: "bool", B: c}, nil
	case int:
		return wireValue{T: "int", S: strconv.FormatInt(int64(c), 10)}, nil
	case int64:
		return wireValue{T: "int64", S: strconv.FormatInt(c, 10)}, nil
	case uint64:
		return wireValue{T: "uint64", S: strconv.FormatUint(c, 10)}, nil
	case float64:
		return wireValue{T: "float64", S: strconv.FormatFloat(c, 'g', -1, 64)}, nil
	}
	return wireValue{}, fmt.Errorf("a value of type %T cannot be passed to the renderer", v)
}

func encodeMap(m map[string]any) (wireValue, error) {
	out := wireValue{T: "map", M: make(map[string]wireValue, len(m))}
	for k, e := range m {
		w, err := encodeValue(e)
		if err != nil {
			return wireValue{}, err
		}
		out.M[k] = w
	}
	return out, nil
}

// maxValueDepth bounds the nesting of a decoded value, so that a request
// cannot exhaust the stack of whoever decodes it.
const maxValueDepth = 10000

// decodeValue rebuilds the value tree encodeValue tagged.
func decodeValue(w wireValue, depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("values nested deeper than %d levels", maxValueDepth)
	}
	switch w.T {
	case "null":
		return nil, nil
	case "map":
		out := make(map[string]any, len(w.M))
		for k, e := range w.M {
			v, err := decodeValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case "list":
		out := make([]any, len(w.L))
		for i, e := range w.L {
			v, err := decodeValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case "string":
		return w.S, nil
	case "bool":
		return w.B, nil
	case "int":
		n, err := strconv.ParseInt(w.S, 10, 64)
		if err != nil || n < math.MinInt || n > math.MaxInt {
			return nil, fmt.Errorf("bad int value %q", w.S)
		}
		return int(n), nil
	case "int64":
		n, err := strconv.ParseInt(w.S, 10, 64)
		return n, err
	case "uint64":
		n, err := strconv.ParseUint(w.S, 10, 64)
		return n, err
	case "float64":
		f, err := strconv.ParseFloat(w.S, 64)
		return f, err
	}
	return nil, fmt.Errorf("unknown value type %q", w.T)
}

// decodeRequest reads a request and its values.
func decodeRequest(data []byte) (childRequest, map[string]any, error) {
	var req childRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return req, nil, fmt.Errorf("decode render request: %w", err)
	}
	v, err := decodeValue(req.Values, 0)
	if err != nil {
		return req, nil, fmt.Errorf("decode render request values: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return req, nil, fmt.Errorf("decode render request values: not a map")
	}
	if m == nil {
		m = map[string]any{}
	}
	return req, m, nil
}
