package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/goldenflag"
)

//go:generate go test . -run TestGoldenFormats -update

var update = goldenflag.Update

// reportDir holds the fixed input of the format tests (report.json, a
// hand-written Report covering live, suppressed, related, file-level and
// oddly named findings) and the golden output of every format.
const reportDir = "../../testdata/report"

// fixedReport reads testdata/report/report.json. The input is a Report, not
// manifests, so the golden files change when a formatter changes and never
// because a rule's wording did.
func fixedReport(t *testing.T) *Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(reportDir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("decode report.json: %v", err)
	}
	Sort(r.Findings)
	// Snippets are not part of the JSON document report.json is; give the
	// first finding of monitor.yaml the lines its region covers.
	for i, f := range r.Findings {
		if f.File == "manifests/shop/monitor.yaml" {
			r.Findings[i].Snippet = "port: http-metrics\n      scheme: http"
			break
		}
	}
	return &r
}

func render(t *testing.T, format string, r *Report) []byte {
	t.Helper()
	fm, err := New(format, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fm.Format(&buf, r); err != nil {
		t.Fatalf("format %s: %v", format, err)
	}
	return buf.Bytes()
}

var goldenName = map[string]string{
	"text":     "report.txt",
	"json":     "report.json",
	"sarif":    "report.sarif",
	"junit":    "report.junit.xml",
	"github":   "report.github.txt",
	"gitlab":   "report.gitlab.json",
	"markdown": "report.md",
}

// timestamp matches ISO dates and times: no format may carry one.
var timestamp = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|timestamp=`)

func TestGoldenFormats(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			name, ok := goldenName[format]
			if !ok {
				t.Fatalf("format %s has no golden file: add it to goldenName", format)
			}
			got := render(t, format, fixedReport(t))
			if again := render(t, format, fixedReport(t)); !bytes.Equal(got, again) {
				t.Fatalf("%s output differs between two renderings of the same report", format)
			}
			if bytes.Contains(got, []byte(cwd)) {
				t.Errorf("%s output holds the absolute path %s", format, cwd)
			}
			if m := timestamp.Find(got); m != nil {
				t.Errorf("%s output holds a timestamp: %q", format, m)
			}
			path := filepath.Join(reportDir, "golden", name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run 'go test ./internal/report/ -update' to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s output differs from %s (run 'go test ./internal/report/ -update' and review the diff):\n%s",
					format, path, firstDifference(string(want), string(got)))
			}
		})
	}
}

// firstDifference shows the first differing line, so a failure is readable
// without an external diff.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}
