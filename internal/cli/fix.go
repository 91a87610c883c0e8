package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/atomicfile"
	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/report"
)

// maxFixRounds bounds how often `meshlint fix` lints again to apply fixes
// that collided with others in one round (two fixes adding keys at one
// place). Every round must change a file, so this is a backstop.
const maxFixRounds = 8

// fixRun is `meshlint fix`: it takes the lint's result in place of the
// reports (runLintAs) and applies the default fixes.
type fixRun struct {
	diff  bool
	rules map[string]bool // --rule; empty: every rule
	// changed counts the files written and the fixes applied this round.
	changed, applied int
	out              io.Writer
}

// runFix applies the default fix of every fixable finding to the files in
// place, round after round, then lints again and reports what is left
// with the lint's own flags and exit code. With --diff it prints the
// changes of one round as a unified diff and writes nothing.
func runFix(args []string, env Env) (int, error) {
	fr := &fixRun{rules: map[string]bool{}, out: env.Stdout}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--diff":
			fr.diff = true
		case a == "--rule" && i+1 < len(args):
			i++
			addRules(fr.rules, args[i])
		case strings.HasPrefix(a, "--rule="):
			addRules(fr.rules, strings.TrimPrefix(a, "--rule="))
		case a == "--rule":
			return ExitError, usagef("--rule needs a rule id")
		case a == "-h" || a == "--help":
			printFixHelp(env.Stdout)
			return ExitOK, nil
		default:
			rest = append(rest, a)
		}
	}
	for r := range fr.rules {
		if !fix.Fixable(r) {
			return ExitError, usagef("--rule %q: not a rule whose findings have fixes", r)
		}
	}
	total, refused, said := 0, false, map[string]bool{}
	for round := 0; round < maxFixRounds; round++ {
		fr.changed, fr.applied = 0, 0
		quiet := Env{Stdin: env.Stdin, Stdout: io.Discard, Stderr: io.Discard, Getenv: env.Getenv, IsTerminal: func() bool { return false }, Now: env.Now}
		code, err := runLintAs(rest, quiet, &lintFlags{}, fr)
		if err == nil && code == ExitError {
			return runLint(rest, env) // the lint itself failed: say why, with its own output
		}
		if err != nil {
			// files that may not be written are named; the others are fixed
			if !isFixRefusal(err) {
				return ExitError, err
			}
			if !said[err.Error()] { // the same refusal comes back each round
				said[err.Error()] = true
				printError(env.Stderr, err)
			}
			refused = true
		}
		total += fr.applied
		if fr.diff || fr.changed == 0 {
			break
		}
	}
	if fr.diff {
		if refused {
			return ExitError, nil
		}
		return ExitOK, nil
	}
	fmt.Fprintf(env.Stderr, "meshlint: applied %d fixes; linting again\n", total)
	code, err := runLint(rest, env)
	if refused && err == nil {
		code = ExitError // a fix could not be written: the job is not done
	}
	return code, err
}

// fixRefusal is a file a fix may not be written to, or no longer fits.
type fixRefusal struct{ err error }

func (e fixRefusal) Error() string { return e.err.Error() }
func (e fixRefusal) Unwrap() error { return e.err }

func isFixRefusal(err error) bool {
	var r fixRefusal
	return errors.As(err, &r)
}

func addRules(set map[string]bool, list string) {
	for _, r := range strings.Split(list, ",") {
		if r = strings.TrimSpace(r); r != "" {
			set[r] = true
		}
	}
}

func printFixHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: meshlint fix [--diff] [--rule RULE] [lint flags] [PATH ...]

Applies the default fix of every fixable finding to the files in place (each
file replaced atomically, only regular files inside the repository, and only
when unchanged since it was linted), then lints again and reports what is
left, with the exit code of that lint. Findings whose fix is a choice keep
their options in the report ('fix:' lines, JSON and SARIF fixes).

  --diff          print the changes as a unified diff; write nothing
  --rule RULE     fix only findings of these rules (comma separated or repeated)

Every lint flag applies (meshlint --help).
`)
}

// apply makes the default fixes of a finished lint: the edits per file,
// each file checked and written (or diffed) on its own.
func (fr *fixRun) apply(res *lint.Result, root *confine.Root, base string, maxBytes int64) error {
	byFile := map[string][]fix.Fix{}
	for _, f := range res.Findings {
		if f.Suppressed || len(fr.rules) > 0 && !fr.rules[f.Rule] {
			continue
		}
		for _, fx := range f.Fixes {
			if fx.Default && len(fx.Edits) > 0 {
				for _, file := range editFiles(fx) {
					byFile[file] = append(byFile[file], fx)
				}
			}
		}
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	var errs []error
	for _, file := range files {
		taken, _ := fix.Select(byFile[file])
		var edits []fix.Edit
		for _, fx := range taken {
			for _, e := range fx.Edits {
				if e.File == file {
					edits = append(edits, e)
				}
			}
		}
		if err := fr.applyFile(file, edits, root, base, maxBytes); err != nil {
			errs = append(errs, fixRefusal{fmt.Errorf("fix %s: %w", report.Sanitize(file), err)})
			continue
		}
		fr.applied += len(taken)
	}
	return errors.Join(errs...)
}

// editFiles are the files a fix edits, sorted.
func editFiles(fx fix.Fix) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range fx.Edits {
		if !seen[e.File] {
			seen[e.File] = true
			out = append(out, e.File)
		}
	}
	sort.Strings(out)
	return out
}

// applyFile writes one file's edits: only a regular file, named without a
// symbolic link, inside the repository; only when its text is the text the
// edits were computed against.
func (fr *fixRun) applyFile(file string, edits []fix.Edit, root *confine.Root, base string, maxBytes int64) error {
	if file == "-" {
		return errors.New("standard input cannot be fixed in place")
	}
	p := filepath.FromSlash(file)
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	real, err := root.Resolve(abs)
	if err != nil {
		return err
	}
	info, err := os.Lstat(abs)
	if err != nil {
		return err
	}
	if real != abs || !info.Mode().IsRegular() {
		return errors.New("not written: it is a symbolic link, under one, or not a regular file")
	}
	text, err := root.ReadFile(real, maxBytes, "--max-file-size")
	if err != nil {
		return err
	}
	for _, e := range edits {
		if e.Hash != fix.Hash(text) {
			return errors.New("not written: the file changed since it was linted; run meshlint fix again")
		}
	}
	out, err := fix.Apply(text, edits)
	if err != nil {
		return err
	}
	if string(out) == string(text) {
		return nil
	}
	fr.changed++
	if fr.diff {
		d, err := fix.Diff(file, text, out)
		if err != nil {
			return err
		}
		_, err = io.WriteString(fr.out, d)
		return err
	}
	return atomicfile.WriteFile(real, atomicfile.DefaultPerm, func(w io.Writer) error {
		_, err := w.Write(out)
		return err
	})
}
