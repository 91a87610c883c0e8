// Package loader reads Kubernetes manifests from files, directories and
// stdin, and turns them into Documents with lazily computed positions. It is
// the only package that sees bytes and file handles.
package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/exclude"
	"github.com/meshlint/meshlint/internal/finding"
)

// Limits bound the work one input can cause.
type Limits struct {
	MaxFileBytes int64 // larger files are reported, not read
	MaxDocuments int   // YAML documents per file
	MaxDepth     int   // nesting depth of a document
	MaxNodes     int   // YAML nodes per document after alias expansion
	// MaxFacts bounds the whole model rather than one file: the scrape
	// facts (monitor endpoints, times the scrapers selecting them, times
	// their targets) the rules are given. The lint counts them
	// before building them (graph.CheckFactLimit).
	MaxFacts int
}

// DefaultLimits are generous for real repositories (the largest generated
// CRD bundles are a few MB) and small enough that a hostile file cannot
// exhaust a CI runner.
var DefaultLimits = Limits{
	MaxFileBytes: 64 << 20,
	MaxDocuments: 100000,
	MaxDepth:     200,
	MaxNodes:     1000000,
	MaxFacts:     DefaultMaxFacts,
}

// Options configure Load.
type Options struct {
	Stdin   io.Reader // read for the path "-"
	WorkDir string    // display paths are relative to it (the CLI gives DisplayBase); default: the current directory
	Limits  Limits
	// Root is what may be read (internal/confine): a file whose real path
	// leaves it is reported, not read. nil reads anything (tests).
	Root *confine.Root
	// Exclude leaves out the paths it matches (.meshlint.yaml exclude:,
	// --exclude): an excluded directory is not walked, so no file, chart or
	// Kustomize root under it is read; each is listed in Result.Skipped.
	// nil excludes nothing.
	Exclude *exclude.Matcher
	// DetectRoots lists Helm charts and Kustomize roots in Result.Roots
	// instead of walking into them (internal/render renders them).
	DetectRoots bool
	// Kinds are the kinds whose objects the caller reads; nil reads all.
	Kinds Kinds
	// Fields, when set, gives the fields the caller reads of the objects
	// of a kind (Fields): the others are checked as YAML, as always, but
	// not built. Document.Object then holds only those, and Decode the
	// whole object. nil builds every field.
	Fields FieldsOf
	// Read, when set, is called on each document of a file as soon as it
	// is read, on the worker that read it (so concurrently), before the
	// file's text is released: the caller takes what it needs and may
	// release the decoded object (Document.ReleaseObject), so that a
	// repository's decoded objects are never all alive at once. At
	// platform scale they would be most of the memory.
	Read func(*Document)
	// ReleaseTexts drops each file's text once its documents are read (and
	// extracted); the few documents later asked for their text or positions
	// read their file again (filetext.go). Standard input is kept.
	ReleaseTexts bool
	// RecordFiles keeps each document's text but has it remember the file
	// it was read from, as ReleaseTexts does, so that the per-file pass
	// over findings (EachFile) reads the file's bytes to compute fixes in
	// the pass: for documents read again whole (each environment's own).
	RecordFiles bool
}

// Kinds reports whether a caller reads objects of a kind. The loader
// decodes the documents of those kinds whole (Document.Object) and checks
// them as Kubernetes objects; every other document is only checked for
// being well formed and identified from its text, which is where most of
// the time and memory of a large repository would otherwise go.
type Kinds func(apiVersion, kind string) bool

// decodes reports whether a document of this kind is decoded: every kind
// when the caller named none.
func (k Kinds) decodes(apiVersion, kind string) bool { return k == nil || k(apiVersion, kind) }

// Skip is a file that was not linted because it is not a manifest, or, with
// Line set, one document of a file that is not an object meshlint reads.
type Skip struct {
	File   string
	Line   int // 1-based line of a skipped document; 0 for a whole file
	Reason string
	// APIVersion and Kind are a skipped document's, for callers that know
	// more to say about it than the loader does; "" for a whole file.
	APIVersion, Kind string
}

// Result is everything read from the inputs, in a deterministic order.
type Result struct {
	Documents []*Document
	Problems  []finding.Problem
	Skipped   []Skip
	Files     int // files read as manifests
	// SkippedFiles counts the files not read as manifests: Skipped also
	// lists single documents, by line, of files that were.
	SkippedFiles int
	Roots        []Root // with Options.DetectRoots: charts and Kustomize roots to render
	Stats        Stats
}

