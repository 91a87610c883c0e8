// Package cli is meshlint's command line: it parses flags, runs a command,
// and turns every outcome into one of the exit codes CI relies on.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
	"github.com/meshlint/meshlint/internal/scrapegraph"
)

// Exit codes (README.md, "Exit codes").
const (
	ExitOK       = 0 // no unsuppressed finding at or above --fail-on
	ExitFindings = 1 // at least one such finding
	ExitError    = 2 // meshlint could not do its job
)

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// Env is what a command may touch of the process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads environment variables (NO_COLOR, GOGC); nil means os.Getenv.
	Getenv func(string) string
	// IsTerminal reports whether stdout is a terminal; nil means check os.Stdout.
	IsTerminal func() bool
	// Now is the clock that decides when config ignore entries expire; nil
	// means time.Now.
	Now func() time.Time
}

// Run executes meshlint with args (without the program name) and returns
// the exit code. It never calls os.Exit, so tests run it in process.
func Run(args []string, env Env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.Stderr, "meshlint: internal error (please report it) in 'meshlint %s': %s\n",
				report.Sanitize(strings.Join(args, " ")), report.Sanitize(fmt.Sprint(r)))
			code = ExitError
		}
	}()
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.IsTerminal == nil {
		env.IsTerminal = func() bool { return isTerminal(os.Stdout) }
	}
	cmd, rest := "lint", args
	if len(args) > 0 {
		switch args[0] {
		case "rules", "version", "explain", "lint", "help", "completion", "init", "graph", "fix":
			cmd, rest = args[0], args[1:]
		case "--version":
			cmd, rest = "version", args[1:]
		default:
			if err := checkCommandLike(args[0]); err != nil { // help.go
				fmt.Fprintf(env.Stderr, "meshlint: %v\nrun 'meshlint help' for the commands\n", err)
				return ExitError
			}
		}
	}
	var err error
	switch cmd {
	case "rules":
		err = runRules(rest, env)
	case "explain":
		err = runExplain(rest, env)
	case "version":
		err = runVersion(rest, env)
	case "help":
		err = runHelp(rest, env) // help.go
	case "completion":
		err = runCompletion(rest, env) // completion.go
	case "init":
		err = runInit(rest, env) // init.go
	case "graph":
		code, err = runGraph(rest, env) // graph.go
		if err == nil {
			return code
		}
	case "fix":
		code, err = runFix(rest, env) // fix.go
		if err == nil {
			return code
		}
	default:
		code, err = runLint(rest, env)
		if err == nil {
			return code
		}
	}
	if err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		printError(env.Stderr, err) // output.go
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(env.Stderr, "run 'meshlint --help' for usage")
		}
		return ExitError
	}
	return ExitOK
}

// lintFlags are the flags of the lint command.
type lintFlags struct {
	formats         []string
	outputs         []string
	failOn          string
	enable, disable []string
	policies        []string
	excludes        []string // --exclude, gitignore patterns (exclude.go)
	base            string   // the directory every output path is relative to (pathBase, exclude.go)
	policyTimeout   time.Duration
	policyMemory    uint64 // --max-policy-memory, MiB
	rootNamespace   string
	meshMTLS        string
	// These and failOn, policies, enable, disable are what was typed; the
	// run reads them, merged with the config file, from lintSettings.
	assumeInjection string
	namespace       string
	noColor         bool
	quiet           bool
	verbose         bool
	showSuppressed  bool
	stats           bool
	config          string
	baseline        string
	writeBaseline   string
	limits          loader.Limits
	root            string          // --root: the directory meshlint may read below (root.go)
	prom            promValuesFlags // --prometheus-values (promvalues.go)
	render          renderFlags     // --values, --set, --release-name, --release-namespace (render.go)
	report          reportFlags     // --sarif-category (reportflags.go)
	version         bool            // --version
	only            onlyFilesFlags  // --only-files, --only-files-from (onlyfiles.go)
	environment     string          // --environment: lint one environment (environments.go)
	graph           *graphFlags     // set for meshlint graph (graph.go)
}

