// Command kustomizefloor is the floor of the kustomize line of issue 16: it
// finds the Kustomize roots under a directory that no other kustomization
// there builds on (as meshlint lints them: an overlay, not its bases; no
// components), and builds each once with the kustomize API (krusty, default
// options, on disk), one after another, and nothing else. meshlint's render
// of the same directory is compared with this in the same measurement run
// (internal/benchgen/measure.sh, suite kustomize):
//
//	go build -o /tmp/kustomizefloor ./internal/_dev/kustomizefloor
//	/usr/bin/time -v /tmp/kustomizefloor DIR
//
// Like meshlint it runs no program and fetches nothing: PATH is emptied (no
// git for remote bases) and HTTP requests fail.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

type offline struct{}

func (offline) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("kustomizefloor works offline")
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kustomizefloor DIR")
		os.Exit(2)
	}
	os.Setenv("PATH", "")
	http.DefaultTransport = offline{}
	top, err := filepath.Abs(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kustomizefloor:", err)
		os.Exit(2)
	}
	roots, err := topRoots(top)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kustomizefloor:", err)
		os.Exit(2)
	}
	fsys := filesys.MakeFsOnDisk()
	resources, failed := 0, 0
	for _, root := range roots {
		m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, root)
		if err != nil {
			failed++
			continue
		}
		resources += m.Size()
	}
	fmt.Printf("%d roots built, %d resources, %d roots failed\n", len(roots)-failed, resources, failed)
}

// topRoots are the directories under top holding a kustomization that is
// neither a component nor a local resource, base or component of another
// kustomization under top, sorted.
func topRoots(top string) ([]string, error) {
	kinds := map[string]string{} // dir -> kind
	used := map[string]bool{}
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != top && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		switch d.Name() {
		case "kustomization.yaml", "kustomization.yml", "Kustomization":
		default:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var k types.Kustomization
		if k.Unmarshal(data) != nil {
			return nil // kustomize reports it when the root is built
		}
		dir := filepath.Dir(p)
		kinds[dir] = k.Kind
		for _, e := range slices.Concat(k.Resources, k.Bases, k.Components) {
			if e == "" || filepath.IsAbs(e) || strings.Contains(e, "://") {
				continue
			}
			used[filepath.Join(dir, filepath.FromSlash(e))] = true
		}
		return nil
	})
	var roots []string
	for dir, kind := range kinds {
		if !used[dir] && kind != types.ComponentKind {
			roots = append(roots, dir)
		}
	}
	slices.Sort(roots)
	return roots, err
}
