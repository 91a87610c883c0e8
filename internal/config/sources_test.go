package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/confine"
)

func TestSourcesMapGitRepositoriesToDirectories(t *testing.T) {
	cfg, err := Parse([]byte("sources:\n  flux-system/platform: ./\n  apps/charts: deploy/charts\n"), ".meshlint.yaml", "/repo")
	if err != nil {
		t.Fatal(err)
	}
	want := []Source{
		{Namespace: "flux-system", Name: "platform", Path: Path{Path: filepath.FromSlash("/repo"), Written: "./", Line: 2}},
		{Namespace: "apps", Name: "charts", Path: Path{Path: filepath.FromSlash("/repo/deploy/charts"), Written: "deploy/charts", Line: 3}},
	}
	if len(cfg.Sources) != len(want) {
		t.Fatalf("sources %+v, want %+v", cfg.Sources, want)
	}
	for i := range want {
		if cfg.Sources[i] != want[i] {
			t.Errorf("source %d: %+v, want %+v", i, cfg.Sources[i], want[i])
		}
	}
}

func TestSourcesErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"not a mapping", "sources:\n  - ./\n", `.meshlint.yaml:2: sources: want a mapping of GitRepository namespace/name`},
		{"no namespace", "sources:\n  platform: ./\n", `.meshlint.yaml:2: sources: want a GitRepository as namespace/name (flux-system/platform), got "platform"`},
		{"bad name", "sources:\n  flux-system/Plat_form: ./\n", `.meshlint.yaml:2: sources: want a GitRepository as namespace/name`},
		{"absolute path", "sources:\n  flux-system/platform: /srv/platform\n", `.meshlint.yaml:2: sources.flux-system/platform: "/srv/platform" is an absolute path`},
		{"empty path", "sources:\n  flux-system/platform: \"\"\n", `.meshlint.yaml:2: sources.flux-system/platform: must not be empty`},
		{"not a string", "sources:\n  flux-system/platform: [a]\n", `.meshlint.yaml:2: sources.flux-system/platform: want a string`},
		{"twice", "sources:\n  a/b: x\n  a/b: y\n", `.meshlint.yaml:3: sources.a/b: given twice (first on line 2)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.text), ".meshlint.yaml", ".")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %s", err, tc.want)
			}
		})
	}
}

func TestSourceLeavingTheRepositoryIsAnError(t *testing.T) {
	repo := t.TempDir()
	cfg, err := Parse([]byte("sources:\n  flux-system/platform: ../elsewhere\n"), ".meshlint.yaml", repo)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.CheckPaths(confine.New([]string{repo}, nil))
	if err == nil || !strings.Contains(err.Error(), ".meshlint.yaml:2: sources[0] \"../elsewhere\"") {
		t.Errorf("error %v, want one at line 2 naming the source", err)
	}
}
