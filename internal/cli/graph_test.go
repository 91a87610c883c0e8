package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/goldenflag"
)

//go:generate go test . -run TestGraphGolden -update

// graphGoldenDir holds what meshlint graph and -f markdown print for the
// bundled examples.
const graphGoldenDir = "testdata/graph"

// runAtTop runs meshlint from the repository root, as the README does,
// with no environment variable set.
func runAtTop(t *testing.T, args ...string) result {
	t.Helper()
	t.Chdir("../..")
	return run(t, nil, nil, false, args...)
}

// TestGraphGolden keeps the pictures of the examples and their markdown
// summary as they are reviewed; -update rewrites them.
func TestGraphGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"examples.mmd", []string{"graph", "./examples"}, ExitOK},
		{"examples.dot", []string{"graph", "-f", "dot", "./examples"}, ExitOK},
		{"examples.md", []string{"-f", "markdown", "./examples"}, ExitFindings},
	} {
		t.Run(c.name, func(t *testing.T) {
			golden, err := filepath.Abs(filepath.Join("../..", graphGoldenDir, c.name))
			if err != nil {
				t.Fatal(err)
			}
			r := runAtTop(t, c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r.stderr)
			}
			if again := run(t, nil, nil, false, c.args...); again.stdout != r.stdout {
				t.Fatalf("two runs over the same input differ")
			}
			if *goldenflag.Update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run 'go test ./internal/cli -run TestGraphGolden -update')", err)
			}
			if string(want) != r.stdout {
				t.Errorf("%s is stale (run 'go test ./internal/cli -run TestGraphGolden -update' and review the diff):\n%s",
					c.name, firstLineDiff(string(want), r.stdout))
			}
		})
	}
}

func firstLineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines, different bytes)"
}

// The examples' paths as the filters narrow them: the summary line counts
// what was drawn.
func TestGraphFilters(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "16 scrape paths drawn: 6 broken, 1 at risk, 9 working"},
		{[]string{"--broken"}, "7 scrape paths drawn: 6 broken, 1 at risk, 0 working"},
		{[]string{"--namespace", "shop-fixed"}, "7 scrape paths drawn: 0 broken, 0 at risk, 7 working"},
		{[]string{"--rule", "istio-certs-not-exported,podmonitor-under-strict"}, "2 scrape paths drawn: 2 broken, 0 at risk, 0 working"},
		{[]string{"--namespace", "shop", "--rule", "permissive-exception-shared-port"}, "1 scrape paths drawn: 0 broken, 1 at risk, 0 working"},
		{[]string{"--namespace", "nowhere"}, "0 scrape paths drawn: 0 broken, 0 at risk, 0 working"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runAtTop(t, append(append([]string{"graph"}, c.args...), "./examples")...)
			if r.code != ExitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if got := strings.TrimSpace(r.stderr); got != "meshlint: "+c.want {
				t.Errorf("stderr %q, want %q", got, "meshlint: "+c.want)
			}
			checkMermaid(t, r.stdout)
		})
	}
}

// The plaintext scrape of a STRICT port in the examples is drawn red with
// its rule, and a path of the fixed namespace green: the verdict reaches
// the edge of the path it is about and no other.
func TestGraphVerdictOnItsPath(t *testing.T) {
	r := runAtTop(t, "graph", "--namespace", "shop", "./examples")
	var cartEdge string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, "http #8594; STRICT") && strings.Contains(l, "plaintext-scrape-of-strict-port") {
			cartEdge = l
		}
		if strings.Contains(l, "Istio certs") && strings.Contains(l, "plaintext-scrape-of-strict-port") {
			t.Errorf("an https scrape with Istio certs is blamed for another monitor's plaintext scrape: %s", l)
		}
	}
	if cartEdge == "" {
		t.Fatalf("no edge for the plaintext scrape of shop/cart:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "stroke:#cf222e") {
		t.Errorf("no red (broken) edge:\n%s", r.stdout)
	}
}

// -f markdown links file:line to the file at the commit CI builds, and
// writes plain text elsewhere.
func TestMarkdownLinks(t *testing.T) {
	t.Chdir("../..")
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"github", map[string]string{"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "0123abc"},
			"[examples/shop/cart.yaml:45](https://github.example/o/r/blob/0123abc/examples/shop/cart.yaml#L45)"},
		{"gitlab", map[string]string{"CI_PROJECT_URL": "https://gitlab.example/g/p", "CI_COMMIT_SHA": "0123abc"},
			"[examples/shop/cart.yaml:45](https://gitlab.example/g/p/-/blob/0123abc/examples/shop/cart.yaml#L45)"},
		{"none", nil, "- **error** examples/shop/cart.yaml:45: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, nil, c.env, false, "-f", "markdown", "./examples")
			if !strings.Contains(r.stdout, c.want) {
				t.Errorf("no %q in\n%s", c.want, r.stdout)
			}
			if c.env == nil && strings.Contains(r.stdout, "](") {
				t.Errorf("a link without a CI to link to:\n%s", r.stdout)
			}
		})
	}
}

