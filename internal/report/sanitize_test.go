package report

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Ordinary text in any script is left alone.
		{"deploy/shop/cart.yaml", "deploy/shop/cart.yaml"},
		{"port 8080 -> 9090: ns/name, 100%", "port 8080 -> 9090: ns/name, 100%"},
		{"Überwachung 監視 ñ café", "Überwachung 監視 ñ café"},
		{"a::b", "a::b"},
		// Control characters.
		{"a\x1b[31mred", `a\u001b[31mred`},
		{"line\nforged", `line\nforged`},
		{"a\r\tb", `a\r\tb`},
		{"nul\x00", `nul\u0000`},
		{"c1\u009bx", `c1\u009bx`},
		{"del\x7f", `del\u007f`},
		// Bidi controls (Trojan Source).
		{"admin\u202e\u2066txt.yaml", `admin\u202e\u2066txt.yaml`},
		{"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2067\u2068\u2069", `\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2067\u2068\u2069`},
		// Zero-width and other invisible characters.
		{"ca\u200brt", `ca\u200brt`},
		{"\u200c\u200d\u2060\ufeff", `\u200c\u200d\u2060\ufeff`},
		{"soft\u00adhyphen", `soft\u00adhyphen`},
		{"tag\U000e0041", `tag\U000e0041`},
		{"sep\u2028\u2029", `sep\u2028\u2029`},
		{"vs\ufe0f filler\u3164", `vs\ufe0f filler\u3164`},
		// Bytes that are not UTF-8.
		{"bad\xff\x9bx", `bad\xff\x9bx`},
		// Workflow commands.
		{"::error file=x::pwned.yaml", `\::error file=x::pwned.yaml`},
		{"  ::add-mask::secret", `  \::add-mask::secret`},
		{"\u00a0::stop-commands::tok", "\u00a0" + `\::stop-commands::tok`},
		{"x ##[error]pwned", `x ##\[error]pwned`},
		{"\u200b::error::x", `\u200b::error::x`},
	} {
		if got := Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestSanitizeLeavesNothingHidden: what Sanitize returns has nothing left
// that it would escape again.
func TestSanitizeLeavesNothingHidden(t *testing.T) {
	in := "\x1b]0;title\x07\u202e\u200d\xfe::error::x\n::add-mask::y ##[warning]z"
	out := Sanitize(in)
	if !isPlain(out) {
		t.Errorf("Sanitize(%q) = %q still holds something hidden or a command", in, out)
	}
	if strings.Contains(out, "\n") || strings.Contains(out, "##[") {
		t.Errorf("Sanitize(%q) = %q", in, out)
	}
}
