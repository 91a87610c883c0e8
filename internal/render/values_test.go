package render

import (
	"reflect"
	"testing"
)

// replacePathValue must give what helm-controller gives: --set parsing by
// default (a comma starts another key), a quoted value as a string, and
// with literal: true the value verbatim.
func TestReplacePathValueAsHelmController(t *testing.T) {
	cases := []struct {
		name, value string
		literal     bool
		want        map[string]any
	}{
		{"literal keeps commas, equals and braces", "a,b=c{d}[0]\\x", true,
			map[string]any{"cfg": map[string]any{"v": "a,b=c{d}[0]\\x"}}},
		{"parsed splits at the comma", "a,b=c", false,
			map[string]any{"cfg": map[string]any{"v": "a"}, "b": "c"}},
		{"parsed types a number", "42", false, map[string]any{"cfg": map[string]any{"v": int64(42)}}},
		{"quoted is a string", `"42"`, false, map[string]any{"cfg": map[string]any{"v": "42"}}},
		{"parsed braces are a list", "{x,y}", false, map[string]any{"cfg": map[string]any{"v": []any{"x", "y"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]any{}
			if err := replacePathValue(got, "cfg.v", c.value, c.literal); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestWithoutUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"https://gitlab-ci-token:glcbt-secret@gitlab.com/g/r.git": "https://gitlab.com/g/r.git",
		"https://x-access-token:ghs_abc@github.com/o/r":           "https://github.com/o/r",
		"https://token@github.com/o/r":                            "https://github.com/o/r",
		"ssh://git@github.com:22/o/r.git":                         "ssh://github.com:22/o/r.git",
		"https://github.com/o/r@v1":                               "https://github.com/o/r@v1",
		"git@github.com:o/r.git":                                  "git@github.com:o/r.git",
		"user:secret@host:o/r.git":                                "host:o/r.git",
	} {
		if got := withoutUserinfo(in); got != want {
			t.Errorf("withoutUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValuesCrossThePipeWithTheirTypes(t *testing.T) {
	in := map[string]any{"i": 3, "i64": int64(-4), "u": uint64(5), "f": 1e6, "s": "x", "b": true, "n": nil,
		"l": []any{map[string]any{"k": "v"}, 2.5}}
	w, err := encodeValue(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeValue(w, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("got %#v, want %#v", out, in)
	}
}
