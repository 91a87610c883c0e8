package cli

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/report"
)

// secretValue is a value no output may contain; n makes each one unique.
func secretValue(n int) string { return fmt.Sprintf("zq%dSECRETVALUExv%d", n, n*7) }

// TestSecretValuesNeverPrinted lints Secrets, well formed and broken in
// every way the loader reports, next to an app with a real finding, in every
// format and with --verbose, and greps everything meshlint wrote for the
// Secrets' values (as written and base64-decoded).
func TestSecretValuesNeverPrinted(t *testing.T) {
	dir := t.TempDir()
	var values []string
	next := func() string {
		v := secretValue(len(values))
		values = append(values, v)
		return v
	}
	b64 := func() string {
		v := next()
		return base64.StdEncoding.EncodeToString([]byte(v))
	}
	files := map[string]string{
		"app.yaml": appWith("labels: {}"),
		"secret.yaml": fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\ntype: Opaque\ndata:\n  password: %s\n  token: %s\nstringData:\n  user: %s\n  config.yaml: |\n    key: %s\n",
			b64(), b64(), next(), next()),
		// Items of a List are converted in full, Secrets included.
		"list.yaml": fmt.Sprintf("apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: in-list, namespace: shop}\n    stringData: {password: %s}\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: {bad: %s}}\n    stringData: {password: %s}\n",
			next(), next(), next()),
		"broken-yaml.yaml": fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: broken, namespace: shop}\nstringData:\n  password: \"%s\n  other: [%s\n", next(), next()),
		"bad-escape.yaml":  fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: esc, namespace: shop}\nstringData:\n  password: \"%s\\q\"\n", next()),
		"tab.yaml":         fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: tab, namespace: shop}\nstringData:\n\tpassword: %s\n", next()),
		"duplicate.yaml":   fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: dup, namespace: shop}\nstringData:\n  password: %s\n  password: %s\n", next(), next()),
		"wrong-types.yaml": fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: [%s]\nstringData:\n  password: {nested: %s}\n  list: [%s]\n",
			next(), next(), next()),
		"no-metadata.yaml": fmt.Sprintf("apiVersion: v1\nkind: Secret\nstringData: {password: %s}\n", next()),
		"null-key.yaml":    fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: nk, namespace: shop}\nstringData:\n  ~: %s\n", next()),
		"alias-bomb.yaml": fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: lol, namespace: shop}\nstringData:\n  a: &a [%s, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n  g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
			next()),
		"invalid-utf8.yaml": fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: u, namespace: shop}\nstringData:\n  password: %s\xff\n", next()),
		"line-break.yaml":   fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: lb, namespace: shop}\nstringData:\n  password: \"%s\u2028\"\n", next()),
		// A canary: a value that is not a Secret's does reach the output,
		// which shows the grep below would catch a leak.
		"canary.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: canary, namespace: shop}\nspec:\n  ports: [{port: CANARYzq1xv7}]\n",
		"deep.yaml": fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: deep, namespace: shop}\nstringData:\n  password: %s%s%s\n",
			strings.Repeat("[", 300), next(), strings.Repeat("]", 300)),
	}
	for name, text := range files {
		writeFile(t, dir, name, text)
	}
	reports := filepath.Join(t.TempDir(), "reports")
	if err := os.MkdirAll(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"--verbose", "--show-suppressed", "--fail-on", "none"}
	for _, f := range report.Formats {
		args = append(args, "-f", f, "-o", filepath.Join(reports, "out."+f))
	}
	outputs := map[string]string{}
	r := lintArgs(t, append(args, dir)...)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	outputs["stderr (all formats)"] = r.stderr
	for _, f := range report.Formats {
		b, err := os.ReadFile(filepath.Join(reports, "out."+f))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f] = string(b)
	}
	// Each file on its own too: a lone broken Secret is the whole output.
	for name := range files {
		for _, f := range []string{"text", "json"} {
			r := lintArgs(t, "--verbose", "-f", f, filepath.Join(dir, name))
			outputs[name+" alone, "+f] = r.stdout + r.stderr
		}
	}
	// From standard input as well.
	r = run(t, strings.NewReader(files["secret.yaml"]+"---\n"+files["duplicate.yaml"]), nil, false, "--verbose", "-")
	outputs["stdin"] = r.stdout + r.stderr

	// Every broken Secret was reported (its error path ran), and the
	// canary's value is in every output.
	doc := decode(t, outputs["json"])
	reported := map[string]bool{}
	for _, f := range doc.Findings {
		reported[filepath.Base(f.File)] = true
	}
	for name := range files {
		// A Secret without metadata is no object a cluster holds: skipped,
		// and --verbose names it without its values.
		if want := name != "secret.yaml" && name != "no-metadata.yaml"; reported[name] != want {
			t.Errorf("%s: reported %v, want %v", name, reported[name], want)
		}
	}
	for _, f := range report.Formats {
		if !strings.Contains(outputs[f], "CANARYzq1xv7") {
			t.Errorf("%s output lacks the canary value: the check cannot see values", f)
		}
	}
	for what, out := range outputs {
		for _, v := range values {
			enc := base64.StdEncoding.EncodeToString([]byte(v))
			if strings.Contains(out, v) || strings.Contains(out, enc) || strings.Contains(out, v[:10]) {
				t.Errorf("%s output contains the secret value %s:\n%s", what, v, out)
			}
		}
	}
}

