package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/meshlint/meshlint/internal/atomicfile"
	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
)

// printError writes an error on stderr. Errors quote file names, config
// values and Rego parse errors with their source lines, all of which a pull
// request controls, so each line is escaped (report.Sanitize); lines after
// the first keep their own indentation or get two spaces, so no line of an
// error can pass for a line of meshlint's own.
func printError(w io.Writer, err error) {
	var b strings.Builder
	b.WriteString("meshlint: ")
	for i, line := range strings.Split(err.Error(), "\n") {
		rest := strings.TrimLeft(line, " \t")
		indent := line[:len(line)-len(rest)]
		if i > 0 {
			b.WriteByte('\n')
			if indent == "" {
				indent = "  "
			}
		}
		b.WriteString(indent + report.Sanitize(rest))
	}
	b.WriteByte('\n')
	io.WriteString(w, b.String())
}

// output is a file the run writes: a report (-o) or the baseline
// (--write-baseline).
type output struct {
	target outputTarget // the report's format and path; format is "" for the baseline
	what   string       // "sarif report", "baseline", for messages
	// dest is the path the file is renamed into place at: absolute, every
	// directory in it resolved, the last element as typed (a symbolic link
	// there is replaced, never written through).
	dest string
	// real is what the path names once every link is resolved, and info
	// the file there; nil when nothing is there yet.
	real string
	info fs.FileInfo
	// direct outputs are character devices and pipes (/dev/stdout,
	// /dev/null): written as they are, since there is no file to replace.
	direct bool
}

// outputPlan is every file a run will write, checked before anything is
// written.
type outputPlan struct {
	files []*output
	// baselineRead is the --baseline file being read, which
	// --write-baseline may replace (the write is atomic) and nothing else may.
	baselineRead string
	// formatter makes the writer of a format; nil is report.New
	// (meshlint graph sets its own, graph.go).
	formatter func(format string) (report.Formatter, error)
}

// newFormatter is the writer of one format for this plan.
func (p *outputPlan) newFormatter(format string, opts report.Options) (report.Formatter, error) {
	if p.formatter != nil {
		return p.formatter(format)
	}
	return report.New(format, opts)
}

// planOutputs resolves the run's outputs and refuses, before anything is
// written, a path that is not a writable file, one written twice, or one the
// run reads: the config file, the baseline, a values file or a policy file.
// The input manifests are checked once they are known (checkInputs).
func planOutputs(f *lintFlags, lc *lintConfig, targets []outputTarget) (*outputPlan, error) {
	plan := &outputPlan{}
	if f.writeBaseline != "" {
		o, err := resolveOutput(outputTarget{path: f.writeBaseline}, "baseline")
		if err != nil {
			return nil, err
		}
		plan.files = append(plan.files, o)
	} else {
		for _, t := range targets {
			if t.path == "-" {
				continue
			}
			o, err := resolveOutput(t, t.format+" report")
			if err != nil {
				return nil, err
			}
			for _, other := range plan.files {
				if !o.direct && !other.direct && o.sameFile(other.real, other.info) {
					return nil, fmt.Errorf("%s and the %s both write to %s; give each --output its own file",
						other.describe(), o.what, o.target.path)
				}
			}
			plan.files = append(plan.files, o)
		}
	}
	if f.baseline != "" {
		plan.baselineRead = f.baseline
	}
	for _, in := range runInputs(f, lc) {
		if err := plan.refuse(in.path, in.what); err != nil {
			return nil, err
		}
	}
	return plan, plan.refusePolicies(lc.settings.policies)
}

// namedInput is a file the run reads that the command line or the config
// file names.
type namedInput struct{ path, what string }

func runInputs(f *lintFlags, lc *lintConfig) []namedInput {
	var in []namedInput
	if lc != nil && lc.cfg != nil {
		in = append(in, namedInput{configFilePath(lc.cfg.File), "the config file in use (" + lc.cfg.File + ")"})
	}
	if f.baseline != "" && f.writeBaseline == "" {
		in = append(in, namedInput{f.baseline, "the --baseline file being read"})
	}
	for _, p := range f.render.values {
		in = append(in, namedInput{p, "a --values file of this run"})
	}
	for _, p := range append(lc.prometheusValues(), f.prom.files...) {
		in = append(in, namedInput{p, "a Prometheus values file of this run"})
	}
	return in
}

// configFilePath turns the config file's display path (relative to the
// working directory, forward slashes) back into a path.
func configFilePath(display string) string {
	p := filepath.FromSlash(display)
	if filepath.IsAbs(p) {
		return p
	}
	if wd, err := os.Getwd(); err == nil {
		return filepath.Join(wd, p)
	}
	return p
}