// newLintFlagSet defines the lint flags; helpOut is where --help prints.
func newLintFlagSet(f *lintFlags, helpOut io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("meshlint", pflag.ContinueOnError)
	fs.SetOutput(helpOut)
	fs.SortFlags = false
	fs.StringArrayVarP(&f.formats, "format", "f", nil, "output format: "+report.FormatsHelp()+"; repeatable, paired in order with -o")
	fs.StringArrayVarP(&f.outputs, "output", "o", nil, "file for the matching --format; - is stdout")
	fs.StringVar(&f.failOn, "fail-on", "error", "lowest severity that makes the exit code 1: error, warning, note, none")
	fs.StringVarP(&f.config, "config", "c", "", "config file (default: .meshlint.yaml in the current directory or the nearest parent holding one)")
	fs.StringSliceVar(&f.enable, "enable", nil, "run only these rules (comma separated or repeated)")
	fs.StringSliceVar(&f.disable, "disable", nil, "do not run these rules (comma separated or repeated)")
	fs.StringArrayVar(&f.policies, "policy", nil, "directory of extra Rego rules; repeatable")
	fs.StringArrayVar(&f.excludes, "exclude", nil, "leave out paths matching this gitignore pattern ('testdata/', '**/*.tmpl.yaml', '!keep.yaml'), relative to the repository root; repeatable, after the config file's exclude:")
	fs.DurationVar(&f.policyTimeout, "policy-timeout", engine.DefaultTimeout, "wall-clock deadline of each rule's evaluation; a policy that runs past it stops meshlint (exit 2)")
	fs.Uint64Var(&f.policyMemory, "max-policy-memory", engine.DefaultMemoryBudget>>20, "MiB of heap past which rule evaluation stops meshlint (exit 2): a backstop against a policy that builds huge collections")
	fs.StringVar(&f.root, "root", "", "the repository root: files below it may be read, nothing outside it unless typed on the command line (default: the Git top level of each linted path, else the path)")
	fs.StringVar(&f.baseline, "baseline", "", "file of accepted findings; findings in it are reported as suppressed")
	fs.StringVar(&f.writeBaseline, "write-baseline", "", "write the current findings to this file and exit 0")
	f.prom.register(fs)
	f.render.register(fs)
	f.report.register(fs)
	fs.BoolVar(&f.version, "version", false, "print version information and exit")
	f.only.register(fs)
	fs.StringVar(&f.rootNamespace, "root-namespace", "istio-system", "Istio root namespace (meshConfig.rootNamespace)")
	fs.StringVar(&f.meshMTLS, "mesh-mtls", "", "mesh-wide mTLS mode when no mesh-level PeerAuthentication is in the input: PERMISSIVE (Istio's default), STRICT or DISABLE")
	fs.StringVar(&f.assumeInjection, "assume-injection", "auto", "injection of namespaces without a Namespace manifest: auto (enabled when an Istio resource is in the namespace), enabled, disabled, unknown")
	fs.StringVar(&f.namespace, f.defaultNamespaceFlag(), "default", "namespace of objects without metadata.namespace")
	fs.BoolVar(&f.noColor, "no-color", false, "no colour in text output (also: NO_COLOR, or stdout not a terminal)")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no summary line")
	fs.BoolVar(&f.verbose, "verbose", false, "list skipped files and the assumptions in force")
	fs.StringVar(&f.environment, "environment", "", "lint only the environment of this name (see the stderr line that lists the environments found)")
	fs.BoolVar(&f.stats, "stats", false, "print counts, phase timings and peak memory to stderr")
	fs.BoolVar(&f.showSuppressed, "show-suppressed", false, "include suppressed findings in text, json and github output (sarif always carries them, junit lists them as passing)")
	fs.Int64Var(&f.limits.MaxFileBytes, "max-file-size", loader.DefaultLimits.MaxFileBytes, "largest file read, in bytes")
	fs.IntVar(&f.limits.MaxDocuments, "max-documents", loader.DefaultLimits.MaxDocuments, "most YAML documents read from one file")
	fs.IntVar(&f.limits.MaxDepth, "max-depth", loader.DefaultLimits.MaxDepth, "deepest nesting read in a document")
	fs.IntVar(&f.limits.MaxNodes, "max-nodes", loader.DefaultLimits.MaxNodes, "most YAML nodes in one document after alias expansion")
	fs.IntVar(&f.limits.MaxFacts, "max-facts", loader.DefaultLimits.MaxFacts, "most scrape facts (monitor endpoints x selecting Prometheus servers x targets) in the whole model")
	fs.Usage = func() { printLintHelp(helpOut, fs) } // help.go
	return fs
}

