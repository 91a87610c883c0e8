package render

import (
	"bytes"
	"errors"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"sigs.k8s.io/kustomize/api/resmap"

	"github.com/meshlint/meshlint/internal/confine"
)

// The defences behind the guard, each tested without it: Kustomize built
// straight on confinedFS, with no kustomization adjusted.

func writeFile(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func realTempDir(t *testing.T) string {
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func buildUnguarded(t *testing.T, root *confine.Root, dir string) (resmap.ResMap, error) {
	var out resmap.ResMap
	err := runKustomize(confinedFS{root: root, max: 1 << 20}, dir, func(m resmap.ResMap) error { out = m; return nil })
	return out, err
}

// A URL that reaches Kustomize's HTTP client is refused in process.
func TestKustomizeHTTPIsRefusedWithoutTheGuard(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\n"))
	}))
	defer srv.Close()
	dir := realTempDir(t)
	for _, k := range []string{
		"resources:\n- " + srv.URL + "/r.yaml\n",
		"openapi:\n  path: " + srv.URL + "/openapi.json\n",
		"crds:\n- " + srv.URL + "/crd.json\n",
	} {
		writeFile(t, filepath.Join(dir, "kustomization.yaml"), k)
		_, err := buildUnguarded(t, confine.Unconfined(), dir)
		if err == nil || !strings.Contains(err.Error(), "meshlint works offline") {
			t.Errorf("%s: error %v, want one saying meshlint works offline", k, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
	if _, err := http.Get(srv.URL); err == nil {
		t.Errorf("http.Get through the default transport succeeded after a build")
	}
}

// A base out of the Root, a linked file out of it, a file over the size
// limit: Kustomize reads none of them, whatever the kustomization says.
func TestKustomizeConfinedWithoutTheGuard(t *testing.T) {
	dir := realTempDir(t)
	repo := filepath.Join(dir, "repo")
	writeFile(t, filepath.Join(dir, "outside", "kustomization.yaml"), "resources:\n- cm.yaml\n")
	writeFile(t, filepath.Join(dir, "outside", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: canary\n")
	writeFile(t, filepath.Join(repo, "big.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  x: "+strings.Repeat("x", 2<<20)+"\n")
	if err := os.Symlink("../outside/cm.yaml", filepath.Join(repo, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	root := confine.New([]string{repo}, nil)
	for k, want := range map[string]string{
		"resources:\n- ../outside\n":                             "leaves the repository",
		"resources:\n- link.yaml\n":                              "leaves the repository",
		"configMapGenerator:\n- name: g\n  files: [link.yaml]\n": "leaves the repository",
		"resources:\n- big.yaml\n":                               "larger than the limit of 1048576 bytes (raise it with --max-file-size)",
	} {
		writeFile(t, filepath.Join(repo, "kustomization.yaml"), k)
		m, err := buildUnguarded(t, root, repo)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", k, err, want)
		}
		if m != nil && len(m.Resources()) > 0 {
			t.Errorf("%q: built %d resources", k, len(m.Resources()))
		}
	}
}

func TestConfinedFS(t *testing.T) {
	dir := realTempDir(t)
	repo := filepath.Join(dir, "repo")
	writeFile(t, filepath.Join(dir, "outside", "secret.yaml"), "secret")
	writeFile(t, filepath.Join(repo, "a.yaml"), "a")
	writeFile(t, filepath.Join(repo, "sub", "b.yaml"), "b")
	for name, target := range map[string]string{"out.yaml": "../outside/secret.yaml", "outdir": "../outside", "in.yaml": "a.yaml"} {
		if err := os.Symlink(target, filepath.Join(repo, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(repo, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := confinedFS{root: confine.New([]string{repo}, nil), max: 4}
	at := func(n string) string { return filepath.Join(repo, n) }

	if !c.Exists(at("a.yaml")) || !c.Exists(at("in.yaml")) || !c.IsDir(at("sub")) {
		t.Errorf("files inside the tree are missing")
	}
	for _, n := range []string{"out.yaml", "outdir", "outdir/secret.yaml", "../outside/secret.yaml"} {
		if c.Exists(at(n)) || c.IsDir(at(n)) {
			t.Errorf("%s exists for Kustomize", n)
		}
		if _, err := c.ReadFile(at(n)); err == nil || !strings.Contains(err.Error(), "leaves the repository") {
			t.Errorf("ReadFile(%s): %v, want an error saying it leaves the repository", n, err)
		}
		if _, err := c.Open(at(n)); err == nil {
			t.Errorf("Open(%s) succeeded", n)
		}
		if _, _, err := c.CleanedAbs(at(n)); err == nil {
			t.Errorf("CleanedAbs(%s) succeeded", n)
		}
	}
	if data, err := c.ReadFile(at("in.yaml")); err != nil || string(data) != "a" {
		t.Errorf("ReadFile(in.yaml) = %q, %v", data, err)
	}
	writeFile(t, at("big.yaml"), "12345")
	var tooLarge *confine.TooLargeError
	if _, err := c.ReadFile(at("big.yaml")); !errors.As(err, &tooLarge) {
		t.Errorf("ReadFile of a file over the limit: %v", err)
	}
	if _, err := c.ReadFile(at("fifo.yaml")); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("ReadFile of a FIFO: %v", err)
	}

	names, err := c.ReadDir(repo)
	if err != nil {
		t.Fatal(err)
	}
	listed := strings.Join(names, " ")
	var walked []string
	c.Walk(repo, func(p string, _ fs.FileInfo, _ error) error { walked = append(walked, filepath.Base(p)); return nil })
	globbed, _ := c.Glob(filepath.Join(repo, "*"))
	for _, got := range []string{listed, strings.Join(walked, " "), filepath.Base(strings.Join(globbed, " /"))} {
		if strings.Contains(got, "out.yaml") || strings.Contains(got, "outdir") || strings.Contains(got, "secret") {
			t.Errorf("a listing holds entries leading out of the tree: %s", got)
		}
	}
	if !strings.Contains(listed, "in.yaml") || !strings.Contains(listed, "a.yaml") {
		t.Errorf("ReadDir lost entries inside the tree: %s", listed)
	}
	for _, n := range globbed {
		if strings.Contains(n, "out") {
			t.Errorf("Glob lists %s", n)
		}
	}

	if _, err := c.Create(at("new.yaml")); err == nil {
		t.Errorf("Create succeeded")
	}
	if c.WriteFile(at("a.yaml"), []byte("x")) == nil || c.Mkdir(at("d")) == nil || c.MkdirAll(at("d/e")) == nil || c.RemoveAll(at("sub")) == nil {
		t.Errorf("a write succeeded")
	}
	if data, _ := os.ReadFile(at("a.yaml")); string(data) != "a" {
		t.Errorf("a.yaml was written: %q", data)
	}
	for _, n := range []string{"new.yaml", "d", "sub/b.yaml"} {
		if _, err := os.Lstat(at(n)); (n == "sub/b.yaml") != (err == nil) {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// Kustomize prints to os.Stderr and logs through the standard logger text
// taken from the kustomization; none of it reaches either while it builds.
func TestKustomizeBuildIsQuiet(t *testing.T) {
	dir := realTempDir(t)
	writeFile(t, filepath.Join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
	writeFile(t, filepath.Join(dir, "patch.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n")
	writeFile(t, filepath.Join(dir, "kustomization.yaml"), `resources:
- cm.yaml
patchesStrategicMerge:
- patch.yaml
vars:
- name: "ESC\e]0;owned\aVAR"
  objref: {apiVersion: v1, kind: ConfigMap, name: cm}
`)
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	savedErr, savedLog := os.Stderr, log.Writer()
	os.Stderr = stderr
	log.SetOutput(&logged)
	_, berr := buildUnguarded(t, confine.Unconfined(), dir)
	restoredErr, restoredLog := os.Stderr, log.Writer()
	os.Stderr = savedErr
	log.SetOutput(savedLog)
	if berr != nil {
		t.Fatal(berr)
	}
	if restoredErr != stderr || restoredLog != &logged {
		t.Errorf("os.Stderr or the standard logger was not restored")
	}
	stderr.Close()
	printed, _ := os.ReadFile(stderr.Name())
	if len(printed) > 0 || logged.Len() > 0 {
		t.Errorf("Kustomize printed %q and logged %q", printed, logged.String())
	}
}

// log.Fatal inside a build would exit the process; it panics instead, for
// the build to report.
func TestLogFatalDuringABuildPanics(t *testing.T) {
	restore := quietBuild()
	defer restore()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "Kustomize gave up: boom") {
			t.Errorf("recovered %v", r)
		}
	}()
	log.Fatalf("boom")
}

func TestIsRemoteRef(t *testing.T) {
	for _, s := range []string{
		"file:///x//y?version=--upload-pack=touch /tmp/m", "FILE:///x//y", "ssh://git@h/o/r", "SSH://h/o/r",
		"https://github.com/o/r", "HTTP://h/x.yaml", "git::https://h/o/r", "GIT::h/o/r", "github.com/o/r", "GITHUB.COM/o/r",
		"github.com:o/r", "git@github.com:o/r", "GIT@host:o/r", "user@host:o/r.git", "x.GIT//dir", "x.git", "o/r.git/sub",
		"h/o/_git/r", "base?ref=v1", "base?version=v1", "base?submodules=false", "base?timeout=1", "gitlab.com/o/r",
		"bitbucket.org/o/r", "dev.azure.com/o/p/_git/r", "x.visualstudio.com/o/r", "dir//sub", " https://h/x ", "c:relative",
	} {
		if !isRemoteRef(s) {
			t.Errorf("isRemoteRef(%q) = false", s)
		}
	}
	for _, s := range []string{
		"pa.yaml", "../base", "../../shared/strict.yaml", "./github.com/o/r", ".github/x.yaml", "base.v1/x.yaml",
		"overlays/prod", "deploy.git-sync.yaml", "gitops/app", "", "my.github.io.yaml",
	} {
		if isRemoteRef(s) {
			t.Errorf("isRemoteRef(%q) = true", s)
		}
	}
}