// checkInputs refuses an output that is a file the run read: an input
// manifest, a chart template, a values file. Run after the lint and before
// any write. opened lists the files read (confine.Root.Opened); it is
// asked only when an output is already there: a run reads every file of
// the repository, and a report to stdout or to a new file needs no sorted
// list of them.
func (p *outputPlan) checkInputs(opened func() []confine.OpenedFile) error {
	var read []confine.OpenedFile
	for _, o := range p.files {
		if o.info == nil || o.direct {
			continue // nothing is there yet: nothing was read from it
		}
		if read == nil {
			read = opened()
		}
		for _, r := range read {
			if p.baselineRead != "" && o.target.format == "" && sameFile(p.baselineRead, r.Path) {
				continue // --baseline b --write-baseline b: refreshing in place
			}
			if o.sameFile(r.Path, r.Info) {
				return o.refusal("an input this run read (" + displayRel(r.Path) + ")")
			}
		}
	}
	return nil
}

// refuse fails when an output is the file at path, which the run reads.
func (p *outputPlan) refuse(path, what string) error {
	real, info := resolveExisting(path)
	if info == nil {
		return nil
	}
	for _, o := range p.files {
		if !o.direct && o.sameFile(real, info) {
			return o.refusal(what)
		}
	}
	return nil
}

// refusePolicies fails when an output would be read as a policy: a .rego
// file in a --policy directory (the engine reads every one below it).
func (p *outputPlan) refusePolicies(dirs []string) error {
	for _, dir := range dirs {
		real, info := resolveExisting(dir)
		if info == nil {
			continue
		}
		for _, o := range p.files {
			if strings.HasSuffix(o.dest, ".rego") && (within(o.dest, real) || within(o.real, real)) {
				return o.refusal("a policy file under --policy " + dir)
			}
		}
	}
	return nil
}

func (o *output) describe() string {
	return "the " + o.what
}

func (o *output) refusal(why string) error {
	flag := "--output"
	if o.target.format == "" {
		flag = "--write-baseline"
	}
	return fmt.Errorf("refusing to write %s to %s: it is %s; choose another %s path (nothing was written)",
		o.describe(), o.target.path, why, flag)
}

// sameFile reports whether the output names the file at real (a real path
// with its info), by path or as the same file (a hard link).
func (o *output) sameFile(real string, info fs.FileInfo) bool {
	if real == o.real || real == o.dest {
		return true
	}
	return o.info != nil && info != nil && confine.SameFile(o.info, info)
}

// resolveOutput checks that a path can take a file and works out where.
func resolveOutput(t outputTarget, what string) (*output, error) {
	o := &output{target: t, what: what}
	fail := func(why string) error {
		return fmt.Errorf("cannot write the %s to %s: %s", what, t.path, why)
	}
	abs, err := filepath.Abs(t.path)
	if err != nil {
		return nil, fail(err.Error())
	}
	if strings.HasSuffix(t.path, "/") || strings.HasSuffix(t.path, string(filepath.Separator)) {
		return nil, fail("it names a directory; give a file name")
	}
	dir, base := filepath.Split(abs)
	realDir, err := filepath.EvalSymlinks(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fail(fmt.Sprintf("directory %s does not exist; create it first", displayRel(dir)))
	case errors.Is(err, syscall.ENOTDIR):
		return nil, fail(fmt.Sprintf("%s is not a directory", displayRel(dir)))
	case err != nil:
		return nil, fail(err.Error())
	}
	if info, err := os.Stat(realDir); err != nil || !info.IsDir() {
		return nil, fail(fmt.Sprintf("%s is not a directory", displayRel(dir)))
	}
	o.dest = filepath.Join(realDir, base)
	o.real = resolvePath(o.dest)
	info, statErr := os.Stat(o.dest) // follows links, /dev/stdout's too
	if statErr == nil {
		o.info = info
	}
	if systemDir(realDir) {
		// /dev/stdout, /dev/null: written as they are; nothing in /dev or
		// /proc is ever replaced or created.
		if o.info == nil || !(o.info.Mode().IsRegular() || o.info.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0) {
			return nil, fail("it is not an existing character device, pipe or file")
		}
		o.direct = true
		return o, nil
	}
	link, err := os.Lstat(o.dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return o, nil
	case err != nil:
		return nil, fail(err.Error())
	case link.Mode()&fs.ModeSymlink != 0:
		// A link, perhaps planted in the linted tree: it is replaced by the
		// file, never written through; real and info still say what it
		// points to, so two spellings of one output are caught.
		return o, nil
	case link.IsDir():
		return nil, fail("it is a directory")
	case link.Mode().IsRegular():
		return o, nil
	case link.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		o.direct = true // a pipe or device the user made (mkfifo)
		return o, nil
	}
	return nil, fail("it is not a regular file")
}

