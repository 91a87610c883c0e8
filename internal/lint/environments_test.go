package lint

import (
	"reflect"
	"testing"

	"github.com/meshlint/meshlint/internal/report"
)

func TestMatchGlob(t *testing.T) {
	for _, c := range []struct {
		glob, path string
		want       bool
	}{
		{"overlays/dev", "overlays/dev/app.yaml", true},
		{"overlays/dev", "overlays/dev2/app.yaml", false},
		{"overlays/*", "overlays/prod/x/app.yaml", true},
		{"shared/**", "shared/a/b/c.yaml", true},
		{"**/prod", "deploy/envs/prod/app.yaml", true},
		{"**/prod", "deploy/envs/production/app.yaml", false},
		{"*.yaml", "app.yaml", true},
		{"*.yaml", "dir/app.yaml", false},
		{".", "anything/at/all.yaml", true},
	} {
		if got := matchGlob(c.glob, c.path); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.glob, c.path, got, c.want)
		}
	}
}

func TestNameBelowCommonFolder(t *testing.T) {
	envs := []*environment{{Environment: Environment{Name: "deploy/envs/dev"}}, {Environment: Environment{Name: "deploy/envs/prod"}}, {Environment: Environment{Name: "deploy/envs/prod/eu"}}}
	nameBelowCommonFolder(envs)
	var got []string
	for _, e := range envs {
		got = append(got, e.Name)
	}
	if want := []string{"dev", "prod", "prod/eu"}; !reflect.DeepEqual(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
}

// TestMergeEnvironmentFindings: the same finding in two environments is
// one finding naming both; another message is another finding.
func TestMergeEnvironmentFindings(t *testing.T) {
	f := func(msg string) report.Finding {
		return report.Finding{Rule: "r", File: "a.yaml", Line: 3, Column: 1, Message: msg}
	}
	got := mergeEnvironmentFindings([]envFindings{
		{name: "dev", findings: []report.Finding{f("same"), f("dev's chain")}},
		{name: "prod", findings: []report.Finding{f("same"), f("prod's chain")}},
	})
	var lines []string
	for _, g := range got {
		lines = append(lines, g.Message+report.EnvironmentSuffix(g))
	}
	want := []string{"same [env: dev, prod]", "dev's chain [env: dev]", "prod's chain [env: prod]"}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("merged %q, want %q", lines, want)
	}
}