// The markdown summary draws at most maxMarkdownPaths broken paths and
// counts the rest.
func TestMarkdownCapsThePicture(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < maxMarkdownPaths+3; i++ {
		b.WriteString(strings.ReplaceAll(strictApp, "cart", "app"+strconv.Itoa(i)))
		b.WriteString("---\n")
	}
	writeFile(t, dir, "apps.yaml", strings.ReplaceAll(b.String(), "ANNOTATIONS", "labels: {}"))
	t.Chdir(dir)
	r := run(t, nil, nil, false, "-f", "markdown", ".")
	if !strings.Contains(r.stdout, "\nand 3 more (`meshlint graph --broken` draws them all)\n") {
		t.Errorf("no \"and 3 more\" in\n%s", r.stdout)
	}
	if n := strings.Count(r.stdout, "ServiceMonitor app"); n != maxMarkdownPaths {
		t.Errorf("%d monitors drawn, want %d", n, maxMarkdownPaths)
	}
}

var (
	mermaidLabel = `"(?:[A-Za-z0-9 .,/()_:=-]|#[0-9]+;|<br>)*"`
	mermaidLine  = regexp.MustCompile(`^(flowchart LR|  none\["no scrape paths"\]|\s*end|\s*subgraph g[0-9]+\[` + mermaidLabel + `\]|\s*n[0-9]+\[` +
		mermaidLabel + `\]:::[a-z]+|  n[0-9]+ (-->|-\.->)(\|` + mermaidLabel + `\|)? n[0-9]+|  linkStyle [0-9,]+ stroke:#[0-9a-f]{6},stroke-width:2px,color:#[0-9a-f]{6}|  classDef [a-z]+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6})$`)
	dotLabel = `"(?:[^"\\\n]|\\[\\"n])*"`
	dotLine  = regexp.MustCompile(`^(digraph scrape_paths \{|  rankdir=LR;|  graph \[[^\]]*\];|  node \[[^\]]*\];|  edge \[[^\]]*\];|\s*subgraph cluster_[0-9]+ \{|\s*label=` +
		dotLabel + `;|\s*n[0-9]+ \[label=` + dotLabel + `, fillcolor="#[0-9a-f]{6}"\];|  n[0-9]+ -> n[0-9]+ \[(label=` + dotLabel +
		`, )?color="#[0-9a-f]{6}", fontcolor="#[0-9a-f]{6}", style=(solid|dashed), penwidth=[12]\];|\s*\})$`)
	mermaidEntity = regexp.MustCompile(`#([0-9]+);`)
)

// checkMermaid fails unless every line of a flowchart is one meshlint
// writes, with labels of safe characters and entity codes only.
func checkMermaid(t *testing.T, text string) {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !mermaidLine.MatchString(l) {
			t.Errorf("mermaid line %d is not one meshlint writes: %q", i+1, l)
		}
	}
}

// mermaidLabels decodes the entity codes of a flowchart, as Mermaid shows
// them.
func mermaidLabels(text string) string {
	return mermaidEntity.ReplaceAllStringFunc(text, func(m string) string {
		n := 0
		for _, c := range m[1 : len(m)-1] {
			n = n*10 + int(c-'0')
		}
		return string(rune(n))
	})
}

func checkDOT(t *testing.T, text string) {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !dotLine.MatchString(l) {
			t.Errorf("dot line %d is not one meshlint writes: %q", i+1, l)
		}
	}
}

// dotLabels undoes DOT's string escapes.
func dotLabels(text string) string {
	return strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, "\n").Replace(text)
}