// outputTarget is one --format/--output pair.
type outputTarget struct {
	format string
	path   string // "-" for stdout
}

func (f *lintFlags) targets() ([]outputTarget, error) {
	if len(f.outputs) > len(f.formats) {
		return nil, usagef("%d --output values but only %d --format values; pair each -o with a -f", len(f.outputs), len(f.formats))
	}
	formats, known := f.formats, report.Formats
	if f.graph != nil {
		known = graphFormats // graph.go
	}
	if len(formats) == 0 {
		formats = known[:1]
	}
	var out []outputTarget
	toStdout := 0
	for i, fm := range formats {
		if !slices.Contains(known, fm) {
			return nil, usagef("unknown format %q (want %s)", fm, strings.Join(known, ", "))
		}
		path := "-"
		if i < len(f.outputs) && f.outputs[i] != "" {
			path = f.outputs[i]
		}
		if path == "-" {
			toStdout++
		}
		out = append(out, outputTarget{format: fm, path: path})
	}
	if toStdout > 1 {
		return nil, usagef("%d formats write to stdout; give all but one an --output file", toStdout)
	}
	return out, nil
}

func runLint(args []string, env Env) (int, error) {
	return runLintAs(args, env, &lintFlags{}, nil)
}

// runLintAs lints; with f.graph set (meshlint graph, graph.go) it draws the
// scrape paths instead of writing reports, and with fr (meshlint fix,
// fix.go) its result goes to the fixes.
func runLintAs(args []string, env Env, f *lintFlags, fr *fixRun) (int, error) {
	fs := newLintFlagSet(f, env.Stdout)
	f.graph.register(fs, env.Stdout) // graph.go; nothing for a lint
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK, err
		}
		return ExitError, usagef("%v", err)
	}
	if f.version {
		return ExitOK, runVersion(nil, env)
	}
	r, err := prepareLint(fs, f, env)
	if err != nil {
		return ExitError, err
	}
	pic := observePaths(f, r.targets, &r.opts) // graph.go: nil unless drawn
	res, err := lint.Run(context.Background(), r.eng, r.opts)
	if res != nil {
		printEnvironments(env.Stderr, res.Environments, res.TooManyEnvironments, f.verbose, f.quiet)
	}
	if f.verbose && res != nil {
		fmt.Fprintf(env.Stderr, "meshlint: using %s\n", r.lc.describe())
		for _, s := range res.Skipped {
			where := s.File
			if s.Line > 0 {
				where += ":" + strconv.Itoa(s.Line)
			}
			fmt.Fprintf(env.Stderr, "meshlint: skipped %s: %s\n", report.Sanitize(where), report.Sanitize(s.Reason))
		}
		printAssumptions(env.Stderr, r.opts.Settings)
	}
	if err != nil {
		if errors.Is(err, lint.ErrNoManifests) {
			return ExitError, fmt.Errorf("%w in %s (use --verbose to see skipped files)", err, strings.Join(r.opts.Paths, ", "))
		}
		return ExitError, err
	}
	if err := r.plan.checkInputs(r.root.Opened); err != nil {
		return ExitError, err
	}
	if fr != nil {
		return ExitOK, fr.apply(res, r.root, f.base, f.limits.MaxFileBytes)
	}
	if f.writeBaseline != "" {
		if res.Stopped != "" {
			return ExitError, fmt.Errorf("%s; no baseline was written", res.Stopped)
		}
		return ExitOK, writeBaseline(r.plan.files[0], res, env, f.quiet)
	}
	r.filter.apply(res)
	return writeLintReports(f, r, res, pic, env)
}

