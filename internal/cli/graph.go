package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/report"
	"github.com/meshlint/meshlint/internal/scrapegraph"
)

// graphFormats are the formats of meshlint graph; the first is the default.
var graphFormats = scrapegraph.Formats

// maxMarkdownPaths is how many broken paths -f markdown draws: a job
// summary or a merge request note stays readable, and the rest are counted.
const maxMarkdownPaths = 20

// graphFlags are the filters of meshlint graph; the rest of its flags are
// the lint's, so it reads the same inputs, config and environments.
type graphFlags struct {
	namespaces []string
	rules      []string
	broken     bool
	quiet      bool // the lint's --quiet: no summary line
}

// runGraph is `meshlint graph [flags] [PATH ...]`: a lint whose output is
// the scrape paths, drawn. It exits 0 once drawn (2 when it cannot lint):
// the picture is for looking, the lint decides.
func runGraph(args []string, env Env) (int, error) {
	return runLintAs(args, env, &lintFlags{graph: &graphFlags{}}, nil)
}

// defaultNamespaceFlag names the flag of the namespace of objects without
// metadata.namespace: --namespace for a lint; meshlint graph filters with
// --namespace, so there it is --default-namespace.
func (f *lintFlags) defaultNamespaceFlag() string {
	if f.graph != nil {
		return "default-namespace"
	}
	return "namespace"
}

// register adds the graph filters to the lint flags; nothing for a lint.
func (g *graphFlags) register(fs *pflag.FlagSet, helpOut io.Writer) {
	if g == nil {
		return
	}
	fs.StringSliceVar(&g.namespaces, "namespace", nil, "only paths whose monitor, Service or workload is in these namespaces (comma separated or repeated)")
	fs.StringSliceVar(&g.rules, "rule", nil, "only paths with a finding of these rules (comma separated or repeated)")
	fs.BoolVar(&g.broken, "broken", false, "only paths with a finding (broken or at risk)")
	fs.Lookup("format").Usage = "output format: mermaid (default) or dot; repeatable, paired in order with -o"
	// A picture fails nothing and is no report: these lint flags do nothing here.
	for _, name := range []string{"fail-on", "write-baseline", "sarif-category"} {
		if fs.Lookup(name) != nil {
			_ = fs.MarkHidden(name)
		}
	}
	fs.Usage = func() { printGraphHelp(helpOut, fs) }
}

func printGraphHelp(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprint(w, `Usage: meshlint graph [flags] [PATH ...]

Draw the scrape paths a lint resolves, left to right: each Prometheus, the monitors it selects, the
Service port and container port each endpoint reaches, and the PeerAuthentication that decides the
port's mTLS mode, grouped by namespace. Each path is coloured by its verdict (works, at risk,
broken, with the rule ids) and labelled with its scheme and the port's effective mode. Inputs,
config and environments are those of a lint; --default-namespace is the lint's --namespace.

Flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nExit codes: 0 drawn; 2 meshlint could not do its job.")
}

// check refuses lint flags that make no sense for a picture.
func (g *graphFlags) check(f *lintFlags) error {
	if g == nil {
		return nil
	}
	if f.writeBaseline != "" {
		return usagef("meshlint graph writes no baseline; run meshlint --write-baseline")
	}
	g.quiet = f.quiet
	return nil
}

// observePaths makes the lint copy out its scrape paths when they are
// drawn: by meshlint graph, or in -f markdown.
func observePaths(f *lintFlags, targets []outputTarget, opts *lint.Options) *scrapegraph.Picture {
	wanted := f.graph != nil
	for _, t := range targets {
		wanted = wanted || t.format == "markdown"
	}
	if !wanted {
		return nil
	}
	pic := &scrapegraph.Picture{}
	opts.Observe = pic.Observe
	return pic
}

// judged gives the picture's paths their verdicts, in a fixed order.
func judged(pic *scrapegraph.Picture, findings []finding.Finding) []scrapegraph.Path {
	pic.Sort()
	pic.Judge(findings)
	return pic.Paths
}

// attachBrokenPaths gives -f markdown its picture of the broken paths,
// capped at maxMarkdownPaths, and the links of the CI it runs in.
func attachBrokenPaths(rep *report.Report, pic *scrapegraph.Picture, findings []finding.Finding, getenv func(string) string) {
	if pic == nil {
		return
	}
	wd, _ := os.Getwd()
	rep.Links = report.SourceLinksFromEnv(getenv, wd)
	broken := scrapegraph.Filter{Broken: true}.Keep(judged(pic, findings))
	d := &report.Diagram{Drawn: min(len(broken), maxMarkdownPaths)}
	d.Omitted = len(broken) - d.Drawn
	var b bytes.Buffer
	if err := scrapegraph.Mermaid(&b, broken[:d.Drawn]); err == nil {
		d.Mermaid = b.String()
	}
	rep.BrokenPaths = d
}

// write draws the filtered paths in each format, through the same output
// plan as reports: files written in full, then renamed into place.
func (g *graphFlags) write(plan *outputPlan, targets []outputTarget, res *lint.Result, pic *scrapegraph.Picture, env Env) (int, error) {
	paths := scrapegraph.Filter{Namespaces: g.namespaces, Rules: g.rules, Broken: g.broken}.Keep(judged(pic, res.Findings))
	plan.formatter = func(format string) (report.Formatter, error) {
		return pictureFormatter{format: format, paths: paths}, nil
	}
	if err := plan.writeReports(targets, &report.Report{}, false, env.Stdout); err != nil {
		return ExitError, err
	}
	if !g.quiet {
		fmt.Fprintf(env.Stderr, "meshlint: %s\n", pathCounts(paths))
	}
	for _, t := range targets {
		if t.format != "mermaid" {
			continue
		}
		if why := scrapegraph.MermaidTooBig(paths); why != "" {
			fmt.Fprintf(env.Stderr, "meshlint: the Mermaid picture has %s (GitHub and GitLab show an error instead): narrow it with --namespace, --environment, --rule or --broken, or use -f dot\n", why)
		}
		break
	}
	code := ExitOK
	if len(res.Internal) > 0 || res.Stopped != "" {
		code = ExitError
	}
	for _, msg := range res.Internal {
		fmt.Fprintf(env.Stderr, "meshlint: %s\n", report.Sanitize(msg))
	}
	if res.Stopped != "" {
		fmt.Fprintf(env.Stderr, "meshlint: %s\n", report.Sanitize(res.Stopped))
	}
	return code, nil
}

// pictureFormatter writes the scrape paths as a report.Formatter, so the
// output plan writes pictures as it writes reports.
type pictureFormatter struct {
	format string
	paths  []scrapegraph.Path
}

func (p pictureFormatter) Format(w io.Writer, _ *report.Report) error {
	return scrapegraph.Write(w, p.format, p.paths)
}

// pathCounts is the summary line of meshlint graph.
func pathCounts(paths []scrapegraph.Path) string {
	var n [3]int
	for _, p := range paths {
		n[p.Verdict]++
	}
	return fmt.Sprintf("%d scrape paths drawn: %d broken, %d at risk, %d working", len(paths),
		n[scrapegraph.Broken], n[scrapegraph.AtRisk], n[scrapegraph.Works])
}
