package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sanitize makes text from the input (file names, resource names, messages
// that quote manifest values, parse errors) safe to print in a terminal or a
// CI log, where a pull request's author controls every byte of it:
//
//   - control characters (ESC sequences that recolour or rewrite the
//     terminal, line breaks that forge whole lines) become \n, \r, \t or
//     \u001b;
//   - characters that are invisible or reorder what is shown become \uXXXX
//     (\UXXXXXXXX above the BMP): every format character (Unicode category
//     Cf: the bidi controls U+061C, U+200E, U+200F, U+202A-U+202E,
//     U+2066-U+2069 of "Trojan Source", the zero-width U+200B-U+200D,
//     U+2060 and U+FEFF, the soft hyphen, the tag characters), the line and
//     paragraph separators U+2028 and U+2029, variation selectors and the
//     other default-ignorable code points (Hangul fillers). There is no
//     exception: an emoji's zero-width joiner or presentation selector is
//     escaped too, because the same characters hide text elsewhere;
//   - a byte that is not UTF-8 becomes \xNN, so no terminal reads it as a
//     C1 control (0x9b is CSI on 8-bit terminals);
//   - GitHub Actions workflow commands are broken up: "##[" (the runner's
//     legacy command prefix, recognised anywhere in a line) becomes ##\[, and
//     a leading "::" (a command such as ::error or ::add-mask:: once the
//     runner trims leading white space) becomes \::, so a file named
//     "::error file=x::pwned.yaml" cannot start a command in a log line.
//
// Ordinary text (printable characters in any script) is returned unchanged.
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case hidden(r) && r > 0xFFFF:
			fmt.Fprintf(&b, `\U%08x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return breakCommands(b.String())
}

// isPlain reports whether s has nothing Sanitize would change.
func isPlain(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || hidden(r) {
			return false
		}
		i += size
	}
	return !strings.Contains(s, "##[") && !startsWithCommand(s)
}

// hidden reports whether a character does not show as itself: a control
// character, or one that is invisible or changes how its neighbours show.
func hidden(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0xa0:
		return r >= 0x80 // C1 controls
	case r < 0xad:
		return false // fast path for Latin-1
	}
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp,
		unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// startsWithCommand reports whether s, once leading white space is trimmed
// as the Actions runner trims a log line (.NET char.IsWhiteSpace, the same
// set as unicode.IsSpace), starts a workflow command.
func startsWithCommand(s string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(s, unicode.IsSpace), "::")
}

// breakCommands escapes what the Actions runner would read as a workflow
// command in an escaped string.
func breakCommands(s string) string {
	return escapeLeadingCommand(strings.ReplaceAll(s, "##[", `##\[`))
}

// escapeLeadingCommand writes a leading "::" as \:: so the line it starts
// is no workflow command.
func escapeLeadingCommand(s string) string {
	if !startsWithCommand(s) {
		return s
	}
	trimmed := strings.TrimLeftFunc(s, unicode.IsSpace)
	return s[:len(s)-len(trimmed)] + `\` + trimmed
}
