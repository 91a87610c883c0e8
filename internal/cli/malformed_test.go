package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// The malformed-input suite. Each case is one broken or hostile input (a
// file under testdata/malformed/cases, or one the case builds in a temporary
// directory when it is too big or too odd to commit), linted in process
// together with testdata/malformed/good.yaml, whose one real finding must
// survive whatever the other input holds. A case states where its finding
// lands (file and line) and what it says, or, for files that are not
// manifests, the reason --verbose gives for skipping them.
const (
	malformedRoot = "../../testdata/malformed"
	goodFile      = malformedRoot + "/good.yaml"
)

// goodFinding is good.yaml's finding.
var goodFinding = regexp.MustCompile(`^endpoint 0 scrapes over http, but the port it reaches is STRICT .*\[plaintext-scrape-of-strict-port\]$`)

type malformedCase struct {
	name string
	// file is the case's input under testdata/malformed/cases; setup builds
	// it instead, returning the path to lint (or "-") and extra flags.
	file  string
	setup func(t *testing.T, dir string) (path string, args []string)
	stdin func() io.Reader
	// inside is the file the finding names, within the directory setup
	// returned; "" when it is the path itself.
	inside string

	line    int    // the finding's line in the case's file
	want    string // regexp over "message [rule]"
	skipped string // instead of a finding: regexp over the --verbose skip reason
	exit    int    // expected exit code (--fail-on none makes findings exit 0)
	// also are further findings "line: regexp" in the same file.
	also []string
}

func (c malformedCase) title() string {
	if c.file != "" {
		return c.file
	}
	return c.name
}

