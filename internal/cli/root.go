package cli

import (
	"fmt"
	"os"

	"github.com/meshlint/meshlint/internal/confine"
)

// readRoot decides what a run may read (internal/confine): the repository
// each linted path belongs to (its Git top level, else the path itself), or
// --root when given; the working directory's repository, where the config
// file is found; and every path the user typed on the command line. Files
// named by the linted tree itself (a chart's symbolic link, a kustomization's
// ../../, a config file's policies) must stay inside it.
func readRoot(f *lintFlags, paths []string) (*confine.Root, error) {
	root := confine.New(nil, nil)
	if f.root != "" {
		info, err := os.Stat(f.root)
		if err != nil || !info.IsDir() {
			return nil, usagef("--root %s: not a directory", f.root)
		}
		root.AllowDir(f.root)
	} else {
		for _, p := range paths {
			if p == "-" {
				continue
			}
			if dir, err := confine.RepositoryRoot(p); err == nil {
				root.AllowDir(dir)
			}
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("get working directory: %w", err)
	}
	if dir, err := confine.RepositoryRoot(wd); err == nil {
		root.AllowDir(dir)
	}
	for _, p := range paths {
		if p != "-" {
			root.AllowTyped(p)
		}
	}
	typed := [][]string{f.render.values, f.prom.files, f.policies}
	for _, list := range typed {
		for _, p := range list {
			root.AllowTyped(p)
		}
	}
	for _, p := range []string{f.config, f.baseline} {
		if p != "" {
			root.AllowTyped(p)
		}
	}
	return root, nil
}