// preparedLint is a lint run with its flags, config and outputs checked and
// its rules compiled: everything that can be refused before any file is
// read.
type preparedLint struct {
	lc       *lintConfig
	root     *confine.Root
	targets  []outputTarget
	plan     *outputPlan
	filter   fileFilter
	eng      *engine.Engine
	opts     lint.Options
	compiled time.Duration // compiling the rules, for --stats
}

// prepareLint checks the flags and the config, plans the outputs and
// compiles the rules into the options of one lint.Run.
func prepareLint(fs *pflag.FlagSet, f *lintFlags, env Env) (*preparedLint, error) {
	if err := f.graph.check(f); err != nil { // graph.go
		return nil, err
	}
	paths, named := f.only.split(fs.Args())
	if len(paths) == 0 {
		paths = []string{"."}
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("get working directory: %w", err)
	}
	f.base = pathBase(f.root, paths, wd)
	r := &preparedLint{}
	if r.root, err = readRoot(f, paths); err != nil {
		return nil, err
	}
	if r.lc, err = loadLintConfig(fs, f, r.root); err != nil {
		return nil, err
	}
	if err := r.lc.settings.checkFailOn(); err != nil {
		return nil, err
	}
	if r.targets, err = f.targets(); err != nil {
		return nil, err
	}
	if r.plan, err = planOutputs(f, r.lc, r.targets); err != nil { // output.go: refuses outputs that clobber an input or each other
		return nil, err
	}
	if err := f.report.check(); err != nil {
		return nil, err
	}
	if r.filter, err = f.only.load(named, paths, f.base, env, f.limits.MaxFileBytes); err != nil {
		return nil, err
	}
	settings, err := r.lc.settings.mesh.graph()
	if err != nil {
		return nil, err
	}
	if f.limits.MaxFileBytes <= 0 || f.limits.MaxDocuments <= 0 || f.limits.MaxDepth <= 0 || f.limits.MaxNodes <= 0 || f.limits.MaxFacts <= 0 {
		return nil, usagef("limits (--max-file-size, --max-documents, --max-depth, --max-nodes, --max-facts) must be positive")
	}
	if f.limits.MaxFileBytes == math.MaxInt64 {
		// A reader asks for one byte more than the limit, to tell a file of
		// the limit's size from a larger one.
		return nil, usagef("--max-file-size must be less than %d", int64(math.MaxInt64))
	}
	if f.policyTimeout <= 0 {
		return nil, usagef("--policy-timeout must be positive")
	}
	if f.policyMemory == 0 {
		return nil, usagef("--max-policy-memory must be positive")
	}
	compileStart := time.Now()
	r.eng, err = engine.Compile(context.Background(), engine.Options{PolicyDirs: r.lc.settings.policies, Root: r.root, Timeout: f.policyTimeout, MemoryBudget: f.policyMemory << 20})
	if err != nil {
		return nil, err
	}
	r.compiled = time.Since(compileStart)
	if err := r.lc.check(r.eng); err != nil {
		return nil, err
	}
	ex, err := excludeMatcher(r.lc, f.excludes, excludeBases(f.root, paths))
	if err != nil {
		return nil, err
	}
	r.opts = lint.Options{Paths: paths, Stdin: env.Stdin, WorkDir: f.base, Settings: settings, Limits: f.limits, Root: r.root,
		Enable: r.lc.settings.enable, Disable: r.lc.settings.disable, Exclude: ex}
	if env.Getenv("GOGC") == "" {
		r.opts.GCPercentAfterLoad = 50 // a lower peak for little CPU (docs/performance.md); GOGC overrides
		if env.Getenv("GOMEMLIMIT") == "" {
			r.opts.RenderGCPercent = 400 // rendering allocates far more than it keeps (lint/renderpace.go)
		}
	}
	r.lc.options(&r.opts, env)
	f.render.apply(&r.opts)
	r.opts.Render.Sources = r.lc.sources()
	if err := f.prom.load(&r.opts, r.lc, env, f.quiet); err != nil {
		return nil, err
	}
	r.opts.Environment = f.environment
	return r, nil
}

