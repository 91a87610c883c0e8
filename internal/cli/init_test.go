package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/config"
)

// examplesRepo copies examples/ (a platform with a mesh-wide
// PeerAuthentication, Big Bang values and a policy directory) into a temp
// directory.
func examplesRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := "../../examples"
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// validateConfigSchema checks a config file against schema/meshlint.schema.json.
func validateConfigSchema(t *testing.T, data []byte) error {
	t.Helper()
	f, err := os.Open("../../schema/meshlint.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("meshlint.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("meshlint.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	// The starter file has no timestamps or anchors, so decoding into any
	// gives the value the YAML language server sees.
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("not YAML: %v", err)
	}
	return s.Validate(v)
}

func TestInitInExamplesShapedRepo(t *testing.T) {
	dir := examplesRepo(t)
	r := lintArgs(t, "init", dir)
	if r.code != ExitOK {
		t.Fatalf("init: exit %d: %s", r.code, r.stderr)
	}
	path := filepath.Join(dir, config.FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := validateConfigSchema(t, data); err != nil {
		t.Errorf("the written file does not validate against the schema: %v\n%s", err, data)
	}
	cfg, err := config.Load(nil, path, config.FileName)
	if err != nil {
		t.Fatalf("internal/config rejects the written file: %v\n%s", err, data)
	}
	if cfg.Mesh.RootNamespace.Value != "istio-system" || cfg.FailOn.Value != "error" {
		t.Errorf("root namespace %q, failOn %q", cfg.Mesh.RootNamespace.Value, cfg.FailOn.Value)
	}
	if len(cfg.PrometheusValues) != 1 || cfg.PrometheusValues[0].Path != filepath.Join(dir, "bigbang-values.yaml") {
		t.Errorf("prometheusValues %+v, want bigbang-values.yaml", cfg.PrometheusValues)
	}
	if len(cfg.Policies) != 1 || cfg.Policies[0].Path != filepath.Join(dir, "policies") {
		t.Errorf("policies %+v, want policies", cfg.Policies)
	}
	if !strings.Contains(string(data), "PeerAuthentication istio-system/default in platform/mesh-mtls.yaml") {
		t.Errorf("the root namespace does not say where it came from:\n%s", data)
	}
	// Every key is commented: each key line follows a comment line.
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if i > 0 && l != "" && !strings.HasPrefix(strings.TrimSpace(l), "#") && !strings.HasPrefix(strings.TrimSpace(l), "- ") &&
			!strings.HasPrefix(strings.TrimSpace(lines[i-1]), "#") {
			t.Errorf("line %d %q has no comment above it", i+1, l)
		}
	}
	// The repository lints with it: the values file and the policy apply.
	t.Chdir(dir)
	if r := lintArgs(t, "."); r.code != ExitFindings || !strings.Contains(r.stderr, "bigbang-values.yaml: Big Bang umbrella values") {
		t.Errorf("lint with the written config: exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	dir := examplesRepo(t)
	path := filepath.Join(dir, config.FileName)
	if err := os.WriteFile(path, []byte("failOn: none\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := lintArgs(t, "init", dir)
	if b, _ := os.ReadFile(path); r.code != ExitError || string(b) != "failOn: none\n" || !strings.Contains(r.stderr, "never overwrites") {
		t.Errorf("init over an existing file: exit %d, stderr %q, file now %q", r.code, r.stderr, b)
	}
	// A dangling symbolic link in its place is not written through.
	dir2 := t.TempDir()
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.Symlink(outside, filepath.Join(dir2, config.FileName)); err != nil {
		t.Fatal(err)
	}
	if r := lintArgs(t, "init", dir2); r.code != ExitError {
		t.Errorf("init over a dangling symlink: exit %d", r.code)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Error("init wrote through a symbolic link")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("init left %s behind", e.Name())
		}
	}
}

// Hostile trees: values outside the tree reached by a symbolic link are
// not read, and text from manifests cannot add keys to the file.
func TestInitHostileTree(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	canary := "CANARY-outside-values"
	values := "# " + canary + "\nprometheus:\n  prometheusSpec: {}\n"
	if err := os.WriteFile(filepath.Join(outside, "values.yaml"), []byte(values), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "values.yaml"), filepath.Join(dir, "linked-values.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linked-dir")); err != nil {
		t.Fatal(err)
	}
	hostile := `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: "istio-system\nfailOn: none"}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-config}
spec: {mtls: {mode: "STRICT\nfailOn: none\n"}}
`
	if err := os.WriteFile(filepath.Join(dir, "mesh.yaml"), []byte(hostile), 0o644); err != nil {
		t.Fatal(err)
	}
	r := lintArgs(t, "init", dir)
	if r.code != ExitOK {
		t.Fatalf("init: exit %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, config.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "linked") || strings.Contains(r.stderr+r.stdout, canary) {
		t.Errorf("init followed a symbolic link out of the tree:\n%s", data)
	}
	cfg, err := config.Load(nil, filepath.Join(dir, config.FileName), config.FileName)
	if err != nil {
		t.Fatalf("the written file does not load: %v\n%s", err, data)
	}
	if cfg.FailOn.Value != "error" || cfg.Mesh.RootNamespace.Value != "istio-config" {
		t.Errorf("manifest text changed the keys: failOn %q, root namespace %q\n%s", cfg.FailOn.Value, cfg.Mesh.RootNamespace.Value, data)
	}
	if err := validateConfigSchema(t, data); err != nil {
		t.Error(err)
	}
}

func TestInitHelpAndUsage(t *testing.T) {
	if r := lintArgs(t, "help", "init"); r.code != ExitOK || !strings.Contains(r.stdout, "never overwritten") {
		t.Errorf("help init: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := lintArgs(t, "init", "a", "b"); r.code != ExitError {
		t.Errorf("init a b: exit %d", r.code)
	}
	if r := lintArgs(t, "init", filepath.Join(t.TempDir(), "missing")); r.code != ExitError || !strings.Contains(r.stderr, "not a directory") {
		t.Errorf("init missing: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestInitWritesTheEnvironmentsFound: in a tree of Kustomize overlays, init
// writes the environments a lint finds, commented out; uncommented, the
// block is a config meshlint and the schema accept, and linting with it
// finds what linting without it finds.
func TestInitWritesTheEnvironmentsFound(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "..", "testdata", "environments", "kustomize-overlays"), dir)
	os.Remove(filepath.Join(dir, "expected-output.txt"))
	r := lintArgs(t, "init", dir)
	if r.code != ExitOK || !strings.Contains(r.stderr, "(2 environments,") {
		t.Fatalf("init: exit %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, config.FileName))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{"# environments:\n", `#   - name: "dev"   # Kustomize root`, `#     paths: ["overlays/prod"]`} {
		if !strings.Contains(text, want) {
			t.Errorf("the starter config lacks %q:\n%s", want, text)
		}
	}
	// Uncomment the block: it must be a config that works.
	var out []string
	inBlock := false
	for _, line := range strings.Split(text, "\n") {
		if line == "# environments:" {
			inBlock = true
		} else if inBlock && !strings.HasPrefix(line, "#   ") {
			inBlock = false
		}
		if inBlock {
			line = strings.TrimPrefix(line, "# ")
		}
		out = append(out, line)
	}
	declared := strings.Join(out, "\n")
	if err := validateConfigSchema(t, []byte(declared)); err != nil {
		t.Errorf("the uncommented environments do not validate: %v\n%s", err, declared)
	}
	path := writeFile(t, dir, config.FileName, declared)
	withConfig := lintArgs(t, "-c", path, "--root", dir, dir)
	without := lintArgs(t, "-c", os.DevNull, "--root", dir, dir)
	if withConfig.code != ExitFindings || withConfig.stdout != without.stdout {
		t.Errorf("declared environments lint differently from the found ones (exit %d):\n%s\nwant:\n%s%s", withConfig.code, withConfig.stdout, without.stdout, withConfig.stderr)
	}
}