func malformedCases() []malformedCase {
	im := func(msg string) string { return msg + `.* \[invalid-manifest\]$` }
	graphField := func(kindName, msg string) string {
		return regexp.QuoteMeta(kindName) + ": " + msg + `; meshlint cannot check it until this is fixed \[invalid-manifest\]$`
	}
	return []malformedCase{
		// Invalid YAML at many places.
		{file: "yaml-unclosed-quote.yaml", line: 4, want: im(`^invalid YAML: found unexpected end of stream`)},
		{file: "yaml-bad-indent.yaml", line: 5, want: im(`^invalid YAML: mapping values are not allowed in this context`)},
		{file: "yaml-unclosed-flow.yaml", line: 6, want: im(`^invalid YAML: did not find expected ',' or '}'`)},
		{file: "yaml-second-document.yaml", line: 12, want: im(`^invalid YAML: did not find expected key`)},
		{file: "yaml-last-line.yaml", line: 9, want: im(`^invalid YAML: did not find expected node content`)},
		{file: "yaml-unknown-anchor.yaml", line: 6, want: im(`^invalid YAML: unknown anchor 'nope' referenced`)},
		{file: "yaml-stray-document-end.yaml", line: 5, want: im(`^invalid YAML: mapping values are not allowed`)},
		{file: "json-truncated.json", line: 2, want: im(`^invalid YAML: did not find expected ',' or '\]'`)},
		{file: "scalar-document.yaml", line: 5, want: im(`^document is not a mapping, so it is not a Kubernetes object`)},
		// Tabs.
		{file: "tab-indentation.yaml", line: 4, want: im(`^invalid YAML: found character that cannot start any token \(a tab character: YAML indentation must use spaces\)`)},
		{file: "tab-in-sequence.yaml", line: 8, want: im(`^invalid YAML: found character that cannot start any token`)},
		// Duplicate keys, merge keys.
		{file: "duplicate-key-top.yaml", line: 6, want: im(`^duplicate key "kind" \(first defined at line 2\)`)},
		{file: "duplicate-key-nested.yaml", line: 9, want: im(`^duplicate key "app" \(first defined at line 8\)`)},
		{file: "duplicate-key-quoted.yaml", line: 8, want: im(`^duplicate key "8080" \(first defined at line 7\)`)},
		{file: "duplicate-key-other-kind.yaml", line: 7, want: im(`^duplicate key "a" \(first defined at line 5\)`)},
		{file: "merge-key-valid.yaml", line: 44, want: `^endpoint 0 scrapes over http, but the port it reaches is STRICT \(PeerAuthentication mal/default.*\[plaintext-scrape-of-strict-port\]$`,
			also: []string{`47: ^endpoint 1 scrapes over http, but the port it reaches is STRICT .*\[plaintext-scrape-of-strict-port\]$`}},
		{file: "merge-key-scalar.yaml", line: 7, want: im(`^merge key \(<<\) must refer to a mapping`)},
		{file: "merge-key-list-of-scalars.yaml", line: 7, want: im(`^merge key \(<<\) must refer to a mapping`)},
		// Wrong types in the fields rules read; null everywhere.
		{file: "metadata-list.yaml", line: 3, want: im(`^metadata is not a mapping`)},
		{file: "metadata-null.yaml", line: 1, want: im(`^object has no metadata`)},
		// A kind no rule reads, without metadata: a tool's file, listed by line.
		{file: "metadata-missing-other-kind.yaml", skipped: `^:1: ConfigMap \(apiVersion "v1"\) has no metadata: `},
		{file: "name-mapping.yaml", line: 3, want: im(`^metadata.name is missing or not a string`)},
		{file: "namespace-list.yaml", line: 5, want: im(`^metadata.namespace is not a string`)},
		{file: "labels-list.yaml", line: 6, want: im(`^metadata.labels is not a mapping`)},
		{file: "label-value-mapping.yaml", line: 7, want: im(`^metadata.labels\["app"\] is not a string \(quote it\)`)},
		{file: "apiversion-number.yaml", line: 1, want: im(`^object has no apiVersion, or it is not a string`)},
		{file: "kind-mapping.yaml", line: 1, want: im(`^document has an empty apiVersion or kind`)},
		{file: "ports-string.yaml", line: 8, want: graphField("Service mal/api", "ports is not a list")},
		{file: "port-string.yaml", line: 10, want: graphField("Service mal/api", "expected a port number, got http")},
		{file: "port-object.yaml", line: 10, want: graphField("Service mal/api", `expected a port number, got map\[number:80\]`)},
		{file: "port-item-scalar.yaml", line: 9, want: graphField("Service mal/api", "Service port is not a mapping")},
		{file: "target-port-list.yaml", line: 10, want: graphField("Service mal/api", "expected a port number or name")},
		{file: "service-selector-list.yaml", line: 7, want: graphField("Service mal/api", "expected a mapping of strings")},
		{file: "json-wrong-types.json", line: 5, want: graphField("Service mal/api", "ports is not a list")},
		{file: "container-port-string.yaml", line: 11, want: graphField("Deployment mal/api", "expected a port number, got metrics")},
		{file: "containers-mapping.yaml", line: 7, want: graphField("Deployment mal/api", "containers is not a list")},
		{file: "template-list.yaml", line: 5, want: graphField("Deployment mal/api", "pod template is not a mapping")},
		{file: "pod-labels-list.yaml", line: 7, want: graphField("Deployment mal/api", "expected a mapping of strings")},
		{file: "host-network-string.yaml", line: 5, want: graphField("Pod mal/api", "hostNetwork is not a boolean")},
		{file: "monitor-selector-list.yaml", line: 5, want: graphField("ServiceMonitor mal/api", "label selector is not a mapping")},
		{file: "monitor-endpoints-mapping.yaml", line: 6, want: graphField("ServiceMonitor mal/api", "endpoints is not a list")},
		{file: "monitor-endpoint-string.yaml", line: 7, want: graphField("ServiceMonitor mal/api", "endpoint is not a mapping")},
		{file: "monitor-match-expressions-mapping.yaml", line: 6, want: graphField("ServiceMonitor mal/api", "matchExpressions is not a list")},
		{file: "monitor-unknown-operator.yaml", line: 7, want: graphField("ServiceMonitor mal/api", `unknown selector operator "Like" \(want In, NotIn, Exists or DoesNotExist\)`)},
		{file: "monitor-tlsconfig-list.yaml", line: 9, want: graphField("ServiceMonitor mal/api", "tlsConfig is not a mapping")},
		{file: "podmonitor-endpoints-string.yaml", line: 6, want: graphField("PodMonitor mal/api", "podMetricsEndpoints is not a list")},
		{file: "prometheus-selector-list.yaml", line: 5, want: graphField("Prometheus mal/k8s", "label selector is not a mapping")},
		{file: "peerauth-portlevel-list.yaml", line: 6, want: graphField("PeerAuthentication mal/pa", "portLevelMtls is not a mapping")},
		{file: "peerauth-portlevel-bad-key.yaml", line: 7, want: `portLevelMtls key "80a" is not a port number 1-65535.*\[invalid-peer-authentication\]$`},
		{file: "peerauth-portlevel-out-of-range.yaml", line: 7, want: `portLevelMtls key "70000" is not a port number 1-65535.*\[invalid-peer-authentication\]$`},
		{file: "peerauth-mtls-string.yaml", line: 5, want: graphField("PeerAuthentication mal/pa", "mtls is not a mapping")},
		{file: "peerauth-mode-number.yaml", line: 6, want: graphField("PeerAuthentication mal/pa", "mTLS mode is not a string")},
		{file: "peerauth-mode-lowercase.yaml", line: 6, want: `mTLS mode "strict" must be upper case \(STRICT\).*\[invalid-peer-authentication\]$`},
		{file: "peerauth-matchlabels-list.yaml", line: 6, want: graphField("PeerAuthentication mal/pa", "expected a mapping of strings")},
		{file: "namespace-labels-list.yaml", line: 5, want: im(`^metadata.labels is not a mapping`)},
		// Every null is read as absent; only the null list item is wrong.
		{file: "null-everywhere.yaml", line: 52, want: graphField("Pod mal/broken", "container port is not a mapping")},
		{file: "list-items-mapping.yaml", line: 3, want: im(`^List items is not a list`)},
		{file: "list-item-scalar.yaml", line: 7, want: im(`^List item is not an object`)},
		// Non-string keys.
		{file: "key-mapping.yaml", line: 7, want: im(`^mapping key is not a scalar; Kubernetes objects only have string keys`)},
		{file: "key-list.yaml", line: 7, want: im(`^mapping key is not a scalar`)},
		{file: "key-null.yaml", line: 7, want: im(`^mapping key is null`)},
		{file: "key-null-other-kind.yaml", line: 5, want: im(`^mapping key is not a scalar`)},
		{file: "key-mapping-secret.yaml", line: 5, want: im(`^mapping key is not a scalar`)},
		// Alias bombs: bounded by the node budget whatever the kind.
		{file: "alias-bomb.yaml", line: 11, want: im(`^document expands to more than the limit of 1000000 YAML nodes once aliases are expanded \(an alias bomb\?\); --max-nodes raises it`)},
		{file: "alias-bomb-monitor.yaml", line: 13, want: im(`^document expands to more than the limit of 1000000 YAML nodes .*--max-nodes raises it`)},
		{file: "alias-merge-bomb.yaml", line: 59, want: im(`^document expands to more than the limit of 1000000 YAML nodes .*--max-nodes raises it`)},
		// Binary, invalid UTF-8, odd line breaks.
		{file: "binary.yaml", line: 1, want: im(`^file contains NUL bytes: it is binary, not YAML or JSON`)},
		{file: "utf16.yaml", line: 1, want: im(`^file contains NUL bytes`)},
		{file: "invalid-utf8.yaml", line: 4, want: im(`^file is not valid UTF-8`)},
		{file: "line-separator.yaml", line: 6, want: im(`^file contains U\+2028 \(LINE SEPARATOR\), which YAML reads as a line break but editors do not`)},
		{file: "lone-cr.yaml", line: 7, want: graphField("Service mal/api", "ports is not a list")},
		// Empty, comment-only, ---only: not manifests, skipped (README.md, "Usage").
		{file: "empty.yaml", skipped: `^no YAML documents$`},
		{file: "comment-only.yaml", skipped: `^no YAML documents$`},
		{file: "separators-only.yaml", skipped: `^no YAML documents$`},
		{file: "whitespace-only.yaml", skipped: `^no YAML documents$`},
		{file: "document-is-list.yaml", skipped: `^not a Kubernetes manifest`},

		// Generated: sizes and counts.
		{name: "huge-file-over-default-limit", line: 1, want: im(`^file is larger than the limit of 67108864 bytes; --max-file-size raises it`),
			setup: func(t *testing.T, dir string) (string, []string) {
				// A sparse 1 GiB file: reported from its size, never read.
				p := filepath.Join(dir, "huge.yaml")
				f, err := os.Create(p)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := f.Truncate(1 << 30); err != nil {
					t.Fatal(err)
				}
				return p, nil
			}},
		{name: "large-file-over-flag-limit", line: 1, want: im(`^file is larger than the limit of 1000000 bytes; --max-file-size raises it`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "large.yaml", manyConfigMaps(20000)), []string{"--max-file-size", "1000000"}
			}},
		{name: "large-file-read-to-the-end", line: 4*10000 + 44, want: `^endpoint 0 scrapes over http.*\[plaintext-scrape-of-strict-port\]$`,
			setup: func(t *testing.T, dir string) (string, []string) {
				// 10,000 ConfigMaps (about 700 kB) before an app with a finding.
				return writeFile(t, dir, "large.yaml", manyConfigMaps(10000)+malApp("")), nil
			}},
		{name: "very-long-line", line: 44, want: `^endpoint 0 scrapes over http.*\[plaintext-scrape-of-strict-port\]$`,
			// Kubernetes bounds annotations to 256 KiB: the Namespace is left out, the rest is linted.
			also: []string{`5: ^Namespace mal: the annotations' total size \(keys and values\) is 4194308 bytes long; Kubernetes allows at most 262144.*\[invalid-manifest\]$`},
			setup: func(t *testing.T, dir string) (string, []string) {
				// A 4 MB annotation on one line of the Namespace.
				return writeFile(t, dir, "long.yaml", malApp("note: "+strings.Repeat("x", 4<<20))), nil
			}},
		{name: "very-long-line-invalid", line: 4, want: im(`^invalid YAML: found unexpected end of stream`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "long.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: \""+strings.Repeat("x", 1<<20)+"\n"), nil
			}},
		{name: "very-long-line-of-brackets", line: 4, want: im(`^document is nested deeper than the limit of 200 levels \(and than 10000`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "long.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: {a: "+strings.Repeat("[", 1<<20)+"\n"), nil
			}},
		{name: "tens-of-thousands-of-documents", line: 4*20000 + 4, want: graphField("Service mal/api", "ports is not a list"),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "many.yaml", manyConfigMaps(20000)+"apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: mal}\nspec: {ports: \"80\"}\n"), nil
			}},
		// The finding is on the "---" that starts the first document over the limit.
		{name: "documents-over-flag-limit", line: 4 * 1000, want: im(`^file holds more than the limit of 1000 YAML documents; --max-documents raises it`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "many.yaml", manyConfigMaps(1001)), []string{"--max-documents", "1000"}
			}},
		{name: "documents-over-default-limit", line: 100001 + 4*100000, want: im(`^file holds more than the limit of 100000 YAML documents; --max-documents raises it`),
			setup: func(t *testing.T, dir string) (string, []string) {
				// Empty documents do not count: only the ConfigMaps do.
				return writeFile(t, dir, "separators.yaml", strings.Repeat("---\n", 100001)+manyConfigMaps(100001)), nil
			}},
		// Deep nesting.
		// The finding is on the key whose value is one level too deep.
		{name: "deep-nesting-read-kind", line: 4 + 200, want: im(`^document is nested deeper than the limit of 200 levels; --max-depth raises it`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "deep.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: mal}\nspec:\n"+nested(300, 1)), nil
			}},
		{name: "deep-nesting-other-kind", line: 5, want: im(`^document is nested deeper than the limit of 200 levels; --max-depth raises it`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "deep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: mal}\ndata:\n  a: "+
					strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+"\n"), nil
			}},
		{name: "deep-nesting-flag", line: 4 + 50, want: im(`^document is nested deeper than the limit of 50 levels; --max-depth raises it`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "deep.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: mal}\nspec:\n"+nested(60, 1)), []string{"--max-depth", "50"}
			}},
		{name: "deeper-than-yaml-parser", line: 5, want: im(`^document is nested deeper than the limit of 200 levels \(and than 10000, the most the YAML parser reads\); --max-depth raises the first`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "deep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: mal}\ndata:\n  a: "+
					strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+"\n"), nil
			}},
		{name: "alias-bomb-under-flag-limit", line: 7, want: im(`^document expands to more than the limit of 100 YAML nodes .*--max-nodes raises it`),
			setup: func(t *testing.T, dir string) (string, []string) {
				return writeFile(t, dir, "aliases.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: mal}\ndata:\n"+
					"  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a]\n  c: [*b, *b, *b]\n"), []string{"--max-nodes", "100"}
			}},

		// Generated: the file system.
		{name: "directory-named-x.yaml", inside: "svc.yaml", line: 8, want: graphField("Service mal/api", "ports is not a list"),
			setup: func(t *testing.T, dir string) (string, []string) {
				writeFile(t, dir, "x.yaml/svc.yaml", readCase(t, "ports-string.yaml"))
				return filepath.Join(dir, "x.yaml"), nil
			}},
		{name: "directory-named-x.yaml-in-a-tree", line: 8, want: graphField("Service mal/api", "ports is not a list"),
			setup: func(t *testing.T, dir string) (string, []string) {
				writeFile(t, dir, "tree/x.yaml/svc.yaml", readCase(t, "ports-string.yaml"))
				return filepath.Join(dir, "tree", "x.yaml", "svc.yaml"), nil
			}},
		{name: "symlink-loop", inside: "a.yaml", skipped: `^symbolic link that cannot be followed \(too many levels of symbolic links\)$`,
			setup: func(t *testing.T, dir string) (string, []string) {
				symlink(t, "b.yaml", filepath.Join(dir, "a.yaml"))
				symlink(t, "a.yaml", filepath.Join(dir, "b.yaml"))
				symlink(t, ".", filepath.Join(dir, "self")) // a directory loop: not followed
				return dir, nil
			}},
		{name: "symlink-dangling", inside: "link.yaml", skipped: `^symbolic link that cannot be followed \(no such file or directory\)$`,
			setup: func(t *testing.T, dir string) (string, []string) {
				symlink(t, "gone.yaml", filepath.Join(dir, "link.yaml"))
				return dir, nil
			}},
		// Found by walking a directory: a finding (a typed path exits 2, TestTypedPathUnreadable).
		{name: "unreadable-file", inside: "locked.yaml", line: 1, want: im(`^cannot read file: permission denied`),
			setup: func(t *testing.T, dir string) (string, []string) {
				p := writeFile(t, dir, "locked.yaml", readCase(t, "ports-string.yaml"))
				lock(t, p)
				return dir, nil
			}},
		{name: "unreadable-directory", inside: "locked", line: 1, want: im(`^cannot read: permission denied`),
			setup: func(t *testing.T, dir string) (string, []string) {
				writeFile(t, dir, "locked/svc.yaml", readCase(t, "ports-string.yaml"))
				lock(t, filepath.Join(dir, "locked"))
				return dir, nil
			}},

		// Standard input.
		{name: "stdin-closed-early", line: 4, want: im(`^cannot read standard input: unexpected EOF \(after 48 bytes, in line 4\); nothing from it was linted`),
			setup: stdinPath, stdin: func() io.Reader {
				return io.MultiReader(strings.NewReader("apiVersion: v1\nkind: Service\nmetadata:\n  name: a"), errReader{io.ErrUnexpectedEOF})
			}},
		{name: "stdin-truncated-manifest", line: 4, want: im(`^invalid YAML: found unexpected end of stream`),
			setup: stdinPath, stdin: func() io.Reader {
				return strings.NewReader("apiVersion: v1\nkind: Service\nmetadata:\n  name: \"api")
			}},
		{name: "stdin-empty", skipped: `^no YAML documents$`, setup: stdinPath, stdin: func() io.Reader { return strings.NewReader("") }},
		// A panic while reading is recovered, names the file, and exits 2.
		{name: "stdin-reader-panics", line: 1, exit: ExitError, want: im(`^internal error while reading this file \(please report it\): reader exploded`),
			setup: stdinPath, stdin: func() io.Reader { return panicReader{} }},
	}
}

