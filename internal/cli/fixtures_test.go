package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/fixtures"
)

// fixtureRoot holds testdata/rules/<rule-id>/{bad,good}/<case>/ directories.
// Each case directory is linted as one input (rules are cross-resource). A
// `# want "regexp"` comment on a line states that a finding anchors on that
// line and that "message [rule-id]" matches the regexp; several may follow
// one `want`. Every finding of a case must be wanted and every want must be
// found, so good cases prove silence and bad cases prove exact positions.
// An optional file named `args` holds extra command-line flags, and an
// optional .meshlint.yaml a config file (see internal/fixtures).
const fixtureRoot = "../../testdata/rules"

var wantComment = regexp.MustCompile(`#\s*want((?:\s+"(?:[^"\\]|\\.)*")+)\s*$`)
var wantString = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

type want struct {
	file string
	line int
	re   *regexp.Regexp
	hit  bool
}

func TestRuleFixtures(t *testing.T) {
	rules, err := os.ReadDir(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, rule := range rules {
		if !rule.IsDir() {
			continue
		}
		for _, kind := range []string{"bad", "good"} {
			dir := filepath.Join(fixtureRoot, rule.Name(), kind)
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Errorf("rule %s has no %s fixtures: %v", rule.Name(), kind, err)
				continue
			}
			for _, c := range entries {
				if !c.IsDir() {
					t.Errorf("%s: fixtures are directories, one per case; found file %s", dir, c.Name())
					continue
				}
				cases++
				caseDir := filepath.Join(dir, c.Name())
				t.Run(rule.Name()+"/"+kind+"/"+c.Name(), func(t *testing.T) {
					runFixture(t, rule.Name(), kind, caseDir)
				})
			}
		}
	}
	if cases == 0 {
		t.Fatal("no fixtures found")
	}
}

func runFixture(t *testing.T, rule, kind, dir string) {
	wants, err := readWants(dir)
	if err != nil {
		t.Fatal(err)
	}
	if kind == "bad" {
		found := false
		for _, w := range wants {
			if strings.Contains(w.re.String(), rule) {
				found = true
			}
		}
		if !found {
			t.Errorf("bad fixture has no `# want` naming %s", rule)
		}
	}
	args := []string{"--format", "json", "--fail-on", "none", "-q"}
	extra, err := fixtures.Args(dir) // the args file and the case's .meshlint.yaml
	if err != nil {
		t.Fatal(err)
	}
	args = append(append(args, extra...), dir)
	var stdout, stderr bytes.Buffer
	code := Run(args, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false },
		Now: func() time.Time { return fixtures.Clock }})
	if code != 0 {
		t.Fatalf("meshlint exited %d: %s", code, stderr.String())
	}
	var doc struct {
		Findings []finding.Finding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("decode json: %v\n%s", err, stdout.String())
	}
	var problems []string
	for _, f := range doc.Findings {
		text := f.Message + " [" + f.Rule + "]"
		matched := false
		for _, w := range wants {
			if !w.hit && w.line == f.Line && shown(t, w.file, dir) == f.File && w.re.MatchString(text) {
				w.hit, matched = true, true
				break
			}
		}
		if !matched {
			problems = append(problems, fmt.Sprintf("unexpected finding %s:%d:%d: %s", f.File, f.Line, f.Column, text))
		}
	}
	for _, w := range wants {
		if !w.hit {
			problems = append(problems, fmt.Sprintf("no finding at %s:%d matching %q", w.file, w.line, w.re))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// readWants collects the `# want` comments of every file in dir. Paths are
// made relative the way meshlint displays them (relative to the working
// directory of the test, which is the package directory).
func readWants(dir string) ([]*want, error) {
	var out []*want
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		line := 0
		for sc.Scan() {
			line++
			m := wantComment.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			for _, s := range wantString.FindAllStringSubmatch(m[1], -1) {
				pattern, err := strconv.Unquote(`"` + s[1] + `"`)
				if err != nil {
					return fmt.Errorf("%s:%d: bad want string: %v", p, line, err)
				}
				re, err := regexp.Compile(pattern)
				if err != nil {
					return fmt.Errorf("%s:%d: bad want regexp: %v", p, line, err)
				}
				out = append(out, &want{file: p, line: line, re: re})
			}
		}
		return sc.Err()
	})
	return out, err
}
