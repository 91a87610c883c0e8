package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/confine"
)

// prometheusValues is a list of file names layered into one Prometheus, or
// a list of server objects, one Prometheus each.
func TestParsePrometheusValues(t *testing.T) {
	c, err := Parse([]byte("prometheusValues: [base.yaml, ./env/prod.yaml]\n"), FileName, "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.PrometheusValues) != 2 || c.PrometheusValues[1].Path != filepath.FromSlash("/repo/env/prod.yaml") ||
		c.PrometheusValues[1].Written != "./env/prod.yaml" || len(c.PrometheusServers) != 0 {
		t.Errorf("names: %+v %+v", c.PrometheusValues, c.PrometheusServers)
	}

	text := `prometheusValues:
  - files: [apps/base.yaml, apps/prod.yaml]
    release: apps
  - files:
      - infra.yaml
    namespace: infra
`
	c, err = Parse([]byte(text), FileName, "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.PrometheusValues) != 0 || len(c.PrometheusServers) != 2 {
		t.Fatalf("objects: %+v %+v", c.PrometheusValues, c.PrometheusServers)
	}
	a, b := c.PrometheusServers[0], c.PrometheusServers[1]
	if len(a.Files) != 2 || a.Files[1].Path != filepath.FromSlash("/repo/apps/prod.yaml") || a.Release.Value != "apps" || a.Namespace.Set || a.Line != 2 {
		t.Errorf("server 0: %+v", a)
	}
	if len(b.Files) != 1 || b.Files[0].Line != 5 || b.Release.Set || b.Namespace.Value != "infra" || b.Line != 4 {
		t.Errorf("server 1: %+v", b)
	}
	if got := c.PrometheusValuesFiles(); len(got) != 3 || got[2].Written != "infra.yaml" {
		t.Errorf("PrometheusValuesFiles = %+v", got)
	}
}

func TestParsePrometheusValuesErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"a string", "prometheusValues: values.yaml\n",
			`.meshlint.yaml:1: prometheusValues: want a list of values files, or of {files, release, namespace} objects, got string "values.yaml"`},
		{"an object after names", "prometheusValues:\n  - a.yaml\n  - {files: [b.yaml]}\n",
			`.meshlint.yaml:3: prometheusValues[1]: a server object in a list of file names; write either file names`},
		{"a name after objects", "prometheusValues:\n  - {files: [b.yaml]}\n  - a.yaml\n",
			`.meshlint.yaml:3: prometheusValues[1]: string "a.yaml" in a list of server objects; write either file names`},
		{"a typo", "prometheusValues:\n  - files: [a.yaml]\n    relase: apps\n",
			`.meshlint.yaml:3: unknown key "prometheusValues[0].relase" (want one of files, release, namespace)`},
		{"no files", "prometheusValues:\n  - release: apps\n",
			`.meshlint.yaml:2: prometheusValues[0].files: name at least one values file`},
		{"files not a list", "prometheusValues:\n  - files: a.yaml\n",
			`.meshlint.yaml:2: prometheusValues[0].files: want a list of values files, got string "a.yaml"`},
		{"a number as a file", "prometheusValues:\n  - files: [a.yaml, 3]\n",
			`.meshlint.yaml:2: prometheusValues[0].files[1]: want a string, got number 3`},
		{"a bad namespace", "prometheusValues:\n  - files: [a.yaml]\n    namespace: Monitoring\n",
			`.meshlint.yaml:3: prometheusValues[0].namespace: "Monitoring" is not a valid name`},
		{"a bad release", "prometheusValues:\n  - files: [a.yaml]\n    release: \"" + strings.Repeat("a", 54) + "\"\n",
			`.meshlint.yaml:3: prometheusValues[0].release: "` + strings.Repeat("a", 54) + `" is not a valid name: use at most 53`},
		{"files twice", "prometheusValues:\n  - files: [a.yaml]\n    files: [b.yaml]\n",
			`.meshlint.yaml:3: prometheusValues[0].files: given twice (first on line 2)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.text), FileName, ".")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant %s", err, tc.want)
			}
		})
	}
}

// The files of server objects stay in the repository like every path the
// file names.
func TestCheckPathsKeepsServerFilesInside(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse([]byte("prometheusValues:\n  - files: [in.yaml]\n  - files:\n      - in.yaml\n      - ../outside.yaml\n"), FileName, dir)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.CheckPaths(confine.New([]string{dir}, nil))
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 ||
		!strings.Contains(errs[0].Error(), FileName+":5: prometheusValues[1].files[1] \"../outside.yaml\": leaves the repository") {
		t.Errorf("err = %v", err)
	}
}
