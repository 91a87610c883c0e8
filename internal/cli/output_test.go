package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// hostileNames are file and resource names a pull request can choose:
// terminal escapes, bidi overrides, zero-width characters, GitHub workflow
// commands and line breaks.
var hostileNames = []string{
	"\x1b[2J\x1b[31mred",
	"admin\u202e\u2066lmay",
	"ca\u200d\u200brt\ufeff",
	"::error file=x::pwned",
	"::add-mask::secret",
	"  ::stop-commands::tok",
	"x##[error]legacy",
	"line\nforged",
	"\u00a0::warning::nbsp",
}

// checkLogSafe fails when a line of out holds a raw control, bidi or
// invisible character (a tab indents and hides nothing), bytes that are not UTF-8, or a GitHub workflow
// command that is not one of meshlint's own (ours: how those lines start).
func checkLogSafe(t *testing.T, what, out string, ours ...string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s is not UTF-8: %q", what, out)
	}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		for _, r := range line {
			if (unicode.IsControl(r) && r != '\t') || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
				t.Errorf("%s line %d holds raw %U: %q", what, i+1, r, line)
				break
			}
		}
		if strings.Contains(line, "##[") {
			t.Errorf("%s line %d holds a legacy workflow command: %q", what, i+1, line)
		}
		mine := false
		for _, prefix := range ours {
			mine = mine || strings.HasPrefix(line, prefix)
		}
		if strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") && !mine {
			t.Errorf("%s line %d is a workflow command: %q", what, i+1, line)
		}
	}
}

// TestHostileNamesAreEscapedInEveryLog lints a tree whose file names and
// resource names are hostile, in text and github format with --verbose,
// and checks every line meshlint writes to stdout and stderr.
func TestHostileNamesAreEscapedInEveryLog(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // file names start the lines of the text format
	for i, name := range hostileNames {
		// A broken file: its name is in the invalid-manifest finding.
		writeFile(t, dir, name+".yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n")
		// Resources named with the same characters (quoted for YAML), in
		// a finding's message.
		q := yamlQuote(name)
		app := strings.ReplaceAll(appWith("labels: {}"), "shop", fmt.Sprintf("shop%d", i))
		for _, field := range []string{"metadata: {name: cart,", "metadata:\n  name: cart\n"} {
			app = strings.ReplaceAll(app, field, strings.Replace(field, "cart", q, 1))
		}
		writeFile(t, dir, fmt.Sprintf("apps/%d.yaml", i), app)
	}
	for _, format := range []string{"text", "github"} {
		r := lintArgs(t, "--verbose", "--show-suppressed", "-f", format, ".")
		if r.code != ExitFindings {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		for _, name := range hostileNames {
			// A name with "::" is harmless inside a line (checkLogSafe
			// checks line starts); one with a hidden character is not.
			if strings.ContainsFunc(name, unicode.IsControl) || strings.ContainsFunc(name, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) ||
				strings.Contains(name, "##[") {
				if strings.Contains(r.stdout, name) || strings.Contains(r.stderr, name) {
					t.Errorf("%s: %q reached the output raw", format, name)
				}
			}
		}
		var ours []string
		if format == "github" {
			ours = []string{"::error file=", "::warning file=", "::notice file="}
		}
		checkLogSafe(t, format+" stdout", r.stdout, ours...)
		checkLogSafe(t, format+" stderr", r.stderr)
		for _, want := range []string{`\u001b[2J`, `admin\u202e\u2066lmay`, `\::error file=x::pwned`, `##\[error]`} {
			if !strings.Contains(r.stdout, want) && !strings.Contains(r.stdout, strings.ReplaceAll(strings.ReplaceAll(want, ":", "%3A"), ",", "%2C")) {
				t.Errorf("%s: the escaped name %s is missing from the output:\n%s", format, want, r.stdout)
			}
		}
	}
}

// yamlQuote writes s as a YAML double-quoted scalar.
func yamlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20 || r > 0x7e:
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestPolicyErrorsAreEscaped: a Rego parse error quotes the policy's file
// name and source line, both from the pull request; neither may start a
// workflow command or carry a raw escape on stderr.
func TestPolicyErrorsAreEscaped(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "app.yaml", appWith("labels: {}"))
	writeFile(t, dir, "pol/::error::\x1b[31mx\u202e.rego", "package meshlint.rules.x\n\n::add-mask::secret(\n")
	r := lintArgs(t, "--policy", "pol", "app.yaml")
	if r.code != ExitError || !strings.Contains(r.stderr, "rego_parse_error") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	checkLogSafe(t, "stderr", r.stderr)
	if !strings.Contains(r.stderr, `\u001b[31mx\u202e.rego`) {
		t.Errorf("the policy's file name is not shown escaped:\n%s", r.stderr)
	}
}

func TestPrintErrorIndentsAndEscapesEveryLine(t *testing.T) {
	var b strings.Builder
	printError(&b, errors.New("parse policy: 1 error occurred:\nx.rego:3: bad\n\t::add-mask::s\nmeshlint: 0 errors\x1b[2K"))
	want := "meshlint: parse policy: 1 error occurred:\n  x.rego:3: bad\n\t\\::add-mask::s\n  meshlint: 0 errors\\u001b[2K\n"
	if b.String() != want {
		t.Errorf("printError wrote\n%q, want\n%q", b.String(), want)
	}
}