// TestControlCharactersCannotForgeOutput puts an ANSI colour sequence and a
// line feed into resource names and a file name, and checks that the text
// and GitHub formats show them as escapes: one line per finding, and no
// escape character but meshlint's own colours.
func TestControlCharactersCannotForgeOutput(t *testing.T) {
	dir := t.TempDir()
	evil := "\x1b[31mred\nfake.yaml:1:1: error: forged [plaintext-scrape-of-strict-port]"
	yamlEvil := `"\e[31mred\nfake.yaml:1:1: error: forged [plaintext-scrape-of-strict-port]"`
	// A ServiceMonitor whose name carries the sequence, with a finding that
	// names it, and a Service with the name and a broken port.
	app := strings.Replace(appWith("labels: {}"), "kind: ServiceMonitor\nmetadata:\n  name: cart", "kind: ServiceMonitor\nmetadata:\n  name: "+yamlEvil, 1)
	writeFile(t, dir, "app.yaml", app)
	writeFile(t, dir, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: "+yamlEvil+", namespace: shop}\nspec: {ports: \"80\"}\n")
	fileName := "evil\x1b[32m\nname.yaml"
	if err := os.WriteFile(filepath.Join(dir, fileName), []byte("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: 1}\n"), 0o644); err != nil {
		t.Skipf("file system refuses control characters in names: %v", err)
	}

	// JSON carries the names exactly (encoding/json escapes them).
	doc := decode(t, lintArgs(t, "-f", "json", dir).stdout)
	names := 0
	for _, f := range doc.Findings {
		if f.Resource != nil && f.Resource.Name == evil {
			names++
		}
	}
	if names < 2 || len(doc.Findings) != 3 {
		t.Fatalf("want 3 findings, 2 on the evil names; got %s", summarize(doc.Findings))
	}

	for _, c := range []struct {
		format string
		color  bool
	}{{"text", false}, {"text", true}, {"github", false}} {
		r := run(t, nil, nil, c.color, "-f", c.format, "-q", dir)
		out := r.stdout
		own := out
		for _, seq := range []string{"\x1b[0m", "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[2m"} {
			own = strings.ReplaceAll(own, seq, "")
		}
		if strings.ContainsRune(own, '\x1b') {
			t.Errorf("%s (colour %v): an escape character from a manifest reached the output:\n%q", c.format, c.color, out)
		}
		if !c.color && strings.ContainsRune(out, '\x1b') {
			t.Errorf("%s without colour has escape characters:\n%q", c.format, out)
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if strings.HasPrefix(l, "fake.yaml") || strings.HasPrefix(l, "name.yaml") {
				t.Errorf("%s (colour %v): a manifest forged the line %q", c.format, c.color, l)
			}
		}
		// The GitHub format turns line feeds in messages into %0A as the
		// runner requires (GitHub's workflow-command escaping): they cannot end a workflow command.
		nl := `\n`
		if c.format == "github" {
			nl = "%0A"
		}
		if !strings.Contains(out, `\u001b[31mred`+nl+`fake.yaml`) || !strings.Contains(out, `evil\u001b[32m\nname.yaml`) {
			t.Errorf("%s (colour %v): names not shown as escapes:\n%s", c.format, c.color, out)
		}
		// Text: a finding is one line plus its indented related lines.
		if c.format == "text" {
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if !strings.HasPrefix(l, "    ") && !strings.Contains(l, ".yaml:") {
					t.Errorf("text line %q is neither a finding nor a related location", l)
				}
			}
		}
		if c.format == "github" {
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if !strings.HasPrefix(l, "::error file=") {
					t.Errorf("github line %q is not a workflow command", l)
				}
			}
			if strings.Count(out, "\n") != 3 {
				t.Errorf("github: want 3 workflow commands, got:\n%s", out)
			}
		}
	}
}

