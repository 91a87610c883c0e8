// Package docgen regenerates the rule documentation: the examples embedded
// in the binary (internal/docs/examples.json), docs/rules/<id>.md for every
// built-in rule and the docs/rules/README.md index. Run it with
// `go generate ./...` (or `make generate`), through the command in
// internal/_dev/docgen, after changing a rule's METADATA or fixtures;
// TestGeneratedDocsAreCurrent fails until you do. The command lives apart
// so that `go install ./...` builds only meshlint.
package docgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/cli"
	"github.com/meshlint/meshlint/internal/docs"
	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/fixtures"
)

// Paths of the generated files, relative to the repository root.
const (
	examplesFile = "internal/docs/examples.json"
	fixtureDir   = "testdata/rules"
)

// Run regenerates the documentation of the repository holding the working
// directory.
func Run() error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	files, err := generate(root)
	if err != nil {
		return err
	}
	return write(root, files)
}

// write brings the committed docs in line with files: stale pages of rules
// that no longer exist are removed, changed files rewritten.
func write(root string, files map[string][]byte) error {
	stale, err := stalePages(root, files)
	if err != nil {
		return err
	}
	for _, p := range stale {
		if err := os.Remove(filepath.Join(root, p)); err != nil {
			return fmt.Errorf("remove stale page: %w", err)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		full := filepath.Join(root, filepath.FromSlash(p))
		if old, err := os.ReadFile(full); err == nil && bytes.Equal(old, files[p]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	return nil
}

// repoRoot is the nearest directory above the working directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("get working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// generate returns every generated file, keyed by its path relative to
// root with forward slashes.
func generate(root string) (map[string][]byte, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("find repository root: %w", err)
	}
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		return nil, err
	}
	catalog := docs.Catalog{}
	for _, r := range eng.Rules {
		ex, err := ruleExamples(root, r.ID)
		if err != nil {
			return nil, err
		}
		if ex != nil {
			catalog[r.ID] = ex
		}
	}
	out := map[string][]byte{}
	if out[examplesFile], err = catalog.Marshal(); err != nil {
		return nil, err
	}
	for _, r := range eng.Rules {
		out[docs.PageDir+"/"+r.ID+".md"] = docs.RulePage(r, catalog[r.ID])
	}
	out[docs.PageDir+"/README.md"] = docs.Index(eng.Rules)
	return out, nil
}

// ruleExamples picks the smallest bad and good case of a rule (smaller
// examples read better; ties go to the first name) and runs meshlint on
// them.
func ruleExamples(root, id string) (*docs.Examples, error) {
	ex := &docs.Examples{}
	for _, kind := range []string{"bad", "good"} {
		dir := filepath.Join(root, fixtureDir, id, kind)
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read fixtures of %s: %w", id, err)
		}
		var names []string
		best, bestSize := "", -1
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			names = append(names, e.Name())
			size, err := caseSize(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			if bestSize < 0 || size < bestSize {
				best, bestSize = e.Name(), size
			}
		}
		if best == "" {
			continue
		}
		example, err := runCase(root, filepath.Join(dir, best))
		if err != nil {
			return nil, err
		}
		if kind == "bad" {
			ex.Bad, ex.BadCases = example, names
		} else {
			ex.Good, ex.GoodCases = example, names
		}
	}
	if ex.Bad == nil && ex.Good == nil {
		return nil, nil
	}
	return ex, nil
}

func caseSize(dir string) (int, error) {
	files, err := fixtures.Files(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		n += len(f.Text)
	}
	return n, nil
}

// runCase lints one case the way the fixture test does, from inside the
// case directory, so that file names and any paths in messages read the
// same whatever directory the generator runs in.
func runCase(root, dir string) (ex *docs.Example, err error) {
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return nil, err
	}
	ex = &docs.Example{Dir: filepath.ToSlash(rel)}
	if ex.Files, err = fixtures.Files(dir); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, fixtures.ArgsFile)); err == nil {
		// Shown as if run from the case directory.
		text := strings.ReplaceAll(string(b), fixtures.CasePlaceholder+"/", "")
		ex.Args = strings.Fields(strings.ReplaceAll(text, fixtures.CasePlaceholder, "."))
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("get working directory: %w", err)
	}
	if err := os.Chdir(dir); err != nil {
		return nil, fmt.Errorf("lint fixture %s: %w", ex.Dir, err)
	}
	defer func() {
		if cerr := os.Chdir(wd); cerr != nil && err == nil {
			err = fmt.Errorf("return to %s: %w", wd, cerr)
		}
	}()
	extra, err := fixtures.Args(".")
	if err != nil {
		return nil, err
	}
	// --root .: paths are named from the case directory, as the page shows
	// the run (without it they would be named from the repository's top).
	args := append([]string{"--format", "json", "--fail-on", "none", "-q", "--root", "."}, extra...)
	args = append(args, ".")
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		IsTerminal: func() bool { return false }, Now: func() time.Time { return fixtures.Clock }})
	if code != cli.ExitOK {
		return nil, fmt.Errorf("lint fixture %s: exit %d: %s", ex.Dir, code, stderr.String())
	}
	var doc struct {
		Findings []finding.Finding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("lint fixture %s: decode json: %w", ex.Dir, err)
	}
	for _, f := range doc.Findings {
		ef := docs.Finding{Rule: f.Rule, Severity: f.Severity, Message: f.Message, File: f.File, Line: f.Line, Column: f.Column}
		for _, r := range f.Related {
			ef.Related = append(ef.Related, docs.Location{Message: r.Message, File: r.File, Line: r.Line, Column: r.Column})
		}
		ex.Findings = append(ex.Findings, ef)
	}
	return ex, nil
}

// stalePages lists generated pages on disk that generate no longer
// produces (a rule was removed or renamed).
func stalePages(root string, files map[string][]byte) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, docs.PageDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", docs.PageDir, err)
	}
	var stale []string
	for _, e := range entries {
		p := docs.PageDir + "/" + e.Name()
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") || files[p] != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, docs.PageDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if bytes.HasPrefix(b, []byte(docs.Header)) {
			stale = append(stale, p)
		}
	}
	return stale, nil
}
