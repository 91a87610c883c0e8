package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

type actionStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	Uses  string            `yaml:"uses"`
	If    string            `yaml:"if"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
	Run   string            `yaml:"run"`
}

type actionMetadata struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) actionMetadata {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionMetadata
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

func (a actionMetadata) step(t *testing.T, match func(actionStep) bool, what string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if match(s) {
			return s
		}
	}
	t.Fatalf("action.yml has no %s step", what)
	return actionStep{}
}

func TestActionMetadata(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite", a.Runs.Using)
	}
	for _, in := range []string{"paths", "format", "fail-on", "config", "sarif-upload"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %s is missing", in)
		}
	}
	resolve := a.step(t, func(s actionStep) bool { return s.ID == "resolve" }, "resolve")
	install := a.step(t, func(s actionStep) bool { return s.Name == "Install meshlint" }, "install")
	if resolve.Env["ACTION_REF"] != "${{ github.action_ref }}" || install.Env["REF"] != "${{ steps.resolve.outputs.ref }}" ||
		!strings.Contains(install.Run, `go install "github.com/meshlint/meshlint/cmd/meshlint@$REF"`) {
		t.Errorf("the install steps do not install meshlint at the action's own ref:\n%v\n%v\n%s", resolve.Env, install.Env, install.Run)
	}
	setup := a.step(t, func(s actionStep) bool { return strings.HasPrefix(s.Uses, "actions/setup-go@") }, "setup-go")
	if setup.If != "steps.resolve.outputs.mode == 'source'" || setup.With["cache"] != "true" {
		t.Errorf("setup-go: if %q, with %v; want it only for source builds, with the build cache", setup.If, setup.With)
	}
	upload := a.step(t, func(s actionStep) bool { return strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") }, "upload-sarif")
	if upload.If != "inputs.sarif-upload == 'true'" || upload.With["sarif_file"] != "${{ steps.lint.outputs.sarif-file }}" {
		t.Errorf("upload step: if %q, with %v", upload.If, upload.With)
	}
	// Every input reaches a script through env, never pasted into its text,
	// so a crafted input cannot inject shell.
	for _, s := range a.Runs.Steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q interpolates an expression into its script; pass it through env", s.Name)
		}
	}
}

var inputExpr = regexp.MustCompile(`\$\{\{\s*inputs\.([a-z-]+)\s*\}\}`)

// runActionStep runs a step's script as the runner would: bash, the step's
// env with ${{ inputs.* }} resolved, GITHUB_OUTPUT and GITHUB_PATH files.
func runActionStep(t *testing.T, a actionMetadata, s actionStep, dir string, inputs, extraEnv map[string]string) (code int, stdout string, outputs map[string]string) {
	t.Helper()
	if s.Shell != "bash" {
		t.Fatalf("step %q runs in %q; the test knows bash", s.Name, s.Shell)
	}
	outFile := filepath.Join(t.TempDir(), "github_output")
	env := append(os.Environ(), "GITHUB_OUTPUT="+outFile, "GITHUB_PATH="+filepath.Join(t.TempDir(), "github_path"),
		"RUNNER_TEMP="+t.TempDir())
	for k, v := range s.Env {
		v = inputExpr.ReplaceAllStringFunc(v, func(m string) string {
			name := inputExpr.FindStringSubmatch(m)[1]
			if val, ok := inputs[name]; ok {
				return val
			}
			in, ok := a.Inputs[name]
			if !ok {
				t.Fatalf("step %q reads undeclared input %s", s.Name, name)
			}
			return in.Default
		})
		if val, ok := extraEnv[k]; ok {
			v = val
		}
		if strings.Contains(v, "${{") {
			t.Fatalf("step %q env %s=%q: the test resolves only inputs; pass the rest in extraEnv", s.Name, k, v)
		}
		env = append(env, k+"="+v)
	}
	for k, v := range extraEnv {
		if _, inStep := s.Env[k]; !inStep {
			env = append(env, k+"="+v) // the last entry of a key wins
		}
	}
	// The runner's bash: `bash --noprofile --norc -eo pipefail {0}`.
	script := filepath.Join(t.TempDir(), "step.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	outputs = map[string]string{}
	b, _ := os.ReadFile(outFile)
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			outputs[k] = v
		}
	}
	return code, out.String(), outputs
}

func TestActionLintStep(t *testing.T) {
	a := readAction(t)
	lint := a.step(t, func(s actionStep) bool { return s.ID == "lint" }, "lint")
	fail := a.step(t, func(s actionStep) bool { return s.Name == "Fail on findings" }, "fail")
	bin := meshlintBinary(t)
	path := map[string]string{"PATH": bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	work := t.TempDir()
	copyDir(t, filepath.Join(moduleRoot, "testdata", "report", "manifests"), filepath.Join(work, "manifests"))

	// Findings: annotations in the log, SARIF written, exit code recorded,
	// and the step itself succeeds so the upload step still runs.
	code, out, outputs := runActionStep(t, a, lint, work, map[string]string{"paths": "manifests", "sarif-upload": "true"}, path)
	if code != 0 || outputs["exit-code"] != "1" || outputs["sarif-file"] != "meshlint.sarif" {
		t.Fatalf("step exit %d, outputs %v; want 0 with exit-code=1 and the SARIF file\n%s", code, outputs, out)
	}
	if !strings.Contains(out, "::error file=manifests/monitors.yaml,line=10,") {
		t.Errorf("no annotation for the finding in the log:\n%s", out)
	}
	var sarif struct {
		Runs []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	b, err := os.ReadFile(filepath.Join(work, "meshlint.sarif"))
	if err != nil || json.Unmarshal(b, &sarif) != nil || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
		t.Errorf("SARIF file %v: %s", err, b)
	}
	// The last step turns the recorded exit code into the job's failure.
	if code, _, _ := runActionStep(t, a, fail, work, nil, map[string]string{"CODE": outputs["exit-code"]}); code != 1 {
		t.Errorf("fail step exited %d, want 1", code)
	}

	for _, c := range []struct {
		name     string
		inputs   map[string]string
		stepCode int
		exitCode string
	}{
		{"fail-on none", map[string]string{"paths": "manifests", "fail-on": "none"}, 0, "0"},
		{"paths on separate lines", map[string]string{"paths": "manifests/shop.yaml\nmanifests/monitors.yaml", "format": "json"}, 0, "1"},
		{"only the clean file", map[string]string{"paths": "manifests/shop.yaml"}, 0, "0"},
		{"missing path", map[string]string{"paths": "nope"}, 2, "2"},
		{"bad sarif-upload", map[string]string{"sarif-upload": "yes"}, 2, ""},
	} {
		code, out, outputs := runActionStep(t, a, lint, work, c.inputs, path)
		if code != c.stepCode || outputs["exit-code"] != c.exitCode {
			t.Errorf("%s: step exit %d, exit-code output %q; want %d and %q\n%s", c.name, code, outputs["exit-code"], c.stepCode, c.exitCode, out)
		}
	}
}

// A local `uses: ./` (how this repository's CI dogfoods the action) has no
// action ref: the install step builds the action's own source.
func TestActionInstallsFromItsOwnSource(t *testing.T) {
	if testing.Short() {
		t.Skip("builds meshlint; skipped with -short")
	}
	a := readAction(t)
	install := a.step(t, func(s actionStep) bool { return s.Name == "Install meshlint" }, "install")
	root, err := filepath.Abs(moduleRoot)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runActionStep(t, a, install, t.TempDir(), nil, map[string]string{"MODE": "source", "REF": "", "ACTION_PATH": root})
	if code != 0 || !strings.Contains(out, "meshlint ") {
		t.Fatalf("install step exited %d:\n%s", code, out)
	}
}

// The resolve step decides between a release binary and a source build.
func TestActionResolve(t *testing.T) {
	a := readAction(t)
	resolve := a.step(t, func(s actionStep) bool { return s.ID == "resolve" }, "resolve")
	for _, c := range []struct {
		version, actionRef string
		mode, ref          string
	}{
		{"v1.2.3", "main", "release", "v1.2.3"},
		{"", "v1.2.3", "release", "v1.2.3"},
		{"", "v2.0.0-rc.1", "release", "v2.0.0-rc.1"},
		{"", "main", "source", "main"},
		{"", "", "source", ""},
		{"0123abc", "v1.2.3", "source", "0123abc"},
		{"v1.2", "", "source", "v1.2"},
	} {
		code, out, outputs := runActionStep(t, a, resolve, t.TempDir(), map[string]string{"version": c.version},
			map[string]string{"ACTION_REF": c.actionRef})
		if code != 0 || outputs["mode"] != c.mode || outputs["ref"] != c.ref {
			t.Errorf("version %q, action ref %q: exit %d, outputs %v; want mode %s ref %q\n%s", c.version, c.actionRef, code, outputs, c.mode, c.ref, out)
		}
	}
}

// fakeRelease lays out what a release serves: the archive goreleaser names
// meshlint_<version>_<os>_<arch>.tar.gz with the binary at its top, and the
// checksums file; and a curl on PATH that serves them by file name.
func fakeRelease(t *testing.T, version string, corrupt bool) (pathDir string) {
	t.Helper()
	bin := meshlintBinary(t)
	served := t.TempDir()
	arch := map[string]string{"amd64": "amd64", "arm64": "arm64"}[runtime.GOARCH]
	if arch == "" || runtime.GOOS != "linux" {
		t.Skipf("release archives are faked for linux/amd64 and linux/arm64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	archive := "meshlint_" + version + "_linux_" + arch + ".tar.gz"
	mustRun(t, bin, os.Environ(), "tar", "-czf", filepath.Join(served, archive), "meshlint")
	b, err := os.ReadFile(filepath.Join(served, archive))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if corrupt {
		sum[0] ^= 0xff
	}
	sums := hex.EncodeToString(sum[:]) + "  " + archive + "\n" + strings.Repeat("0", 64) + "  other.zip\n"
	if err := os.WriteFile(filepath.Join(served, "meshlint_"+version+"_checksums.txt"), []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	pathDir = t.TempDir()
	curl := "#!/bin/sh\n# curl -fsSL --retry 3 -o FILE URL, served from a directory\nwhile [ $# -gt 2 ]; do shift; done\n" +
		"case \"$2\" in https://github.com/meshlint/meshlint/releases/download/v" + version + "/*) ;; *) exit 22 ;; esac\n" +
		"f=\"" + served + "/$(basename \"$2\")\"\n[ -f \"$f\" ] || exit 22\ncp \"$f\" \"$1\"\n"
	if err := os.WriteFile(filepath.Join(pathDir, "curl"), []byte(curl), 0o755); err != nil {
		t.Fatal(err)
	}
	return pathDir
}

func TestActionInstallsRelease(t *testing.T) {
	requireTool(t, "tar", "apt-get install -y tar")
	requireTool(t, "sha256sum", "apt-get install -y coreutils")
	a := readAction(t)
	install := a.step(t, func(s actionStep) bool { return s.Name == "Install meshlint" }, "install")
	runnerArch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	for _, corrupt := range []bool{false, true} {
		pathDir := fakeRelease(t, "9.9.9", corrupt)
		// No go on PATH: a release install must not build.
		env := map[string]string{"MODE": "release", "REF": "v9.9.9", "ACTION_PATH": t.TempDir(),
			"RELEASES":  "https://github.com/meshlint/meshlint/releases/download",
			"RUNNER_OS": "Linux", "RUNNER_ARCH": runnerArch, "PATH": pathDir + string(os.PathListSeparator) + "/usr/bin:/bin"}
		code, out, _ := runActionStep(t, a, install, t.TempDir(), nil, env)
		switch {
		case !corrupt && (code != 0 || !strings.Contains(out, "meshlint ")):
			t.Errorf("release install exited %d:\n%s", code, out)
		case corrupt && (code == 0 || !strings.Contains(out, "FAILED")):
			t.Errorf("a release archive that does not match its checksum was installed (exit %d):\n%s", code, out)
		}
	}
}