// TestOutputPathsAreRelative lints by absolute path, from inside and outside
// the working directory, and checks that no output holds an absolute path.
func TestOutputPathsAreRelative(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir() // outside the working directory
	writeFile(t, outside, "app.yaml", appWith("labels: {}"))
	inside, err := filepath.Abs(filepath.Join(malformedRoot, "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	reports := t.TempDir()
	args := []string{"--verbose", "--fail-on", "none"}
	for _, f := range report.Formats {
		args = append(args, "-f", f, "-o", filepath.Join(reports, "out."+f))
	}
	r := lintArgs(t, append(args, outside, inside, filepath.Join(malformedRoot, "cases", "ports-string.yaml"))...)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rootOf := func(p string) string { return filepath.ToSlash(filepath.Dir(filepath.Dir(p))) }
	for _, f := range report.Formats {
		b, err := os.ReadFile(filepath.Join(reports, "out."+f))
		if err != nil {
			t.Fatal(err)
		}
		out := string(b)
		for _, abs := range []string{filepath.ToSlash(outside), filepath.ToSlash(wd), rootOf(inside)} {
			if containsAbsolute(out, abs) {
				t.Errorf("%s output contains the absolute path %s:\n%s", f, abs, out)
			}
		}
		if f == "json" {
			doc := decode(t, out)
			files := map[string]bool{}
			for _, fd := range doc.Findings {
				files[fd.File] = true
				for _, rel := range fd.Related {
					files[rel.File] = true
				}
			}
			relOutside, _ := filepath.Rel(wd, filepath.Join(outside, "app.yaml"))
			for _, want := range []string{filepath.ToSlash(relOutside), "../../testdata/malformed/good.yaml", "../../testdata/malformed/cases/ports-string.yaml"} {
				if !files[want] {
					t.Errorf("json has no finding in %s; files %v", want, files)
				}
			}
			for file := range files {
				if filepath.IsAbs(file) || strings.HasPrefix(file, "/") {
					t.Errorf("absolute file %s", file)
				}
			}
			if !strings.HasPrefix(filepath.ToSlash(relOutside), "../") {
				t.Errorf("the outside directory %s should be a ../ path", relOutside)
			}
		}
	}
	if containsAbsolute(r.stderr, filepath.ToSlash(outside)) {
		t.Errorf("stderr contains an absolute path:\n%s", r.stderr)
	}
}

// containsAbsolute reports whether out holds the absolute path abs other
// than as the tail of a relative "../../abs" path.
func containsAbsolute(out, abs string) bool {
	for i := 0; ; {
		j := strings.Index(out[i:], abs)
		if j < 0 {
			return false
		}
		if at := i + j; at == 0 || out[at-1] != '.' {
			return true
		}
		i += j + 1
	}
}