// Stats count the loader's work in the files read as manifests, for
// --stats: how many YAML documents there were, how many of them prescan
// identified from their text alone (kinds no rule reads), and how many
// objects were fully decoded for the graph.
type Stats struct {
	YAMLDocuments int
	Prescanned    int
	Decoded       int
}

// input is one file to read, in the order the user's paths produce them.
type input struct {
	path             string // filesystem path, or "-" for stdin
	display          string
	inChartTemplates bool
	skip             string // why the file is skipped unread; "" to read it
	typed            bool   // the user typed this path: failing to read it stops the run
}

// Load reads every path. A path that does not exist is an error (the user
// typed it); problems inside files are returned as Problems, so one bad file
// never hides the findings of the others.
func Load(paths []string, opts Options) (*Result, error) {
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits
	}
	if opts.WorkDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("get working directory: %w", err)
		}
		opts.WorkDir = wd
	}
	if opts.Root == nil {
		opts.Root = confine.Unconfined()
	}
	res := &Result{}
	// Files are read and parsed while the walk goes on, over a bounded pool
	// of workers: on a large tree the walk alone takes a good part of a
	// second, during which the other cores would otherwise wait. Results
	// keep the order in which the walk found the files.
	work := make(chan *job, 256)
	var stdinErr error
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j.out = readAndParse(j.in, opts, &stdinErr)
			}
		}()
	}
	var jobs []*job
	var stdin []*job // read only once every path is known to exist
	// One walk finds every file once, under a name of its own; only a
	// file reached from two of the paths (or "-" named twice) is found
	// again, so the names found are kept only when there are several.
	var seen map[string]bool
	if len(paths) > 1 {
		seen = map[string]bool{}
	}
	emit := func(in input) {
		if seen != nil {
			if seen[in.display] {
				return // the same file named twice
			}
			seen[in.display] = true
		}
		j := &job{in: in}
		jobs = append(jobs, j)
		if in.path == "-" {
			stdin = append(stdin, j)
			return
		}
		work <- j
	}
	var walkErr error
	for _, p := range paths {
		if p == "-" {
			emit(input{path: "-", display: "-"})
			continue
		}
		var roots *[]Root
		if opts.DetectRoots {
			roots = &res.Roots
		}
		problems, err := walk(p, opts.WorkDir, opts.Exclude, roots, emit)
		if err != nil {
			walkErr = err
			break
		}
		res.Problems = append(res.Problems, problems...)
	}
	if walkErr == nil {
		for _, j := range stdin {
			work <- j
		}
	}
	close(work)
	wg.Wait()
	if walkErr != nil {
		return nil, walkErr
	}
	if stdinErr != nil {
		return nil, stdinErr
	}
	for _, j := range jobs {
		if j.out.readErr != nil {
			return nil, j.out.readErr
		}
	}

	res.collect(jobs)
	return res, nil
}

// job is one file to read and what reading it found: one allocation, the
// input and its result together, passed by pointer, so that the list of
// them grows by a word per file.
type job struct {
	in  input
	out parsedFile
}

