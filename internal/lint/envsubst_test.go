package lint

import (
	"reflect"
	"testing"
)

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"cluster": "prod", "empty": ""}
	for _, c := range []struct {
		in, out string
		missing []string
	}{
		{"name: ${cluster}-x", "name: prod-x", nil},
		{"mode: ${mode:=STRICT}", "mode: STRICT", nil},
		{"mode: ${empty:-fallback} ${empty:=kept}", "mode: fallback kept", nil},
		{"literal: $${cluster} $cluster", "literal: ${cluster} $cluster", nil},
		{"a: ${region} b: ${zone} c: ${region}", "a: ${region} b: ${zone} c: ${region}", []string{"region", "zone"}},
		{"bad: ${not a var}", "bad: ${not a var}", []string{"${not a var}"}},
	} {
		out, missing := substitute(c.in, vars)
		if out != c.out || !reflect.DeepEqual(missing, c.missing) {
			t.Errorf("substitute(%q) = %q, %v; want %q, %v", c.in, out, missing, c.out, c.missing)
		}
	}
}
