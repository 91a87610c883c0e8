package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/report"
)

// hostileLabels are names a pull request can give a namespace, a Service,
// a workload and a monitor (Kubernetes' API server would refuse most of
// them, but meshlint reads files, not a cluster): each would end a label,
// add an edge or a node, open markup, start a new line or make a link if
// a renderer took it as written.
var hostileLabels = []struct{ name, value string }{
	{"quote", `a"b"]c`},
	{"bracket", `x]y[z}{`},
	{"arrow", `a-->b -.-> c|d|`},
	{"backtick", "a`b```c"},
	{"script", `<script>alert(1)</script>`},
	{"newline", "a\nb\r\n::error::x"},
	{"markdown-link", `[click](https://evil.example/x)`},
	{"entity-and-comment", `#quot;%%{init}%% #35;`},
}

// unescapedLink is the middle of an inline link, "](", not escaped.
var unescapedLink = regexp.MustCompile(`(^|[^\\])\]\(`)

// hostileApp is a STRICT namespace NAME whose Service, Deployment and
// ServiceMonitor are named NAME too, scraped over http (a broken path whose
// finding quotes the names), and a second monitor whose finding is
// suppressed with NAME as the reason (an annotation in the output).
func hostileApp(name string) string {
	q, _ := json.Marshal(name)
	return strings.ReplaceAll(`apiVersion: v1
kind: Namespace
metadata: {name: NAME, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: NAME, namespace: NAME}
spec: {mtls: {mode: STRICT}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME, namespace: NAME}
spec:
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
        - name: cart
          ports: [{name: metrics, containerPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: NAME, namespace: NAME, labels: {app: cart}}
spec:
  selector: {app: cart}
  ports: [{name: metrics, port: 9090}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: NAME, namespace: NAME, labels: {team: a}}
spec:
  selector: {matchLabels: {app: cart}}
  endpoints: [{port: metrics}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: accepted
  namespace: NAME
  labels: {team: a}
  annotations: {ignore.meshlint.io/plaintext-scrape-of-strict-port: NAME}
spec:
  selector: {matchLabels: {app: cart}}
  endpoints: [{port: metrics}]
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: NAME, namespace: NAME}
spec:
  serviceMonitorSelector: {matchLabels: {team: a}}
`, "NAME", string(q))
}

// hostileOutputs lints a tree of the given names in a temporary directory
// and returns the Mermaid, the DOT and the markdown meshlint writes.
func hostileOutputs(t *testing.T, names ...string) (mermaid, dot, markdown string) {
	t.Helper()
	dir := t.TempDir()
	for i, n := range names {
		writeFile(t, dir, fmt.Sprintf("app%d.yaml", i), hostileApp(n))
	}
	t.Chdir(dir)
	m := run(t, nil, nil, false, "graph", ".")
	d := run(t, nil, nil, false, "graph", "-f", "dot", ".")
	md := run(t, nil, nil, false, "-f", "markdown", "--show-suppressed", ".")
	if m.code != ExitOK || d.code != ExitOK || md.code != ExitFindings {
		t.Fatalf("exit codes %d, %d, %d, want 0, 0, 1\n%s%s%s", m.code, d.code, md.code, m.stderr, d.stderr, md.stderr)
	}
	return m.stdout, d.stdout, md.stdout
}

// Each hostile name stays inside its label in every format, and still
// shows, escaped, as itself.
func TestGraphHostileNames(t *testing.T) {
	for _, h := range hostileLabels {
		t.Run(h.name, func(t *testing.T) {
			mermaid, dot, markdown := hostileOutputs(t, h.value)
			shown := report.Sanitize(h.value) // control characters as \n, \r

			checkMermaid(t, mermaid)
			if !strings.Contains(mermaidLabels(mermaid), "Service "+shown) {
				t.Errorf("the Service's name does not show in the Mermaid labels:\n%s", mermaid)
			}
			if n := strings.Count(mermaid, "]:::"); n != 6 {
				t.Errorf("%d nodes, want 6 (Prometheus, two monitors, Service, Deployment, PeerAuthentication):\n%s", n, mermaid)
			}

			checkDOT(t, dot)
			if !strings.Contains(dotLabels(dot), "Service "+shown) {
				t.Errorf("the Service's name does not show in the DOT labels:\n%s", dot)
			}
			if n := strings.Count(dot, " -> "); n != 6 {
				t.Errorf("%d edges, want 6:\n%s", n, dot)
			}

			checkMarkdown(t, markdown)
			if strings.Contains(markdown, "<script") || unescapedLink.MatchString(markdown) {
				t.Errorf("markup or a link from the input:\n%s", markdown)
			}
			if !strings.Contains(markdown, "  - suppressed: ") {
				t.Errorf("the suppression reason (an annotation) is not shown:\n%s", markdown)
			}
		})
	}
}

