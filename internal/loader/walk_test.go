//go:build unix

package loader

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRootInDecidesAsRootAt holds the decision from a directory's listing
// to the one that asks the filesystem for each name, on the cases where
// they could part: links to files, to directories and to nothing, a
// directory or a FIFO with a root file's name, and several root files.
func TestRootInDecidesAsRootAt(t *testing.T) {
	base := t.TempDir()
	file := func(p string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("a: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	mkdir := func(p string) {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	at := func(name string) string { return filepath.Join(base, name) }

	file(at("chart/Chart.yaml"))
	file(at("both/Chart.yaml"))
	file(at("both/kustomization.yaml"))
	file(at("kyml/kustomization.yml"))
	file(at("kyml/Kustomization"))
	file(at("kcap/Kustomization"))
	file(at("target.yaml"))
	link(at("target.yaml"), at("linked/Chart.yaml"))
	link("../target.yaml", at("relinked/kustomization.yaml"))
	link(at("missing.yaml"), at("dangling/Chart.yaml"))
	link(at("chart"), at("dirlink/Chart.yaml"))
	mkdir(at("dirnamed/Chart.yaml"))
	mkdir(at("dirnamed/kustomization.yml"))
	file(at("lower/chart.yaml"))
	file(at("plain/values.yaml"))
	mkdir(at("empty"))
	mkdir(at("fifo"))
	if err := syscall.Mkfifo(at("fifo/kustomization.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		"chart": "helm", "both": "helm", "kyml": "kustomize", "kcap": "kustomize", "linked": "helm",
		"relinked": "kustomize", "dangling": "", "dirlink": "", "dirnamed": "", "lower": "", "plain": "", "empty": "", "fifo": "",
	}
	for name, kind := range want {
		dir := at(name)
		list, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		byList, okList := rootIn(dir, base, list)
		byName, okName := rootAt(dir, base)
		if byList != byName || okList != okName {
			t.Errorf("%s: from the listing %+v %v, by name %+v %v", name, byList, okList, byName, okName)
		}
		if string(byList.Kind) != kind {
			t.Errorf("%s: kind %q, want %q", name, byList.Kind, kind)
		}
	}
	if r, _ := rootIn(at("kyml"), base, mustList(t, at("kyml"))); r.File != "kyml/kustomization.yml" {
		t.Errorf("kyml: root file %s, want kustomize's first name, kustomization.yml", r.File)
	}
}

func mustList(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestWalkFindsRootsInUnlistableDirectories: a directory that can be
// searched but not listed (mode 0311) is still found to be a chart, as
// when each root file was looked up by name; one that is neither a root
// nor listable is reported, not skipped in silence.
func TestWalkFindsRootsInUnlistableDirectories(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: directory permissions are not enforced")
	}
	dir := t.TempDir()
	for _, p := range []string{"chart/Chart.yaml", "closed/cm.yaml"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"chart", "closed"} {
		if err := os.Chmod(filepath.Join(dir, d), 0o311); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(filepath.Join(dir, d), 0o755) })
	}
	res, err := Load([]string{dir}, Options{Kinds: testKinds, WorkDir: dir, DetectRoots: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Roots) != 1 || res.Roots[0].Display != "chart" {
		t.Errorf("roots %+v, want the chart", res.Roots)
	}
	if len(res.Problems) != 1 || res.Problems[0].File != "closed" {
		t.Errorf("problems %+v, want one for closed", res.Problems)
	}
}
