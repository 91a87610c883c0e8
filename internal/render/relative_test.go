package render

import "testing"

func TestRelativeRewritesTheMachinesPaths(t *testing.T) {
	x := &expander{workDir: "/work/repo/internal/cli"}
	for in, want := range map[string]string{
		"read /work/repo/internal/cli/a.yaml: no":                "read a.yaml: no",
		"path '/work/repo/testdata/x' must resolve":              "path '../../testdata/x' must resolve",
		"in /work/repo/internal/cli: bad":                        "in .: bad",
		"dir '/work/other': gone":                                "dir '../../../other': gone",
		"https://example.com/work/repo/internal/cli/x unchanged": "https://example.com/work/repo/internal/cli/x unchanged",
		"/work/repository/x is another tree":                     "../../../repository/x is another tree",
	} {
		if got := x.relative(in); got != want {
			t.Errorf("relative(%q) = %q, want %q", in, got, want)
		}
	}
}
