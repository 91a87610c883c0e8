package render

import (
	"fmt"
	"strings"
	"testing"
)

func TestMapLines(t *testing.T) {
	tests := []struct {
		name     string
		template string
		rendered string
		want     []int
	}{
		{
			name:     "literal lines map to themselves",
			template: "a: 1\nb: 2\n",
			rendered: "a: 1\nb: 2\n",
			want:     []int{1, 2, 2}, // the empty line after the last newline maps to the line before
		},
		{
			name:     "values fill in a line",
			template: "kind: ServiceMonitor\nmetadata:\n  name: {{ .Release.Name }}-metrics\nspec:\n  scheme: {{ .Values.scheme }}\n",
			rendered: "kind: ServiceMonitor\nmetadata:\n  name: shop-metrics\nspec:\n  scheme: http\n",
			want:     []int{1, 2, 3, 4, 5, 5},
		},
		{
			name:     "control lines write nothing",
			template: "{{- if .Values.on }}\nkind: Service\n{{- with .Values.x }}\nx: {{ . }}\n{{- end }}\nspec: {}\n{{- end }}\n",
			rendered: "\nkind: Service\nx: 1\nspec: {}\n",
			want:     []int{2, 2, 4, 6, 6},
		},
		{
			name:     "a block written by an action maps to the action's line",
			template: "metadata:\n  labels:\n    {{- include \"labels\" . | nindent 4 }}\nspec:\n  port: 9090\n",
			rendered: "metadata:\n  labels:\n    app: shop\n    tier: api\nspec:\n  port: 9090\n",
			want:     []int{1, 2, 3, 3, 4, 5, 5},
		},
		{
			name:     "toYaml between literal lines",
			template: "endpoints:\n  - port: http\n    tlsConfig:\n      {{- toYaml .Values.tls | nindent 6 }}\n    path: /metrics\n",
			rendered: "endpoints:\n  - port: http\n    tlsConfig:\n      caFile: /a\n      keyFile: /b\n    path: /metrics\n",
			want:     []int{1, 2, 3, 4, 4, 5, 5},
		},
		{
			name:     "a range repeats its body; later passes map to the body",
			template: "ports:\n{{- range .Values.ports }}\n  - port: {{ . }}\n{{- end }}\nend: true\n",
			rendered: "ports:\n  - port: 1\n  - port: 2\nend: true\n",
			want:     []int{1, 3, 3, 5, 5},
		},
		{
			name:     "a multi-line comment is blank",
			template: "{{/*\n a: 1\n*/}}\na: 1\n",
			rendered: "\na: 1\n",
			want:     []int{4, 4, 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mapLines(tt.template, tt.rendered)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("mapLines = %v, want %v", got, tt.want)
			}
		})
	}
}

// A huge rendering falls back to the greedy alignment, which still never
// maps a line backwards.
func TestMapLinesLarge(t *testing.T) {
	tmpl := "items:\n{{- range .Values.items }}\n  - name: {{ .name }}\n    value: {{ .value }}\n{{- end }}\ntail: true\n"
	var b strings.Builder
	b.WriteString("items:\n")
	for i := 0; i < 600000; i++ {
		fmt.Fprintf(&b, "  - name: n%d\n    value: v%d\n", i, i)
	}
	b.WriteString("tail: true\n")
	got := mapLines(tmpl, b.String())
	prev := 0
	for i, l := range got {
		if l < 1 || l > 7 {
			t.Fatalf("line %d maps to %d, outside the template", i+1, l)
		}
		if l < prev && l != 3 && l != 4 {
			t.Fatalf("line %d maps back to %d after %d", i+1, l, prev)
		}
		prev = l
	}
	if got[len(got)-2] != 6 {
		t.Errorf("tail maps to %d, want 6", got[len(got)-2])
	}
}