// requireRenderer finds an external renderer. Outside CI a missing one
// skips the test with how to install it; under CI=true it fails, because
// .ci/steps/30-graph-renderers.sh installs it.
func requireRenderer(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, but CI=true: .ci/steps/30-graph-renderers.sh must install it (%s)", name, install)
	}
	t.Skipf("%s is not installed; install it with '%s' to run this test (CI always runs it)", name, install)
	return ""
}

// rendered are the outputs the renderers must accept: the examples' golden
// pictures and summary, and every hostile name at once.
func rendered(t *testing.T) (mermaid, dot map[string]string) {
	t.Helper()
	mermaid, dot = map[string]string{}, map[string]string{}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("../..", graphGoldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	mermaid["examples"] = read("examples.mmd")
	dot["examples"] = read("examples.dot")
	md := read("examples.md")
	begin := strings.Index(md, "```mermaid\n")
	end := strings.LastIndex(md, "```\n")
	if begin < 0 || end < begin {
		t.Fatalf("examples.md has no mermaid block")
	}
	mermaid["examples-markdown"] = md[begin+len("```mermaid\n") : end]
	readme := read("../../README.md")
	begin, end = strings.Index(readme, "```mermaid\n"), strings.Index(readme, graphEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no mermaid block")
	}
	mermaid["readme"] = strings.TrimSuffix(readme[begin+len("```mermaid\n"):end], "```\n")
	envMermaid, envDOT := environmentPictures(t)
	mermaid["environments"], dot["environments"] = envMermaid, envDOT
	var names []string
	for _, h := range hostileLabels {
		names = append(names, h.value)
	}
	m, d, md2 := hostileOutputs(t, names...)
	mermaid["hostile"], dot["hostile"] = m, d
	begin, end = strings.Index(md2, "```mermaid\n"), strings.LastIndex(md2, "```\n")
	mermaid["hostile-markdown"] = md2[begin+len("```mermaid\n") : end]
	return mermaid, dot
}

// Graphviz accepts every DOT meshlint writes, and draws each hostile name
// as text.
func TestGraphDOTRenders(t *testing.T) {
	dotBin := requireRenderer(t, "dot", "apt-get install graphviz")
	_, dots := rendered(t)
	out := t.TempDir()
	for name, text := range dots {
		in := filepath.Join(out, name+".dot")
		if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(dotBin, "-Tsvg", in)
		svg, err := cmd.Output()
		if err != nil {
			t.Fatalf("dot -Tsvg %s: %v\n%s", name, err, stderrOf(err))
		}
		if strings.Contains(string(svg), "<script") {
			t.Errorf("%s: the SVG holds a script element", name)
		}
	}
}

// The Mermaid CLI (a real Mermaid in Chromium) parses and draws every
// flowchart meshlint writes.
func TestGraphMermaidRenders(t *testing.T) {
	mmdc := requireRenderer(t, "mmdc", "PUPPETEER_SKIP_DOWNLOAD=1 npm install -g @mermaid-js/mermaid-cli")
	chromium := os.Getenv("PUPPETEER_EXECUTABLE_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		requireRenderer(t, "chromium", "apt-get install chromium")
	}
	mermaids, _ := rendered(t)
	out := t.TempDir()
	// Chromium's sandbox needs user namespaces, which containers (and CI
	// runners as root) often lack.
	puppeteer := filepath.Join(out, "puppeteer.json")
	if err := os.WriteFile(puppeteer, []byte(`{"args": ["--no-sandbox"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// One run draws every flowchart, as the blocks of one Markdown file:
	// Chromium starts once. mmdc fails when any block does not parse.
	names := make([]string, 0, len(mermaids))
	for name := range mermaids {
		names = append(names, name)
	}
	sort.Strings(names)
	var doc strings.Builder
	for _, name := range names {
		doc.WriteString("```mermaid\n" + mermaids[name] + "```\n\n")
	}
	in, md := filepath.Join(out, "all.md"), filepath.Join(out, "drawn.md")
	if err := os.WriteFile(in, []byte(doc.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(mmdc, "-p", puppeteer, "-i", in, "-o", md, "-q")
	cmd.Env = append(os.Environ(), "PUPPETEER_EXECUTABLE_PATH="+chromium)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mmdc: %v\n%s", err, b)
	}
	for i, name := range names {
		b, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("drawn-%d.svg", i+1)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(string(b), "<script") {
			t.Errorf("%s: the SVG holds a script element", name)
		}
		if !strings.Contains(string(b), "<g") {
			t.Errorf("%s: mmdc drew nothing", name)
		}
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// environmentPictures draws a layout of two environments: groups nested
// in groups.
func environmentPictures(t *testing.T) (mermaid, dot string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
	}()
	if err := os.Chdir("../../testdata/environments/plain-folders"); err != nil {
		t.Fatal(err)
	}
	return run(t, nil, nil, false, "graph", ".").stdout, run(t, nil, nil, false, "graph", "-f", "dot", ".").stdout
}
