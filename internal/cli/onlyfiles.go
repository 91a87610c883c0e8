package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
)

// onlyFilesFlags narrow what is reported, never what is linted: a
// ServiceMonitor is wrong because of a PeerAuthentication in another file,
// so the whole input is linted and only the findings that touch the given
// files are reported. meshlint never asks git which files changed; CI pipes
// that list in (git diff --name-only origin/main... | meshlint
// --only-files-from - .).
type onlyFilesFlags struct {
	args bool   // --only-files: the arguments are the files to report on
	from string // --only-files-from FILE|-: one path a line (or NUL-separated)
}

func (o *onlyFilesFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&o.args, "only-files", false,
		"the arguments are files to report on (as pre-commit passes them): lint the current directory, report only findings located in those files")
	fs.StringVar(&o.from, "only-files-from", "",
		"report only findings located in the files listed in FILE (one a line, or NUL-separated; - is stdin); the whole input is still linted")
}

// split returns the paths to lint and the files named on the command line
// to report on: with --only-files the arguments are those files and the
// current directory is linted.
func (o *onlyFilesFlags) split(args []string) (paths, named []string) {
	if !o.args {
		return args, nil
	}
	return []string{"."}, args
}

// fileFilter is the set of display paths findings are kept for; nil keeps
// everything.
type fileFilter map[string]bool

// load builds the filter from the named files and --only-files-from, before
// anything reads stdin. maxBytes bounds the list file like any input.
func (o *onlyFilesFlags) load(named, paths []string, base string, env Env, maxBytes int64) (fileFilter, error) {
	if !o.args && o.from == "" {
		return nil, nil
	}
	filter := fileFilter{}
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" {
			// Named as findings name files (relative to base).
			filter[loader.DisplayPath(p, base)] = true
		}
	}
	for _, p := range named {
		add(p)
	}
	if o.from == "" {
		return filter, nil
	}
	var data []byte
	var err error
	if o.from == "-" {
		for _, p := range paths {
			if p == "-" {
				return nil, usagef("--only-files-from - and the input - both want stdin; give the list in a file")
			}
		}
		data, err = io.ReadAll(io.LimitReader(env.Stdin, maxBytes+1))
		if err == nil && int64(len(data)) > maxBytes {
			err = fmt.Errorf("larger than --max-file-size (%d bytes)", maxBytes)
		}
	} else {
		root := confine.New(nil, nil)
		root.AllowTyped(o.from)
		data, err = root.ReadFile(o.from, maxBytes, "--max-file-size")
	}
	if err != nil {
		return nil, fmt.Errorf("--only-files-from %s: %w", o.from, err)
	}
	sep := []byte("\n")
	if bytes.IndexByte(data, 0) >= 0 {
		sep = []byte{0} // git diff -z
	}
	for _, line := range bytes.Split(data, sep) {
		add(strings.TrimSuffix(string(line), "\r"))
	}
	return filter, nil
}

// apply keeps the findings whose own location or a related one is in the
// filter, and the resources of those files (JUnit's test cases), and counts
// the kept findings again; the summary's files and resources stay what was
// linted.
func (ff fileFilter) apply(res *lint.Result) {
	if ff == nil {
		return
	}
	kept := res.Findings[:0:0]
	for _, f := range res.Findings {
		if ff.touches(f) {
			kept = append(kept, f)
		}
	}
	res.Findings = kept
	var resources []report.LintedResource
	for _, r := range res.Resources {
		if ff[r.File] {
			resources = append(resources, r)
		}
	}
	res.Resources = resources
	s := &res.Summary
	s.Errors, s.Warnings, s.Notes, s.Suppressed = 0, 0, 0, 0
	for _, f := range kept {
		switch {
		case f.Suppressed:
			s.Suppressed++
		case f.Severity == "error":
			s.Errors++
		case f.Severity == "warning":
			s.Warnings++
		default:
			s.Notes++
		}
	}
}

func (ff fileFilter) touches(f finding.Finding) bool {
	if ff[f.File] {
		return true
	}
	for _, r := range f.Related {
		if ff[r.File] {
			return true
		}
	}
	return false
}