// resolvePath is the real path of p, every link resolved, also when the
// file (or a link's target) does not exist yet: the missing part is kept as
// it would be created.
func resolvePath(p string) string {
	for range 40 { // as many links as Linux follows
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return real
		}
		target, lerr := os.Readlink(p)
		if lerr != nil {
			// p does not exist: resolve its directory.
			dir, base := filepath.Split(p)
			if rd, err := filepath.EvalSymlinks(dir); err == nil {
				return filepath.Join(rd, base)
			}
			return p
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	return p
}

// systemDir reports whether links in dir are the system's (/dev/stdout ->
// /proc/self/fd/1), not something a repository checkout can hold.
func systemDir(dir string) bool {
	return dir == "/dev" || within(dir, "/dev") || within(dir, "/proc")
}

// resolveExisting returns the real path of p and its info, or a nil info
// when nothing is there.
func resolveExisting(p string) (string, fs.FileInfo) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p, nil
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return abs, nil
	}
	info, err := os.Stat(real)
	if err != nil {
		return real, nil
	}
	return real, info
}

func sameFile(a, b string) bool {
	ra, ia := resolveExisting(a)
	rb, ib := resolveExisting(b)
	return ra == rb || (ia != nil && ib != nil && os.SameFile(ia, ib))
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// displayRel shows a path relative to the working directory when it is
// below it, as findings show files.
func displayRel(p string) string {
	if wd, err := os.Getwd(); err == nil {
		return loader.DisplayPath(p, wd)
	}
	return p
}

// write writes one output: atomically for a file, as is for a device.
func (o *output) write(fn func(io.Writer) error) error {
	if !o.direct {
		p, err := atomicfile.Stage(o.dest, atomicfile.DefaultPerm, fn)
		if err != nil {
			return fmt.Errorf("%w (the previous file, if any, is unchanged)", err)
		}
		return p.Commit()
	}
	return o.writeDirect(fn)
}

func (o *output) writeDirect(fn func(io.Writer) error) error {
	// O_APPEND: /dev/stdout may be a file the shell redirected to, which
	// other output shares.
	file, err := os.OpenFile(o.target.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if err := fn(file); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// writeReports writes every report. The files are written in full and
// synced first, and only then renamed into place, so a failed format leaves
// every previous report as it was; stdout is written last.
func (p *outputPlan) writeReports(targets []outputTarget, rep *report.Report, color bool, stdout io.Writer) error {
	byPath := map[string]*output{}
	for _, o := range p.files {
		byPath[o.target.path] = o
	}
	var staged []*atomicfile.Pending
	var stagedFor []*output
	abort := func() {
		for _, s := range staged {
			s.Abort()
		}
	}
	var toStdout, direct []outputTarget
	for _, t := range targets {
		o := byPath[t.path]
		if t.path == "-" || o == nil {
			toStdout = append(toStdout, t)
			continue
		}
		if o.direct {
			direct = append(direct, t)
			continue
		}
		fm, err := p.newFormatter(t.format, report.Options{})
		if err != nil {
			abort()
			return usagef("%v", err)
		}
		s, err := atomicfile.Stage(o.dest, atomicfile.DefaultPerm, func(w io.Writer) error { return fm.Format(w, rep) })
		if err != nil {
			abort()
			return fmt.Errorf("write the %s to %s: %w (the previous file, if any, is unchanged)", o.what, t.path, err)
		}
		staged, stagedFor = append(staged, s), append(stagedFor, o)
	}
	for i, s := range staged {
		if err := s.Commit(); err != nil {
			for _, rest := range staged[i+1:] {
				rest.Abort()
			}
			return fmt.Errorf("write the %s to %s: %w", stagedFor[i].what, stagedFor[i].target.path, err)
		}
	}
	for _, t := range direct {
		o := byPath[t.path]
		fm, err := p.newFormatter(t.format, report.Options{})
		if err != nil {
			return usagef("%v", err)
		}
		if err := o.writeDirect(func(w io.Writer) error { return fm.Format(w, rep) }); err != nil {
			return fmt.Errorf("write the %s to %s: %w", o.what, t.path, err)
		}
	}
	for _, t := range toStdout {
		fm, err := p.newFormatter(t.format, report.Options{Color: color})
		if err != nil {
			return usagef("%v", err)
		}
		if err := fm.Format(stdout, rep); err != nil {
			return fmt.Errorf("write the %s report to stdout: %w", t.format, err)
		}
	}
	return nil
}