// writeLintReports decides the exit code and writes the reports (or, for
// meshlint graph, the picture) of a finished lint.
func writeLintReports(f *lintFlags, r *preparedLint, res *lint.Result, pic *scrapegraph.Picture, env Env) (int, error) {
	// The exit code is decided before any report is written, because SARIF
	// records it in its invocation.
	failOn := r.lc.settings.failOn
	code := exitCode(res.Findings, failOn)
	if len(res.Internal) > 0 || res.Stopped != "" {
		code = ExitError // a bug in meshlint, or a budget: the findings are written, but the run failed
	}
	rep := &report.Report{Tool: report.Tool{Name: "meshlint", Version: Version()}, Findings: res.Findings,
		Summary: res.Summary, ShowSuppressed: f.showSuppressed, Resources: res.Resources, ExitCode: code, FailOn: failOn,
		Rules: ruleInfos(res.Rules, r.opts.Severity)}
	f.report.apply(rep)
	if f.graph != nil {
		return f.graph.write(r.plan, r.targets, res, pic, env) // graph.go
	}
	attachBrokenPaths(rep, pic, res.Findings, env.Getenv) // graph.go: for -f markdown
	color := !f.noColor && env.Getenv("NO_COLOR") == "" && env.IsTerminal()
	reportStart := time.Now()
	if err := r.plan.writeReports(r.targets, rep, color, env.Stdout); err != nil {
		return ExitError, err
	}
	if f.stats {
		printStats(env.Stderr, res.Stats, r.compiled, time.Since(reportStart)) // stats.go
	}
	if !f.quiet {
		fmt.Fprintf(env.Stderr, "meshlint: %s\n", report.SummaryLine(res.Summary))
	}
	for _, msg := range res.Internal {
		fmt.Fprintf(env.Stderr, "meshlint: %s\n", report.Sanitize(msg))
	}
	if res.Stopped != "" {
		fmt.Fprintf(env.Stderr, "meshlint: %s\n", report.Sanitize(res.Stopped))
	}
	return code, nil
}

// ruleInfos describes the enabled rules for the reports, with the severity
// this run gives them (config rules.<id>.severity), as their findings have.
func ruleInfos(rules []*engine.Rule, severity map[string]string) []report.RuleInfo {
	out := make([]report.RuleInfo, 0, len(rules))
	for _, r := range rules {
		doc := r.RuleDoc
		if s, ok := severity[r.ID]; ok {
			doc.Severity = s
		}
		out = append(out, report.RuleInfo{RuleDoc: doc, Tags: r.Tags, SecuritySeverity: r.SecuritySeverity})
	}
	return out
}

// exitCode is 1 when an unsuppressed finding reaches --fail-on.
func exitCode(findings []finding.Finding, failOn string) int {
	if failOn == "none" {
		return ExitOK
	}
	for _, f := range findings {
		if !f.Suppressed && engine.SeverityAtLeast(f.Severity, failOn) {
			return ExitFindings
		}
	}
	return ExitOK
}

func printAssumptions(w io.Writer, s graph.Settings) {
	mesh := string(s.MeshDefaultMode) + " (Istio's default)"
	if s.MeshModeExplicit {
		mesh = string(s.MeshDefaultMode) + " (--mesh-mtls or mesh.defaultMode)"
	}
	// The namespaces may come from a config file in the linted tree.
	fmt.Fprintf(w, "meshlint: assuming root namespace %s; mesh-wide mTLS %s when no mesh PeerAuthentication is given; injection of namespaces without a manifest: %s; default namespace %s\n",
		report.Sanitize(s.RootNamespace), mesh, s.AssumeInjection, report.Sanitize(s.DefaultNamespace))
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
