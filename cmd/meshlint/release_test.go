package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

type goreleaserConfig struct {
	Builds []struct {
		Main    string   `yaml:"main"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
	} `yaml:"checksum"`
}

// The release config must build every platform, write checksums, and
// stamp a version that `meshlint version` and SARIF report. The ldflags are
// taken from .goreleaser.yaml itself, so renaming the variable in
// internal/cli without updating the release fails here, not at release time.
func TestReleaseStampsVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(moduleRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if len(cfg.Builds) != 1 {
		t.Fatalf(".goreleaser.yaml has %d builds, want 1", len(cfg.Builds))
	}
	build := cfg.Builds[0]
	if build.Main != "./cmd/meshlint" {
		t.Errorf("main %q, want ./cmd/meshlint", build.Main)
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(build.Goos, os) {
			t.Errorf("goos %v lacks %s", build.Goos, os)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(build.Goarch, arch) {
			t.Errorf("goarch %v lacks %s", build.Goarch, arch)
		}
	}
	if cfg.Checksum.NameTemplate == "" {
		t.Error("no checksum file configured")
	}
	ldflags := strings.Join(build.Ldflags, " ")
	if !strings.Contains(ldflags, "{{.Version}}") {
		t.Fatalf("ldflags %q do not stamp {{.Version}}", ldflags)
	}

	bin := filepath.Join(t.TempDir(), "meshlint")
	if err := goBuild(bin, strings.ReplaceAll(ldflags, "{{.Version}}", "9.8.7")); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("meshlint version: %v\n%s", err, out)
	}
	if first, _, _ := strings.Cut(string(out), "\n"); first != "meshlint 9.8.7" {
		t.Errorf("meshlint version printed %q, want \"meshlint 9.8.7\"", first)
	}
}
