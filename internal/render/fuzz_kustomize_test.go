package render

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/loader"
)

// FuzzKustomization builds random kustomization.yaml bytes through the
// guard and Kustomize, in a tree with a link out of it, a canary outside,
// a base and a loopback server. "MARKER" in the input is the path of a
// file that a command run by git would create, "SERVER" the server's URL.
// However the bytes read: no panic, no program run, no request, no canary.
func FuzzKustomization(f *testing.F) {
	for _, s := range []string{
		"resources:\n- pa.yaml\n- base\n",
		"resources:\n- 'file:///x//y?version=--upload-pack=touch MARKER'\n- pa.yaml\n",
		"RESOURCES:\n- 'FILE:///x//y?ref=--upload-pack=touch MARKER'\n",
		"crds: &r\n- 'ssh://h/o/r?ref=--upload-pack=touch MARKER'\nresources: *r\n",
		"patches:\n- <<: {path: 'GITHUB.COM/o/r?ref=--upload-pack=touch MARKER'}\n",
		"resources:\n- GIT@h:o/r?ref=--upload-pack=touch MARKER\n- x.GIT//d?ref=--upload-pack=touch MARKER\n",
		"resources:\n- SERVER/r.yaml\nopenapi:\n  path: SERVER/o.json\ncrds:\n- SERVER/c.json\nconfigurations:\n- SERVER/c.yaml\n",
		"patches:\n- path: SERVER/p.yaml\nreplacements:\n- path: SERVER/r.yaml\nconfigMapGenerator:\n- name: g\n  files: [k=SERVER/f]\n  envs: [SERVER/e]\n",
		"resources:\n- link.yaml\n- ../../outside\n- outlink\npatchesStrategicMerge:\n- link.yaml\n",
		"configMapGenerator:\n- name: g\n  files: [link.yaml]\n  env: link.yaml\nsecretGenerator:\n- name: s\n  envs: [../../outside/canary.yaml]\n",
		"helmCharts:\n- name: c\n  repo: SERVER\nhelmGlobals: {chartHome: ../../outside}\n",
		"transformers:\n- |\n  apiVersion: x/v1\n  kind: R\n  metadata:\n    name: r\n    annotations:\n      config.kubernetes.io/function: |\n        exec: {path: /bin/sh}\n",
		"resources:\n- pa.yaml\nnamePrefix: a-\nnamespace: n\nlabels:\n- pairs: {a: b}\npatches:\n- patch: |\n    - op: add\n      path: /metadata/labels/x\n      value: y\n  target: {kind: PeerAuthentication}\n",
	} {
		f.Add([]byte(s))
	}
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\n"))
	}))
	defer srv.Close()
	const canary = "CANARY-51d0"
	// git and ssh on PATH are fakes that record any call: git must never
	// run, whatever its arguments.
	bin := f.TempDir()
	ran := filepath.Join(bin, "ran")
	for _, name := range []string{"git", "ssh"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\necho "+name+" \"$@\" >> "+ran+"\n"), 0o755); err != nil {
			f.Fatal(err)
		}
	}
	f.Setenv("PATH", bin)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		dir := realTempDir(t)
		repo := filepath.Join(dir, "repo")
		app := filepath.Join(repo, "app")
		marker := filepath.Join(dir, "MARKER")
		writeFile(t, filepath.Join(app, "pa.yaml"), "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\n")
		writeFile(t, filepath.Join(app, "base", "kustomization.yaml"), "resources:\n- cm.yaml\n")
		writeFile(t, filepath.Join(app, "base", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
		writeFile(t, filepath.Join(dir, "outside", "canary.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "+canary+"\n")
		writeFile(t, filepath.Join(dir, "outside", "kustomization.yaml"), "resources:\n- canary.yaml\n")
		os.Symlink("../../outside/canary.yaml", filepath.Join(app, "link.yaml"))
		os.Symlink("../../outside", filepath.Join(app, "outlink"))
		text := strings.NewReplacer("MARKER", marker, "SERVER", srv.URL).Replace(string(data))
		writeFile(t, filepath.Join(app, "kustomization.yaml"), text)

		x := &expander{ctx: context.Background(), workDir: dir, texts: map[string]string{},
			opts: Options{Root: confine.New([]string{repo}, nil), Limits: loader.DefaultLimits, DefaultNamespace: "default"}}
		b := x.buildKustomization(loader.Root{Dir: app, Display: "repo/app", Kind: loader.KustomizeRoot, File: "repo/app/kustomization.yaml"})

		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("a command ran")
		}
		if calls, err := os.ReadFile(ran); err == nil {
			t.Fatalf("a program ran: %s", calls)
		}
		if n := requests.Load(); n != 0 {
			t.Fatalf("%d requests reached the server", n)
		}
		for _, fd := range b.findings {
			if strings.Contains(fd.Message, "internal error") {
				t.Fatalf("%s", fd.Message)
			}
			if strings.Contains(fd.Message, canary) {
				t.Fatalf("the canary is in a finding: %s", fd.Message)
			}
		}
		for _, d := range b.docs {
			if strings.Contains(d.Name, canary) || strings.Contains(fmt.Sprint(d.Object), canary) {
				t.Fatalf("the canary was built")
			}
		}
	})
}
