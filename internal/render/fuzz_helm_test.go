package render

import (
	"regexp"
	"strings"
	"testing"
)

// bigNumber is a number large enough to make a template bomb (repeat,
// until, indent): in process such a bomb kills the fuzzer the way it would
// kill meshlint, which is why charts render in a child under budgets
// (TestTemplateBombsHitABudget); the fuzzer looks for everything else.
var bigNumber = regexp.MustCompile(`[0-9]{6,}|[0-9][eE][0-9]`)

// FuzzRenderRequest feeds the sandboxed renderer's inputs to it in
// process: the protocol decoder gets arbitrary bytes, and a chart gets an
// arbitrary template and values.yaml. Neither may panic, and a rendering
// never ends in an internal error (a recovered panic in Helm or meshlint).
func FuzzRenderRequest(f *testing.F) {
	f.Add([]byte(`{"Dir":"/c","Values":{"t":"map","m":{"a":{"t":"int64","s":"1"}}}}`),
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n", "name: x\n")
	f.Add([]byte(`{"Values":{"t":"list"}}`), "{{ include \"x\" . }}", "a: [1, 2")
	f.Add([]byte(`{}`), "{{ .Files.Get \"values.yaml\" | fromYaml | toJson }}", "{a: {b: c}}")
	f.Add([]byte(`{"Values":{"t":"float64","s":"NaN"}}`), "{{ range $k, $v := .Values }}{{ $k }}: {{ $v }}\n{{ end }}", "k: .nan\n")
	f.Fuzz(func(t *testing.T, request []byte, template, values string) {
		if req, vals, err := decodeRequest(request); err == nil && (req.Dir == "" || vals == nil) {
			_ = req // a request the parent never sends still decodes without a panic
		}
		if bigNumber.MatchString(template + values) {
			t.Skip("a number big enough to be a bomb")
		}
		req := childRequest{Dir: "/repo/chart", WorkDir: "/repo", Release: "r", Namespace: "ns", MaxOutput: 1 << 20,
			Files: []wireFile{
				{Name: "Chart.yaml", Data: []byte("apiVersion: v2\nname: fuzz\nversion: 0.1.0\n")},
				{Name: "values.yaml", Data: []byte(values)},
				{Name: "templates/t.yaml", Data: []byte(template)},
			}}
		resp := renderRequest(req, map[string]any{})
		for _, f := range resp.Findings {
			if strings.Contains(f.Message, "internal error") {
				t.Fatalf("internal error: %s", f.Message)
			}
		}
	})
}
