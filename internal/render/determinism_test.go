package render_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/cli"
	"github.com/meshlint/meshlint/internal/fixtures"
)

// Messages that come from Helm, Kustomize or a JSON schema carry lists
// built in map order and the machine's paths unless meshlint stabilises
// them; a message that changes between runs changes SARIF fingerprints,
// and code-scanning alerts churn. Every render fixture is linted several
// times, and its outputs must be the same bytes each time.

// schemaChart is a chart whose values break its schema in several places
// at once, each list of which Helm's validator builds in map order.
func schemaChartDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"chart/Chart.yaml": "apiVersion: v2\nname: schema\nversion: 0.1.0\n",
		"chart/values.yaml": "zeta: 1\nalpha: 1\nmu: 1\nbeta: 1\nomega: 1\nkappa: 1\n" +
			"nested: {zz: 1, yy: 1, xx: 1, ww: 1}\nport: high\nreplicas: many\n",
		"chart/values.schema.json": `{"type": "object", "additionalProperties": false, "required": ["name", "image", "tag"],
  "properties": {"port": {"type": "integer"}, "replicas": {"type": "integer"},
    "nested": {"type": "object", "additionalProperties": false}}}`,
		"chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	return filepath.Join(dir, "chart")
}

func TestRenderOutputIsTheSameEveryRun(t *testing.T) {
	var dirs []string
	for _, glob := range []string{"../../testdata/rules/render-error/bad/*", "../../testdata/rules/render-skipped/bad/*",
		"../../testdata/render/*", "../../testdata/render/helm-deps/umbrella"} {
		found, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, found...)
	}
	if len(dirs) < 10 {
		t.Fatalf("only %d fixtures found", len(dirs))
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	schema := schemaChartDir(t)
	dirs = append(dirs, schema)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if dir == schema {
				t.Chdir(filepath.Dir(dir))
				dir = "chart"
			}
			extra, err := fixtures.Args(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, format := range []string{"json", "sarif"} {
				var first []byte
				for run := 0; run < 4; run++ {
					out := runFormat(t, format, append(extra, dir))
					if run == 0 {
						first = out
						for _, machine := range []string{filepath.ToSlash(wd), filepath.ToSlash(filepath.Dir(schema)), os.TempDir()} {
							if holdsPath(out, machine) {
								t.Errorf("%s output holds the machine path %s:\n%s", format, machine, out)
							}
						}
						continue
					}
					if !bytes.Equal(out, first) {
						t.Fatalf("%s output of run %d differs from run 0:\n%s\n---\n%s", format, run, first, out)
					}
				}
			}
		})
	}
}

func runFormat(t *testing.T, format string, args []string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	all := append([]string{"--format", format, "--fail-on", "none", "-q"}, args...)
	code := cli.Run(all, cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		IsTerminal: func() bool { return false }, Now: func() time.Time { return fixtures.Clock }})
	if code != 0 {
		t.Fatalf("meshlint %s exited %d: %s", strings.Join(all, " "), code, stderr.String())
	}
	return stdout.Bytes()
}

// holdsPath reports whether out names the absolute path p: p where a path
// starts (not inside a relative path such as ../../tmp/x).
func holdsPath(out []byte, p string) bool {
	for i := bytes.Index(out, []byte(p)); i >= 0; {
		if i == 0 || bytes.IndexByte([]byte(" '\"(`=:"), out[i-1]) >= 0 {
			return true
		}
		next := bytes.Index(out[i+1:], []byte(p))
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}
