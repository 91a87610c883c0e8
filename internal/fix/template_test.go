package fix

import (
	"strings"
	"testing"
)

// TestTemplateEditsFollowLiteralLines: edits of a Helm-rendered object move
// to the template lines that wrote them, shifted by the indentation those
// lines have there, and are offered only; an edit on a line an action wrote
// leaves the fix described only.
func TestTemplateEditsFollowLiteralLines(t *testing.T) {
	rendered := "kind: ServiceMonitor\nmetadata: {name: m}\nspec:\n  endpoints:\n    - port: metrics\n      scheme: http\n"
	literal := "kind: ServiceMonitor\nmetadata: {name: {{ .Release.Name }}}\nspec:\n  endpoints:\n{{- range .Values.ports }}\n      - port: metrics\n        scheme: http\n{{- end }}\n"
	action := strings.Replace(literal, "scheme: http", "scheme: {{ .Values.scheme }}", 1)
	lines := []int{0, 1, 2, 3, 4, 6, 7} // rendered line -> template line
	prom := []Prom{{Name: "monitoring/k8s", CertDir: "/etc/prom-certs/"}}
	for _, c := range []struct {
		name, template, want string
	}{
		{"literal lines, indented two more", literal,
			"kind: ServiceMonitor\nmetadata: {name: {{ .Release.Name }}}\nspec:\n  endpoints:\n{{- range .Values.ports }}\n      - port: metrics\n        scheme: https\n        tlsConfig:\n          caFile: /etc/prom-certs/root-cert.pem\n          certFile: /etc/prom-certs/cert-chain.pem\n          keyFile: /etc/prom-certs/key.pem\n          insecureSkipVerify: true\n{{- end }}\n"},
		{"scheme from an action", action, ""},
	} {
		tg := Target{Rule: "plaintext-scrape-of-strict-port", Pointer: "/spec/endpoints/0", DocStart: 1, Rendered: true,
			Kind: "ServiceMonitor", Name: "m", Hint: Hint{Prometheuses: prom},
			Template: &Template{Text: []byte(rendered), Line: func(l int) int { return lines[l] }}}
		fs := ForFile(Parse("t.yaml", []byte(c.template)), []Target{tg})[0]
		if len(fs) != 1 || fs[0].Default || fs[0].NotDefault == "" {
			t.Fatalf("%s: want one offered fix with why: %+v", c.name, fs)
		}
		if c.want == "" {
			if len(fs[0].Edits) != 0 {
				t.Errorf("%s: edits of a template action: %+v", c.name, fs[0].Edits)
			}
			continue
		}
		out, err := Apply([]byte(c.template), fs[0].Edits)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != c.want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, out, c.want)
		}
		if fs[0].Edits[0].File != "t.yaml" {
			t.Errorf("%s: edit of %s, not the template", c.name, fs[0].Edits[0].File)
		}
	}
}

func TestShiftIndent(t *testing.T) {
	if got, ok := shiftIndent("a\n  b\n", 2, false); !ok || got != "a\n    b\n" {
		t.Errorf("+2: %q %v", got, ok)
	}
	if got, ok := shiftIndent("  a\n    b\n", -2, true); !ok || got != "a\n  b\n" {
		t.Errorf("-2 from the line start: %q %v", got, ok)
	}
	if _, ok := shiftIndent(" a\n", -2, true); ok {
		t.Error("a line losing more spaces than it has was shifted")
	}
}
