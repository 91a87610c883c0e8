package render_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshlint/meshlint/internal/cli"
	"github.com/meshlint/meshlint/internal/finding"
)

// Hostile kustomizations, each built in its own t.TempDir() and linted end
// to end through the CLI, confined to the tree (--root): no program runs,
// no request leaves, nothing outside the tree is read, and the rest of the
// root is still built and linted.

// peerAuthentication has a port-level mTLS setting without a selector:
// port-level-mtls-without-selector at line 7, the proof that the root was
// still built and linted.
const peerAuthentication = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: p
  namespace: x
spec:
  portLevelMtls:
    "8080": {mode: PERMISSIVE}
`

type hostileTree struct {
	t    *testing.T
	dir  string // holds repo/ (the linted tree) and what lies outside it
	repo string
}

func newHostileTree(t *testing.T) *hostileTree {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := &hostileTree{t: t, dir: dir, repo: filepath.Join(dir, "repo")}
	h.write("repo/app/pa.yaml", peerAuthentication)
	return h
}

func (h *hostileTree) write(name, text string) {
	h.t.Helper()
	p := filepath.Join(h.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *hostileTree) link(name, target string) {
	h.t.Helper()
	p := filepath.Join(h.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		h.t.Fatal(err)
	}
}

// lint runs meshlint on the tree's repo/ in every output format; it
// returns the findings (from JSON) and all the outputs together.
func (h *hostileTree) lint(t *testing.T) ([]finding.Finding, string) {
	t.Helper()
	return h.lintAt(t, h.repo)
}

// lintAt lints the tree through path, which leads to repo/.
func (h *hostileTree) lintAt(t *testing.T, path string) ([]finding.Finding, string) {
	t.Helper()
	out := t.TempDir()
	args := []string{"--root", path, "--fail-on", "none", "-c", os.DevNull}
	for _, f := range []string{"text", "sarif", "junit", "github"} {
		args = append(args, "-f", f, "-o", filepath.Join(out, f))
	}
	args = append(args, "-f", "json", path)
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false }})
	if code != 0 {
		t.Fatalf("meshlint exited %d: %s", code, stderr.String())
	}
	var doc struct {
		Findings []finding.Finding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("decode json: %v\n%s", err, stdout.String())
	}
	all := stdout.String() + stderr.String()
	for _, f := range []string{"text", "sarif", "junit", "github"} {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		all += string(data)
	}
	return doc.Findings, all
}

// find is the finding of rule in a file ending in file at line (0: any
// line) whose message holds each of words, or nil.
func find(fs []finding.Finding, rule, file string, line int, words ...string) *finding.Finding {
	for i, f := range fs {
		if f.Rule != rule || !strings.HasSuffix(filepath.ToSlash(f.File), file) || (line != 0 && f.Line != line) {
			continue
		}
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(f.Message, w)
		}
		if ok {
			return &fs[i]
		}
	}
	return nil
}

func dump(t *testing.T, fs []finding.Finding) {
	for _, f := range fs {
		t.Logf("%s %s:%d: %s", f.Rule, f.File, f.Line, f.Message)
	}
}

// stillLinted fails unless the root's own resource was built and linted.
func stillLinted(t *testing.T, fs []finding.Finding) {
	t.Helper()
	if find(fs, "port-level-mtls-without-selector", "app/pa.yaml", 7) == nil {
		t.Errorf("the rest of the root was not built and linted")
		dump(t, fs)
	}
}

// Each of these would make Kustomize run git (it clones whatever its
// RepoSpec parser accepts, and before looking for a local directory), with
// a ref that git takes as an option that runs a command.
func TestKustomizeRemoteResourcesNeverRunGit(t *testing.T) {
	for name, ref := range map[string]string{
		"file":           "file:///x//y?version=--upload-pack=touch MARKER",
		"FILE":           "FILE:///x//y?version=--upload-pack=touch MARKER",
		"git::file":      "git::file:///x//y?ref=--upload-pack=touch MARKER",
		"ssh":            "ssh://git@example.invalid/org/repo?ref=--upload-pack=touch MARKER",
		"SSH":            "SSH://git@example.invalid/org/repo?ref=--upload-pack=touch MARKER",
		"GITHUB.COM":     "GITHUB.COM/org/repo?ref=--upload-pack=touch MARKER",
		"x.GIT//dir":     "x.GIT//dir?ref=--upload-pack=touch MARKER",
		"GIT@host":       "GIT@example.invalid:org/repo?ref=--upload-pack=touch MARKER",
		"https with ref": "https://example.invalid/org/repo?ref=--upload-pack=touch MARKER",
		"timeout":        "https://example.invalid/org/repo?timeout=1&submodules=false",
	} {
		t.Run(name, func(t *testing.T) {
			h := newHostileTree(t)
			marker := filepath.Join(h.dir, "MARKER")
			entry := strings.ReplaceAll(ref, "MARKER", marker)
			h.write("repo/app/kustomization.yaml", "resources:\n- '"+entry+"'\n- pa.yaml\n")
			fs, _ := h.lint(t)
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("the marker command ran")
			}
			if find(fs, "render-skipped", "app/kustomization.yaml", 2, "remote resource", "is not fetched (meshlint works offline)") == nil {
				t.Errorf("no render-skipped note at the entry")
				dump(t, fs)
			}
			stillLinted(t, fs)
		})
	}
}

// A local directory whose name Kustomize's RepoSpec parser reads as a
// GitHub repository is cloned, not read: it is left out, and the note says
// how to name the local one.
func TestKustomizeLocalDirectoryNamedLikeARepository(t *testing.T) {
	h := newHostileTree(t)
	h.write("repo/app/github.com/org/repo/kustomization.yaml", "resources:\n- cm.yaml\n")
	h.write("repo/app/github.com/org/repo/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
	h.write("repo/app/kustomization.yaml", "resources:\n- github.com/org/repo\n- pa.yaml\n")
	fs, _ := h.lint(t)
	if find(fs, "render-skipped", "app/kustomization.yaml", 2, "read by Kustomize as a remote Git repository", "write it as ./github.com/org/repo") == nil {
		t.Errorf("no render-skipped note at the entry")
		dump(t, fs)
	}
	stillLinted(t, fs)
}

// Entries the node walk cannot remove by themselves (a field spelled in
// another case, an alias, a merge key) are still refused: the
// kustomization is decoded as Kustomize decodes it and checked again.
func TestKustomizeGuardFollowsKustomizeDecoding(t *testing.T) {
	for name, k := range map[string]string{
		"upper-case field": "RESOURCES:\n- 'file:///x//y?version=--upload-pack=touch MARKER'\n- pa.yaml\n",
		"alias":            "crds: &r\n- 'file:///x//y?version=--upload-pack=touch MARKER'\nresources: *r\n",
		"merge key":        "resources: [pa.yaml]\npatches:\n- <<: {path: 'file:///x//y?version=--upload-pack=touch MARKER'}\n",
		"alias in a list":  "namePrefix: &r 'file:///x//y?version=--upload-pack=touch MARKER'\nresources:\n- *r\n- pa.yaml\n",
	} {
		t.Run(name, func(t *testing.T) {
			h := newHostileTree(t)
			marker := filepath.Join(h.dir, "MARKER")
			h.write("repo/app/kustomization.yaml", strings.ReplaceAll(k, "MARKER", marker))
			fs, _ := h.lint(t)
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("the marker command ran")
			}
			if find(fs, "render-skipped", "app/kustomization.yaml", 0, "not fetched (meshlint works offline)") == nil &&
				find(fs, "render-error", "app/kustomization.yaml", 0, "not fetched (meshlint works offline)") == nil {
				t.Errorf("neither a note nor an error says the entry is not fetched")
				dump(t, fs)
			}
		})
	}
}

// A tree reached through a link is built from its real directory, where
// Kustomize looks for the root's kustomization: findings still point into
// the files, and remote entries are still refused.
func TestKustomizeTreeThroughALink(t *testing.T) {
	h := newHostileTree(t)
	marker := filepath.Join(h.dir, "MARKER")
	h.write("repo/app/kustomization.yaml", "resources:\n- 'file:///x//y?version=--upload-pack=touch "+marker+"'\n- pa.yaml\n")
	h.link("alias", "repo")
	fs, _ := h.lintAt(t, filepath.Join(h.dir, "alias", "app"))
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("the marker command ran")
	}
	// --root is the linted path, so files are named from it, through the
	// link, never from the real directory.
	if f := find(fs, "render-skipped", "kustomization.yaml", 2, "is not fetched (meshlint works offline)"); f == nil || f.File != "kustomization.yaml" {
		t.Errorf("no render-skipped note at the entry, as the input names it")
	}
	if f := find(fs, "port-level-mtls-without-selector", "pa.yaml", 7); f == nil || f.File != "pa.yaml" {
		t.Errorf("the rest of the root was not built and linted")
	}
	if t.Failed() {
		dump(t, fs)
	}
}

// A kustomization.yaml that is a link to another file of the tree is still
// a kustomization, and still guarded.
func TestKustomizeLinkedKustomizationIsGuarded(t *testing.T) {
	h := newHostileTree(t)
	marker := filepath.Join(h.dir, "MARKER")
	h.write("repo/app/notes.txt", "resources:\n- 'file:///x//y?version=--upload-pack=touch "+marker+"'\n- pa.yaml\n")
	h.link("repo/app/kustomization.yaml", "notes.txt")
	fs, _ := h.lint(t)
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("the marker command ran")
	}
	if find(fs, "render-skipped", "app/kustomization.yaml", 2, "is not fetched (meshlint works offline)") == nil {
		t.Errorf("no render-skipped note at the entry")
		dump(t, fs)
	}
	stillLinted(t, fs)
}

// Every field that names a file takes a URL; none is fetched.
func TestKustomizeNeverFetches(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\n"))
	}))
	defer srv.Close()
	u := srv.URL
	upper := "HTTP://" + strings.TrimPrefix(u, "http://")
	h := newHostileTree(t)
	h.write("repo/app/kustomization.yaml", `resources:
- `+u+`/resource.yaml
- `+upper+`/resource.yaml
- pa.yaml
openapi:
  path: `+u+`/openapi.json
patches:
- path: `+u+`/patch.yaml
patchesStrategicMerge:
- `+u+`/psm.yaml
patchesJson6902:
- path: `+u+`/6902.yaml
  target: {kind: ConfigMap, name: x}
configurations:
- `+u+`/config.yaml
crds:
- `+u+`/crd.json
replacements:
- path: `+u+`/replacement.yaml
configMapGenerator:
- name: g
  files:
  - key=`+u+`/file.txt
  envs:
  - `+u+`/envs.env
  env: `+u+`/env.env
generators:
- `+u+`/generator.yaml
transformers:
- `+u+`/transformer.yaml
`)
	fs, _ := h.lint(t)
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
	for _, line := range []int{2, 3, 6, 8, 10, 12, 15, 17, 19, 23, 25, 26, 28, 30} {
		if find(fs, "render-skipped", "app/kustomization.yaml", line, "is not fetched (meshlint works offline)") == nil {
			t.Errorf("no render-skipped note at line %d", line)
		}
	}
	stillLinted(t, fs)
	if t.Failed() {
		dump(t, fs)
	}
}

// A link to a file outside the tree, used as a resource or a patch, a
// linked base, a ../../outside base, an absolute path and a kustomization
// file that is itself a link out: the canary outside is never read, in any
// output format, and a note (or, for a whole root, an error) says why.
func TestKustomizeNeverReadsOutsideTheTree(t *testing.T) {
	const canary = "CANARY-3c9e1f"
	for _, c := range []struct {
		name, entries string
		link          [2]string // name in repo/app, target
		rule, file    string
		line          int
		words         string
	}{
		{"linked resource", "resources:\n- pa.yaml\n- canary.yaml\n", [2]string{"canary.yaml", "../../outside/canary.yaml"},
			"render-skipped", "app/kustomization.yaml", 3, "leaves the repository"},
		{"linked patch", "resources:\n- pa.yaml\npatches:\n- path: patch.yaml\n", [2]string{"patch.yaml", "../../outside/patch.yaml"},
			"render-skipped", "app/kustomization.yaml", 4, "leaves the repository"},
		{"linked strategic-merge patch", "resources:\n- pa.yaml\npatchesStrategicMerge:\n- patch.yaml\n", [2]string{"patch.yaml", "../../outside/patch.yaml"},
			"render-skipped", "app/kustomization.yaml", 4, "leaves the repository"},
		{"linked generator file", "resources:\n- pa.yaml\nconfigMapGenerator:\n- name: g\n  files:\n  - canary.yaml\n", [2]string{"canary.yaml", "../../outside/canary.yaml"},
			"render-skipped", "app/kustomization.yaml", 6, "leaves the repository"},
		{"linked base", "resources:\n- pa.yaml\n- base\n", [2]string{"base", "../../outside"},
			"render-skipped", "app/kustomization.yaml", 3, "leaves the repository"},
		{"base above the tree", "resources:\n- pa.yaml\n- ../../outside\n", [2]string{},
			"render-skipped", "app/kustomization.yaml", 3, "leaves the repository"},
		{"absolute path", "resources:\n- pa.yaml\n- OUTSIDE/canary.yaml\n", [2]string{},
			"render-skipped", "app/kustomization.yaml", 3, "is an absolute path"},
		{"linked kustomization", "", [2]string{"kustomization.yaml", "../../outside/kustomization.yaml"},
			"render-error", "app/kustomization.yaml", 1, "leaves the repository"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHostileTree(t)
			h.write("outside/canary.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "+canary+"\ndata:\n  secret: "+canary+"\n")
			h.write("outside/patch.yaml", "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\n  namespace: x\n  labels: {leak: "+canary+"}\n")
			h.write("outside/kustomization.yaml", "resources:\n- canary.yaml\n")
			if c.link[0] != "" {
				h.link("repo/app/"+c.link[0], c.link[1])
			}
			if c.entries != "" {
				h.write("repo/app/kustomization.yaml", strings.ReplaceAll(c.entries, "OUTSIDE", filepath.Join(h.dir, "outside")))
			}
			fs, all := h.lint(t)
			if strings.Contains(all, canary) {
				t.Errorf("the canary from outside the tree appears in the output")
			}
			if find(fs, c.rule, c.file, c.line, c.words) == nil {
				t.Errorf("no %s at %s:%d saying %q", c.rule, c.file, c.line, c.words)
			}
			if c.rule == "render-skipped" {
				stillLinted(t, fs)
			}
			if t.Failed() {
				dump(t, fs)
			}
		})
	}
}

// Exec plugins and KRM functions (config.kubernetes.io/function) are
// programs: they never run.
func TestKustomizeNeverRunsPlugins(t *testing.T) {
	h := newHostileTree(t)
	marker := filepath.Join(h.dir, "MARKER")
	h.write("repo/app/run.sh", "#!/bin/sh\ntouch "+marker+"\n")
	if err := os.Chmod(filepath.Join(h.repo, "app", "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	fn := `apiVersion: example.com/v1
kind: Runner
metadata:
  name: run
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: ./run.sh
`
	h.write("repo/app/fn.yaml", fn)
	for _, field := range []string{"transformers", "generators", "validators"} {
		t.Run(field, func(t *testing.T) {
			inline := strings.Replace(fn, "name: run", "name: inline", 1)
			h.write("repo/app/kustomization.yaml", "resources:\n- pa.yaml\n"+field+":\n- fn.yaml\n- |\n"+indent(inline, "  "))
			fs, _ := h.lint(t)
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("the plugin ran")
			}
			if find(fs, "render-error", "app/kustomization.yaml", 0, "external plugins disabled") == nil {
				t.Errorf("no render-error says external plugins are disabled")
				dump(t, fs)
			}
		})
	}
}

func indent(s, by string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return by + strings.Join(lines, "\n"+by) + "\n"
}
