package config

import (
	"fmt"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Environment is one entry of environments:: a mesh of its own, holding
// the documents under its path globs (shared paths may appear in several
// environments).
type Environment struct {
	Name  string
	Paths []Path // globs joined with the config file's directory; ** spans folders
	Line  int
}

// environments reads environments: [{name: NAME, paths: [GLOB, ...]}].
func (p *parser) environments(key string, n *yaml.Node) {
	items, ok := p.sequence(key, n, "a list such as [{name: dev, paths: [overlays/dev]}]")
	if !ok {
		return
	}
	names := map[string]int{}
	for i, item := range items {
		item = resolve(item)
		full := fmt.Sprintf("%s[%d]", key, i)
		if item.Kind != yaml.MappingNode {
			p.errorf(item, "%s: want a mapping such as {name: dev, paths: [overlays/dev]}, got %s", full, describe(item))
			continue
		}
		var name Setting[string]
		var paths []Path
		before := len(p.errs)
		p.mapping(full, item, []field{
			{"name", func(key string, v *yaml.Node) { p.name(key, v, &name) }},
			{"paths", func(key string, v *yaml.Node) { p.environmentPaths(key, v, &paths) }},
		})
		switch {
		case !name.Set && len(p.errs) == before:
			p.errorf(item, "%s: name is required", full)
		case name.Set && strings.ContainsFunc(name.Value, func(r rune) bool { return r < 0x20 || r == 0x7f || strings.ContainsRune(",[]", r) }):
			p.errorf(item, "%s.name: %q: an environment name cannot hold a comma, a bracket or a control character (findings list names as [env: a, b])", full, name.Value)
		case name.Set && names[name.Value] > 0:
			p.errorf(item, "%s.name: %q is given twice (first on line %d)", full, name.Value, names[name.Value])
		}
		if len(paths) == 0 && len(p.errs) == before {
			p.errorf(item, "%s: paths is required: the folders or files the environment holds, e.g. [overlays/dev, shared]", full)
		}
		if len(p.errs) > before {
			continue
		}
		names[name.Value] = name.Line
		p.cfg.Environments = append(p.cfg.Environments, Environment{Name: name.Value, Paths: paths, Line: item.Line})
	}
}

// environmentPaths reads a list of path globs, relative to the config
// file's directory.
func (p *parser) environmentPaths(key string, n *yaml.Node, dst *[]Path) {
	var raw []Path
	p.paths(key, n, "path globs", &raw)
	for i, pth := range raw {
		var s Setting[string]
		p.glob(fmt.Sprintf("%s[%d]", key, i), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: filepath.ToSlash(pth.Written), Line: pth.Line}, &s)
		if s.Set {
			*dst = append(*dst, pth)
		}
	}
}
