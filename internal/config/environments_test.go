package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseEnvironments(t *testing.T) {
	c, err := Parse([]byte(`environments:
  - name: dev
    paths: [overlays/dev, shared/**]
  - name: prod
    paths:
      - overlays/prod
      - shared/**
`), "conf/.meshlint.yaml", "conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Environments) != 2 || c.Environments[0].Name != "dev" || c.Environments[1].Name != "prod" || c.Environments[1].Line != 4 {
		t.Fatalf("environments = %+v", c.Environments)
	}
	got := c.Environments[0].Paths
	if len(got) != 2 || got[0].Path != filepath.Join("conf", "overlays", "dev") || got[1].Written != "shared/**" {
		t.Errorf("dev paths = %+v", got)
	}
}

func TestEnvironmentMistakesNameTheLine(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"environments: dev\n", `:1: environments: want a list such as [{name: dev, paths: [overlays/dev]}], got string "dev"`},
		{"environments:\n  - {name: dev, path: [x]}\n", `:2: unknown key "environments[0].path"`},
		{"environments:\n  - {paths: [x]}\n", `:2: environments[0]: name is required`},
		{"environments:\n  - {name: dev}\n", `:2: environments[0]: paths is required`},
		{"environments:\n  - {name: dev, paths: [a]}\n  - {name: dev, paths: [b]}\n", `:3: environments[1].name: "dev" is given twice (first on line 2)`},
		{"environments:\n  - {name: 'a, b', paths: [a]}\n", `:2: environments[0].name: "a, b": an environment name cannot hold a comma`},
		{"environments:\n  - {name: \"\\e(Bred\\a\", paths: [a]}\n", `:2: environments[0].name: "\x1b(Bred\a": an environment name cannot hold a comma, a bracket or a control character`},
		{"environments:\n  - name: dev\n    paths: ['overlays/[dev']\n", `:3: environments[0].paths[0]: "overlays/[dev" is not a valid glob`},
	} {
		_, err := Parse([]byte(c.text), ".meshlint.yaml", ".")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.text, err, c.want)
		}
	}
}