// checkMarkdown fails when input text made Markdown of its own: every line
// is one the format writes, the Mermaid block is intact, and no bracket,
// backtick or tag is left unescaped outside it.
func checkMarkdown(t *testing.T, text string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	inFence := false
	var fenced []string
	for i, l := range lines {
		switch {
		case l == "```mermaid" && !inFence:
			inFence = true
			continue
		case l == "```" && inFence:
			inFence = false
			checkMermaid(t, strings.Join(fenced, "\n"))
			continue
		case inFence:
			fenced = append(fenced, l)
			continue
		}
		known := l == "" || strings.HasPrefix(l, "## meshlint: ") || strings.HasPrefix(l, "### ") || strings.HasPrefix(l, "| ") ||
			strings.HasPrefix(l, "|---") || strings.HasPrefix(l, "- **") || strings.HasPrefix(l, "  - ") ||
			strings.HasPrefix(l, "and ") || l == "No findings."
		if !known {
			t.Errorf("markdown line %d is not one meshlint writes: %q", i+1, l)
		}
		if strings.HasPrefix(l, "and ") {
			continue
		}
		checkEscaped(t, i+1, l)
	}
	if inFence {
		t.Errorf("the mermaid block is not closed:\n%s", text)
	}
}

// checkEscaped fails on a Markdown character that input text could have
// written unescaped; the format's own (the bold severity, the table's
// bars) are taken off first.
func checkEscaped(t *testing.T, n int, l string) {
	t.Helper()
	rest := l
	switch {
	case strings.HasPrefix(l, "- **"):
		end := strings.Index(l[4:], "** ")
		if end < 0 {
			t.Errorf("markdown line %d: severity not closed: %q", n, l)
			return
		}
		rest = l[4+end+3:]
	case strings.HasPrefix(l, "|---"):
		return
	case strings.HasPrefix(l, "## "), strings.HasPrefix(l, "### "):
		rest = strings.TrimLeft(l, "#")
	case strings.HasPrefix(l, "|"):
		rest = strings.ReplaceAll(strings.Trim(l, "|"), " | ", " ")
	}
	rest = strings.NewReplacer("&#47;", "", "&#46;", "", "&lt;", "", "&gt;", "", "&amp;", "").Replace(rest)
	for j := 0; j < len(rest); j++ {
		switch rest[j] {
		case '[', ']', '`', '<', '>', '|', '*', '_', '@', '#', '!', '~', '$':
			if j == 0 || rest[j-1] != '\\' {
				t.Errorf("markdown line %d has an unescaped %q at %d: %q", n, rest[j], j, l)
			}
		}
	}
}

// With environments, each is its own group of namespaces, a path's verdict
// is that of its own environment's findings, and --environment draws one.
func TestGraphEnvironments(t *testing.T) {
	t.Chdir("../../testdata/environments/plain-folders")
	r := run(t, nil, nil, false, "graph", ".")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	checkMermaid(t, r.stdout)
	for _, want := range []string{`subgraph g1["environment dev"]`, `subgraph g3["environment prod"]`, "    subgraph g2[\"namespace shop\"]"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no %q in\n%s", want, r.stdout)
		}
	}
	if !strings.HasSuffix(r.stderr, "meshlint: 2 scrape paths drawn: 1 broken, 0 at risk, 1 working\n") {
		t.Errorf("stderr %q: want prod's path broken and dev's working", r.stderr)
	}
	dev := run(t, nil, nil, false, "graph", "--environment", "dev", ".")
	if !strings.HasSuffix(dev.stderr, "meshlint: 1 scrape paths drawn: 0 broken, 0 at risk, 1 working\n") || strings.Contains(dev.stdout, "prod") {
		t.Errorf("--environment dev: stderr %q\n%s", dev.stderr, dev.stdout)
	}
}

// A picture writes no baseline, and the lint's --namespace is
// --default-namespace in meshlint graph.
func TestGraphFlags(t *testing.T) {
	if r := runAtTop(t, "graph", "--write-baseline", "b.json", "./examples"); r.code != ExitError || !strings.Contains(r.stderr, "writes no baseline") {
		t.Errorf("--write-baseline: exit %d, stderr %q", r.code, r.stderr)
	}
	dir := t.TempDir()
	// strictApp in namespace team, its objects without metadata.namespace.
	app := strings.NewReplacer(", namespace: shop}", "}", ", namespace: shop,", ",", "  namespace: shop\n", "", "name: shop\n", "name: team\n").Replace(appWith("labels: {}"))
	if strings.Contains(app, "namespace: shop") {
		t.Fatalf("the app still names namespace shop:\n%s", app)
	}
	writeFile(t, dir, "app.yaml", app)
	t.Chdir(dir)
	r := run(t, nil, nil, false, "graph", "--default-namespace", "team", "--namespace", "team", ".")
	if r.code != ExitOK || !strings.Contains(r.stderr, "1 scrape paths drawn: 1 broken") {
		t.Errorf("objects without a namespace in --default-namespace team: exit %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
}
