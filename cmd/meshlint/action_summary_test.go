package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The action appends the markdown summary to the job's step summary, after
// what the step summary already holds, and writes none with
// step-summary: false.
func TestActionStepSummary(t *testing.T) {
	a := readAction(t)
	lint := a.step(t, func(s actionStep) bool { return s.ID == "lint" }, "lint")
	bin := meshlintBinary(t)
	work := t.TempDir()
	copyDir(t, filepath.Join(moduleRoot, "testdata", "report", "manifests"), filepath.Join(work, "manifests"))
	for _, c := range []struct {
		input string
		want  func(string) bool
	}{
		{"true", func(s string) bool {
			return strings.HasPrefix(s, "earlier\n## meshlint: ") && strings.Contains(s, "\n### Findings\n")
		}},
		{"false", func(s string) bool { return s == "earlier\n" }},
	} {
		summary := filepath.Join(t.TempDir(), "step_summary")
		if err := os.WriteFile(summary, []byte("earlier\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"PATH": bin + string(os.PathListSeparator) + os.Getenv("PATH"), "GITHUB_STEP_SUMMARY": summary}
		code, out, outputs := runActionStep(t, a, lint, work, map[string]string{"paths": "manifests", "step-summary": c.input}, env)
		if code != 0 || outputs["exit-code"] != "1" {
			t.Fatalf("step-summary %s: step exit %d, outputs %v\n%s", c.input, code, outputs, out)
		}
		b, err := os.ReadFile(summary)
		if err != nil {
			t.Fatal(err)
		}
		if !c.want(string(b)) {
			t.Errorf("step-summary %s: the step summary holds\n%s", c.input, b)
		}
	}
}