func TestMalformedInputs(t *testing.T) {
	cases := malformedCases()
	if len(cases) < 40 {
		t.Fatalf("the suite has %d cases, want at least 40", len(cases))
	}
	committed := map[string]bool{}
	for _, c := range cases {
		committed[c.file] = true
	}
	// Every committed input is in the table.
	entries, err := os.ReadDir(filepath.Join(malformedRoot, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !committed[e.Name()] {
			t.Errorf("testdata/malformed/cases/%s has no case in the table", e.Name())
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.title(), func(t *testing.T) {
			t.Parallel()
			runMalformed(t, wd, c)
		})
	}
}

func runMalformed(t *testing.T, wd string, c malformedCase) {
	path := filepath.Join(malformedRoot, "cases", c.file)
	var args []string
	if c.setup != nil {
		path, args = c.setup(t, t.TempDir())
	}
	var stdin io.Reader
	if c.stdin != nil {
		stdin = c.stdin()
	}
	// Paths are named from the base meshlint picks for these inputs.
	base := loader.DisplayBase("", []string{path, goodFile}, wd)
	display := "-"
	if path != "-" {
		display = displayOf(t, base, filepath.Join(path, c.inside))
	}
	args = append([]string{"--format", "json", "--fail-on", "none", "--verbose"}, args...)
	r := run(t, stdin, nil, false, append(args, path, goodFile)...)
	if r.code != c.exit {
		t.Fatalf("exit %d, want %d\nstderr: %s", r.code, c.exit, r.stderr)
	}
	doc := decode(t, r.stdout)

	// The good file's finding survives.
	good := 0
	for _, f := range doc.Findings {
		if f.File == displayOf(t, base, goodFile) && f.Line == 61 && goodFinding.MatchString(f.Message+" ["+f.Rule+"]") {
			good++
		}
	}
	if good != 1 {
		t.Errorf("good.yaml's finding is lost: %s", summarize(doc.Findings))
	}

	var mine []finding.Finding
	for _, f := range doc.Findings {
		if f.File == display {
			mine = append(mine, f)
		} else if !strings.HasSuffix(f.File, "good.yaml") {
			t.Errorf("finding in an unexpected file %s:%d: %s", f.File, f.Line, f.Message)
		}
	}
	if c.skipped != "" {
		re := regexp.MustCompile(c.skipped)
		// A whole file is "skipped FILE: reason", a document of it
		// "skipped FILE:LINE: reason".
		prefix := "meshlint: skipped " + display
		found := false
		for _, l := range strings.Split(r.stderr, "\n") {
			if strings.HasPrefix(l, prefix) && re.MatchString(strings.TrimPrefix(strings.TrimPrefix(l, prefix), ": ")) {
				found = true
			}
		}
		if !found {
			t.Errorf("no --verbose line %q matching %s in stderr:\n%s", prefix, c.skipped, r.stderr)
		}
		if len(mine) > 0 {
			t.Errorf("a skipped file has findings: %s", summarize(mine))
		}
		return
	}
	wants := append([]string{fmt.Sprintf("%d: %s", c.line, c.want)}, c.also...)
	for _, w := range wants {
		var line int
		var pattern string
		if _, err := fmt.Sscanf(w, "%d:", &line); err != nil {
			t.Fatalf("bad expectation %q", w)
		}
		pattern = strings.TrimSpace(w[strings.IndexByte(w, ':')+1:])
		re := regexp.MustCompile(pattern)
		hit := false
		for _, f := range mine {
			if f.Line == line && re.MatchString(f.Message+" ["+f.Rule+"]") {
				hit = true
				if f.Column < 1 || f.EndLine < f.Line || (f.EndLine == f.Line && f.EndColumn < f.Column) {
					t.Errorf("finding has an invalid range %d:%d-%d:%d", f.Line, f.Column, f.EndLine, f.EndColumn)
				}
			}
		}
		if !hit {
			t.Errorf("no finding in %s at line %d matching %s; got %s", display, line, pattern, summarize(mine))
		}
	}
	if len(mine) != len(wants) {
		t.Errorf("%d findings in %s, want %d: %s", len(mine), display, len(wants), summarize(mine))
	}
	if c.exit == ExitError && !strings.Contains(r.stderr, "meshlint: "+display+":") {
		t.Errorf("stderr does not name the file of the internal error:\n%s", r.stderr)
	}
}

func summarize(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		msg := f.Message
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
		fmt.Fprintf(&b, "\n  %s:%d:%d: %s [%s]", f.File, f.Line, f.Column, msg, f.Rule)
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// displayOf is how meshlint names a path: relative to base (loader.DisplayBase).
func displayOf(t *testing.T, wd, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

func readCase(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(malformedRoot, "cases", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// manyConfigMaps is n four-line ConfigMap documents.
func manyConfigMaps(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, namespace: mal}\n---\n", i)
	}
	return b.String()
}

// malApp is an application in namespace mal whose ServiceMonitor scrapes a
// STRICT port over http; its finding is on the app's line 44. annotation
// goes on the Namespace (line 6).
func malApp(annotation string) string {
	if annotation == "" {
		annotation = "note: none"
	}
	return `apiVersion: v1
kind: Namespace
metadata:
  name: mal
  annotations:
    ` + annotation + `
  labels:
    istio-injection: enabled
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: mal}
spec:
  mtls: {mode: STRICT}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: mal}
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          ports:
            - {name: metrics, containerPort: 9090}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: mal, labels: {app: api}}
spec:
  selector: {app: api}
  ports:
    - {name: metrics, port: 9090, targetPort: metrics}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api, namespace: mal}
spec:
  selector:
    matchLabels: {app: api}
  endpoints:
    - port: metrics
      path: /metrics
`
}

// nested is depth levels of block mappings, each indented by one more step.
func nested(depth, indent int) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat("  ", indent+i), i)
	}
	fmt.Fprintf(&b, "%sleaf: x\n", strings.Repeat("  ", indent+depth))
	return b.String()
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot create symbolic links here: %v", err)
	}
}

// lock makes p unreadable, or skips the test where permissions do not deny
// reads (root, CAP_DAC_OVERRIDE).
func lock(t *testing.T, p string) {
	t.Helper()
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(p, 0o755) })
	f, err := os.Open(p)
	if err == nil {
		_, err = f.Readdirnames(1)
		if errors.Is(err, io.EOF) || err == nil || strings.Contains(err.Error(), "not a directory") {
			err = nil
		}
		f.Close()
	}
	if err == nil {
		t.Skipf("running with permissions that override chmod 000 (uid %d): unreadable files cannot be tested here", os.Geteuid())
	}
}

func stdinPath(*testing.T, string) (string, []string) { return "-", nil }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("reader exploded") }
