package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitEnv isolates git and pre-commit from the user's configuration and
// caches: commits need an identity, and nothing may leak into $HOME.
func gitEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	emptyConfig := filepath.Join(home, "gitconfig")
	if err := os.WriteFile(emptyConfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "PRE_COMMIT_HOME="+filepath.Join(home, "pre-commit"),
		"GIT_CONFIG_GLOBAL="+emptyConfig, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=meshlint test", "GIT_AUTHOR_EMAIL=test@meshlint.invalid",
		"GIT_COMMITTER_NAME=meshlint test", "GIT_COMMITTER_EMAIL=test@meshlint.invalid")
	return append(env, extra...)
}

func runIn(t *testing.T, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out), 0
}

func mustRun(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, code := runIn(t, dir, env, name, args...)
	if code != 0 {
		t.Fatalf("%s %s exited %d:\n%s", name, strings.Join(args, " "), code, out)
	}
	return out
}

// hookRepository makes a throwaway git repository that serves as the
// "repo:" of the hooks: .pre-commit-hooks.yaml, go.mod, go.sum and exactly
// the source files meshlint's build needs (go list -deps), so the golang
// hook's `go install ./...` builds meshlint and nothing half-written by
// someone else in the working tree. It returns the path and the commit.
func hookRepository(t *testing.T, env []string) (string, string) {
	t.Helper()
	root, err := filepath.Abs(moduleRoot)
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	for _, f := range []string{".pre-commit-hooks.yaml", "go.mod", "go.sum"} {
		copyFile(t, filepath.Join(root, f), filepath.Join(repo, f))
	}
	cmd := exec.Command(goCommand(), "list", "-deps", "-json=Dir,GoFiles,EmbedFiles,Module", "./cmd/meshlint")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	copied := 0
	for dec.More() {
		var p struct {
			Dir        string
			GoFiles    []string
			EmbedFiles []string
			Module     *struct{ Path string }
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || p.Module.Path != "github.com/meshlint/meshlint" {
			continue
		}
		rel, err := filepath.Rel(root, p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			copyFile(t, filepath.Join(p.Dir, f), filepath.Join(repo, rel, f))
			copied++
		}
	}
	if copied == 0 {
		t.Fatal("go list named no meshlint source file")
	}
	mustRun(t, repo, env, "git", "init", "-q")
	mustRun(t, repo, env, "git", "add", "-A")
	mustRun(t, repo, env, "git", "commit", "-q", "-m", "meshlint hooks")
	rev := strings.TrimSpace(mustRun(t, repo, env, "git", "rev-parse", "HEAD"))
	return repo, rev
}

// projectRepository makes a throwaway repository with manifests that have a
// plaintext scrape of a STRICT port, and a pre-commit config using hookID.
func projectRepository(t *testing.T, env []string, hookRepo, rev, hookID string) string {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, filepath.Join(moduleRoot, "testdata", "report", "manifests"), filepath.Join(dir, "k8s"))
	config := "repos:\n  - repo: " + hookRepo + "\n    rev: " + rev + "\n    hooks:\n      - id: " + hookID + "\n"
	if err := os.WriteFile(filepath.Join(dir, ".pre-commit-config.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, env, "git", "init", "-q")
	mustRun(t, dir, env, "git", "add", "-A")
	return dir
}

// fixManifests removes the failing ServiceMonitor and keeps the suppressed
// one, so the repository lints clean.
func fixManifests(t *testing.T, dir string) {
	t.Helper()
	p := filepath.Join(dir, "k8s", "monitors.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(string(b), "\n---\n")
	var kept []string
	for _, d := range docs {
		if !strings.Contains(d, "name: cart\n") {
			kept = append(kept, d)
		}
	}
	if len(kept) != len(docs)-1 {
		t.Fatalf("expected to drop one ServiceMonitor from %s", p)
	}
	if err := os.WriteFile(p, []byte(strings.Join(kept, "\n---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPreCommitSystemHook(t *testing.T) {
	preCommit := requireTool(t, "pre-commit", "apt-get install -y pre-commit")
	requireTool(t, "git", "apt-get install -y git")
	bin := meshlintBinary(t)
	env := gitEnv(t, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	mustRun(t, moduleRoot, env, preCommit, "validate-manifest", ".pre-commit-hooks.yaml")
	hookRepo, rev := hookRepository(t, env)
	dir := projectRepository(t, env, hookRepo, rev, "meshlint-system")

	out, code := runIn(t, dir, env, preCommit, "run", "--all-files")
	if code != 1 || !strings.Contains(out, "meshlint (installed)") || !strings.Contains(out, "Failed") ||
		!strings.Contains(out, "k8s/monitors.yaml:10:7: error:") || !strings.Contains(out, "[plaintext-scrape-of-strict-port]") {
		t.Fatalf("pre-commit run exited %d; want 1 with the finding at k8s/monitors.yaml:10:7:\n%s", code, out)
	}

	// As a git hook: the commit is refused, then accepted once fixed.
	mustRun(t, dir, env, preCommit, "install")
	out, code = runIn(t, dir, env, "git", "commit", "-q", "-m", "add manifests")
	if code == 0 || !strings.Contains(out, "plaintext-scrape-of-strict-port") {
		t.Fatalf("git commit with a plaintext scrape of a STRICT port exited %d; want refused:\n%s", code, out)
	}
	fixManifests(t, dir)
	mustRun(t, dir, env, "git", "add", "-A")
	out, code = runIn(t, dir, env, "git", "commit", "-q", "-m", "add manifests")
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Fatalf("git commit of clean manifests exited %d; want accepted:\n%s", code, out)
	}
}

// The golang hook builds meshlint from the hook repository with the Go
// toolchain on the machine, as users get it. GOPROXY=off and the test's
// module cache keep it offline.
func TestPreCommitGolangHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds meshlint inside pre-commit; skipped with -short")
	}
	preCommit := requireTool(t, "pre-commit", "apt-get install -y pre-commit")
	requireTool(t, "git", "apt-get install -y git")
	modCache := strings.TrimSpace(goEnv(t, "GOMODCACHE"))
	goBin := filepath.Dir(goCommand())
	env := gitEnv(t, "GOMODCACHE="+modCache, "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOTOOLCHAIN=local",
		"GOCACHE="+strings.TrimSpace(goEnv(t, "GOCACHE")),
		// No meshlint on PATH: the hook must run the one pre-commit built.
		"PATH="+goBin+string(os.PathListSeparator)+withoutMeshlint(os.Getenv("PATH")))
	hookRepo, rev := hookRepository(t, env)
	dir := projectRepository(t, env, hookRepo, rev, "meshlint")

	out, code := runIn(t, dir, env, preCommit, "run", "--all-files")
	if code != 1 || !strings.Contains(out, "k8s/monitors.yaml:10:7: error:") {
		t.Fatalf("pre-commit run (golang hook) exited %d; want 1 with the finding:\n%s", code, out)
	}
	fixManifests(t, dir)
	out, code = runIn(t, dir, env, preCommit, "run", "--all-files")
	if code != 0 {
		t.Fatalf("pre-commit run (golang hook) on clean manifests exited %d:\n%s", code, out)
	}
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command(goCommand(), "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return string(out)
}

// withoutMeshlint drops PATH entries that hold a meshlint binary.
func withoutMeshlint(path string) string {
	var kept []string
	for _, dir := range filepath.SplitList(path) {
		if _, err := os.Stat(filepath.Join(dir, "meshlint")); err != nil {
			kept = append(kept, dir)
		}
	}
	return strings.Join(kept, string(os.PathListSeparator))
}

// The staged-files hook lints the whole repository but reports only what
// touches the files pre-commit passes: a finding whose related location is
// in a passed file is reported, one elsewhere is not.
func TestPreCommitStagedHook(t *testing.T) {
	preCommit := requireTool(t, "pre-commit", "apt-get install -y pre-commit")
	requireTool(t, "git", "apt-get install -y git")
	bin := meshlintBinary(t)
	env := gitEnv(t, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	hookRepo, rev := hookRepository(t, env)
	dir := projectRepository(t, env, hookRepo, rev, "meshlint-staged-system")
	other := "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n"
	if err := os.WriteFile(filepath.Join(dir, "k8s", "other.yaml"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, env, "git", "add", "-A")

	out, code := runIn(t, dir, env, preCommit, "run", "--files", "k8s/other.yaml")
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Fatalf("pre-commit run --files k8s/other.yaml exited %d; want 0, the finding is in another file:\n%s", code, out)
	}
	// shop.yaml holds the STRICT policy the finding in monitors.yaml rests on.
	out, code = runIn(t, dir, env, preCommit, "run", "--files", "k8s/shop.yaml")
	if code != 1 || !strings.Contains(out, "k8s/monitors.yaml:10:7: error:") {
		t.Fatalf("pre-commit run --files k8s/shop.yaml exited %d; want 1 with the finding it is related to:\n%s", code, out)
	}
}
