package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// Source maps a Flux GitRepository of the input (namespace/name) to a
// directory of this repository: the HelmReleases whose chart comes from
// it are rendered from that directory. Without a mapping, a GitRepository
// counts as this repository only when its URL is one of the checkout's
// git remotes.
type Source struct {
	Namespace, Name string
	Path            Path // the directory, joined with the config file's directory
}

// dnsName is a Kubernetes object name or namespace (RFC 1123 subdomain).
var dnsName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`) })

// sources reads `sources:`, a mapping of GitRepository namespace/name to a
// relative path.
func (p *parser) sources(key string, n *yaml.Node) {
	want := "a mapping of GitRepository namespace/name to a directory of this repository (flux-system/platform: ./)"
	p.entries(key, n, want, func(full string, k, v *yaml.Node) {
		ns, name, ok := strings.Cut(k.Value, "/")
		if !ok || !dnsName().MatchString(ns) || !dnsName().MatchString(name) {
			p.errorf(k, "%s: want a GitRepository as namespace/name (flux-system/platform), got %q", display(key), k.Value)
			return
		}
		var s Setting[string]
		p.name(full, v, &s)
		if !s.Set {
			return
		}
		local := filepath.FromSlash(s.Value)
		if filepath.IsAbs(local) {
			p.errorf(v, "%s: %q is an absolute path; write the directory relative to %s, inside the repository", full, s.Value, p.file)
			return
		}
		p.cfg.Sources = append(p.cfg.Sources, Source{Namespace: ns, Name: name,
			Path: Path{Path: filepath.Join(p.dir, local), Written: s.Value, Line: s.Line}})
	})
}

// sourcePaths are the directories of the sources, for CheckPaths.
func sourcePaths(sources []Source) []Path {
	out := make([]Path, len(sources))
	for i, s := range sources {
		out[i] = s.Path
	}
	return out
}

// SourceKey is how a GitRepository is named in Sources and in messages.
func SourceKey(namespace, name string) string { return fmt.Sprintf("%s/%s", namespace, name) }