// collect adds the parsed files to res in the order the walk found them:
// skipped files as skips, the rest as documents and problems, sorted by
// place.
func (res *Result) collect(jobs []*job) {
	for _, j := range jobs {
		pf := &j.out
		if pf.skipped != "" {
			res.Skipped = append(res.Skipped, Skip{File: j.in.display, Reason: pf.skipped})
			res.SkippedFiles++
			continue
		}
		res.Skipped = append(res.Skipped, pf.notObjects...)
		if len(pf.docs) == 0 && len(pf.problems) == 0 && len(pf.notObjects) > 0 {
			res.SkippedFiles++
			continue // nothing in it is an object: not a file read as manifests
		}
		res.Files++
		res.Documents = append(res.Documents, pf.docs...)
		res.Problems = append(res.Problems, pf.problems...)
		res.Stats.YAMLDocuments += pf.yamlDocuments
		res.Stats.Prescanned += pf.prescanned
		res.Stats.Decoded += pf.decoded
	}
	sort.SliceStable(res.Problems, func(i, j int) bool {
		a, b := res.Problems[i], res.Problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// readAndParse reads one input whole and closes it before parsing, so a
// repository with tens of thousands of files never holds them open at once.
func readAndParse(in input, opts Options, stdinErr *error) (pf parsedFile) {
	defer func() {
		if r := recover(); r != nil {
			pf = parsedFile{problems: []finding.Problem{{File: in.display, Line: 1, Column: 1, EndLine: 1, EndColumn: 1, Internal: true,
				Message: fmt.Sprintf("internal error while reading this file (please report it): %v", r)}}}
		}
	}()
	var data []byte
	var err error
	if in.path == "-" {
		if opts.Stdin == nil {
			*stdinErr = errors.New("read stdin: no standard input")
			return parsedFile{}
		}
		data, err = io.ReadAll(io.LimitReader(opts.Stdin, opts.Limits.MaxFileBytes+1))
		if err != nil {
			// A pipe that broke half way: report where it stopped, and
			// lint none of it (a truncated manifest would mislead).
			line := bytes.Count(data, []byte("\n")) + 1
			return parsedFile{problems: []finding.Problem{{File: in.display, Line: line, Column: 1, EndLine: line, EndColumn: 1,
				Message: fmt.Sprintf("cannot read standard input: %v (after %d bytes, in line %d); nothing from it was linted", err, len(data), line)}}}
		}
	} else {
		if in.skip != "" {
			return parsedFile{skipped: in.skip}
		}
		data, err = opts.Root.ReadFile(in.path, opts.Limits.MaxFileBytes, "--max-file-size")
		var tooLarge *confine.TooLargeError
		if errors.As(err, &tooLarge) {
			return parsedFile{problems: []finding.Problem{{File: in.display, Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
				Message: sizeLimitMessage(opts.Limits.MaxFileBytes)}}}
		}
		if err != nil && in.typed {
			// The user named this file: not reading it is not a finding
			// about the repository, it is a run that cannot do its job.
			return parsedFile{readErr: fmt.Errorf("cannot read %s: %w (a path given on the command line must be a readable regular file)", in.display, err)}
		}
		if err != nil {
			return parsedFile{problems: []finding.Problem{{File: in.display, Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
				Message: "cannot read file: " + err.Error()}}}
		}
	}
	if int64(len(data)) > opts.Limits.MaxFileBytes {
		return parsedFile{problems: []finding.Problem{{File: in.display, Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
			Message: sizeLimitMessage(opts.Limits.MaxFileBytes)}}}
	}
	pf = parseFile(in.display, data, opts.Limits, opts.Kinds, opts.Fields, in.inChartTemplates)
	var file *fileText
	if (opts.ReleaseTexts || opts.RecordFiles) && in.path != "-" && len(pf.docs) > 0 {
		file = newFileText(opts.Root, in.path, pf.text, opts.Limits.MaxFileBytes)
	}
	for _, d := range pf.docs {
		if d.Object != nil {
			pf.decoded++
		}
		if opts.Read != nil {
			opts.Read(d)
		}
		if file != nil {
			d.file = file
			if opts.ReleaseTexts {
				d.releaseText()
			}
		}
	}
	pf.text = ""
	return pf
}

// inChartTemplates reports whether a file sits in a Helm chart's templates
// directory (a "templates" folder next to a Chart.yaml).
func inChartTemplates(p string) bool { return dirInChartTemplates(filepath.Dir(p)) }

// dirInChartTemplates reports whether the files of dir are
// inChartTemplates: dir or a directory above it, as named, is a templates
// directory with a Chart.yaml beside it.
func dirInChartTemplates(dir string) bool {
	for d := dir; ; {
		if filepath.Base(d) == "templates" && chartBeside(filepath.Dir(d)) {
			return true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return false
		}
		d = parent
	}
}

// chartBeside reports whether dir holds a Chart.yaml.
func chartBeside(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil
}

// DisplayPath makes a filesystem path the way findings show it: relative to
// workDir (DisplayBase: the repository root in a CLI run), with forward
// slashes. Paths outside it are made relative where possible, so output
// never carries an absolute path of the CI runner. Every path meshlint
// writes goes through it.
func DisplayPath(p, workDir string) string {
	abs, err := filepath.Abs(p)
	if err == nil {
		if rel, err := filepath.Rel(workDir, abs); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(filepath.Clean(p))
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

func firstInvalidUTF8(s string) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += size
	}
	return line, col
}
