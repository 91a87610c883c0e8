package render

import (
	"fmt"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/types"
)

// The kustomization guard: before Kustomize reads a kustomization (the
// root's, and every base's and component's, as buildFS serves it), every
// entry that names a file or a directory must be a plain relative path
// inside the repository. Anything else is removed, with a render-skipped
// note at the entry, and the rest of the kustomization is built:
//
//   - a remote reference. Kustomize clones anything its RepoSpec parser
//     accepts by running git (whose options a crafted ?ref= can set:
//     "file:///x//y?version=--upload-pack=cmd" runs cmd), and fetches
//     http(s) URLs; meshlint never runs a program and never touches the
//     network. Kustomize's FileLoader.New tries the RepoSpec parser before
//     it looks for a local directory, so an entry that exists locally but
//     reads as a repository is removed too;
//   - an absolute path, or one whose real path (links resolved) leaves the
//     repository.
//
// The guard works on the YAML nodes, to place its notes; then the result is
// decoded the way Kustomize decodes it (types.Kustomization, with its
// case-insensitive field names, aliases and merge keys) and checked again,
// and a kustomization that still names a refused entry is not served at
// all, so a spelling the node walk missed cannot reach Kustomize.

// isRemoteRef reports whether Kustomize may read s as something to fetch
// rather than as a local path. It is a case-insensitive superset of
// kustomize's git.NewRepoSpecFromURL (api/internal/git/repospec.go of
// sigs.k8s.io/kustomize/api v0.21.1, which cannot be imported: it is
// internal) and of loader.IsRemoteFile (http and https URLs): the parser
// takes any of the schemes ssh://, https://, http://, file:// (in any
// case), a git:: prefix, user@host:path and github.com:path (SCP style),
// github.com/org/repo without a scheme, a query (?ref=, ?version=,
// ?submodules=, ?timeout=) and the //, .git and _git/ separators.
func isRemoteRef(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	if l == "" {
		return false
	}
	if strings.Contains(l, "://") || strings.HasPrefix(l, "git::") || strings.Contains(l, "?") {
		return true
	}
	first := l
	if i := strings.IndexByte(l, '/'); i >= 0 {
		first = l[:i]
	}
	if strings.ContainsAny(first, "@:") { // user@host:org/repo, host:path, scheme:
		return true
	}
	for _, h := range knownGitHosts {
		if first == h || strings.HasSuffix(first, "."+h) {
			return true
		}
	}
	if strings.Contains(l, "//") || strings.Contains(l, "_git/") {
		return true
	}
	for rest := l; ; {
		i := strings.Index(rest, ".git")
		if i < 0 {
			return false
		}
		rest = rest[i+len(".git"):]
		if rest == "" || rest[0] == '/' {
			return true
		}
	}
}

// knownGitHosts are hosts whose repositories are often named without a
// scheme; kustomize itself only takes github.com that way.
var knownGitHosts = []string{"github.com", "gitlab.com", "bitbucket.org", "dev.azure.com", "visualstudio.com",
	"codeberg.org", "gitea.com", "sr.ht"}

// refusal says why the entry s of a kustomization in dir is not read, or
// "" when it is a plain relative path inside the repository. what names
// the entry ("resource", "patch"...).
func (x *expander) refusal(dir, what, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return ""
	case isRemoteRef(s):
		local := filepath.Join(dir, filepath.FromSlash(s))
		if _, err := x.opts.Root.Resolve(local); err == nil && exists(local) {
			hint := "rename it"
			if !isRemoteRef("./" + s) {
				hint = "write it as ./" + s
			}
			return fmt.Sprintf("%s %s is read by Kustomize as a remote Git repository, which is not fetched (meshlint works offline), although a local path has that name; to build the local one, %s", what, s, hint)
		}
		return fmt.Sprintf("remote %s %s is not fetched (meshlint works offline); the rest of the kustomization is linted", what, s)
	case filepath.IsAbs(s):
		return fmt.Sprintf("%s %s is an absolute path, which meshlint does not read: a kustomization names files relative to itself, inside the repository; the rest of the kustomization is linted", what, s)
	}
	if _, err := x.opts.Root.Resolve(filepath.Join(dir, filepath.FromSlash(s))); err != nil {
		return fmt.Sprintf("%s %s leaves the repository: its real path, once symbolic links are resolved, is outside the linted tree (--root widens it); it is not read, and the rest of the kustomization is linted", what, s)
	}
	return ""
}

// inlineConfig reports whether an entry of a list that takes a path or
// inline YAML (patchesStrategicMerge, generators, transformers, validators)
// is inline YAML.
func inlineConfig(s string) bool {
	t := strings.TrimSpace(s)
	return strings.Contains(t, "\n") || strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// fileSourcePath is the path of a configMapGenerator/secretGenerator file
// source, "key=path" or "path" (kustomize's generators.ParseFileSource).
func fileSourcePath(s string) string {
	if strings.Count(s, "=") == 1 {
		_, p, _ := strings.Cut(s, "=")
		return p
	}
	return s
}

// pathShape is how a kustomization field names files.
type pathShape int

const (
	pathList      pathShape = iota // [path]
	pathOrInline                   // [path or inline YAML]
	pathEntries                    // [{path: p, ...}]: a refused entry goes whole
	pathKey                        // {path: p}: a refused path key goes
	sourceEntries                  // [{files: [k=p], envs: [p], env: p}]
)

// pathFields are the fields of types.Kustomization that name files or
// directories (helmCharts and its kin are removed before, whole).
var pathFields = []struct {
	key, what string
	shape     pathShape
}{
	{"resources", "resource", pathList},
	{"bases", "base", pathList},
	{"components", "component", pathList},
	{"crds", "CRD file", pathList},
	{"configurations", "configuration file", pathList},
	{"patchesStrategicMerge", "patch", pathOrInline},
	{"generators", "generator", pathOrInline},
	{"transformers", "transformer", pathOrInline},
	{"validators", "validator", pathOrInline},
	{"patches", "patch", pathEntries},
	{"patchesJson6902", "patch", pathEntries},
	{"replacements", "replacement file", pathEntries},
	{"openapi", "OpenAPI schema", pathKey},
	{"configMapGenerator", "ConfigMap source file", sourceEntries},
	{"secretGenerator", "Secret source file", sourceEntries},
}

// guardNode removes the refused entries of one field of a kustomization
// (key matched as encoding/json matches field names: case-insensitively),
// calling note at each; it reports whether it changed anything.
func (x *expander) guardNode(dir, key string, v *yaml.Node, note func(*yaml.Node, string)) bool {
	for _, f := range pathFields {
		if !strings.EqualFold(key, f.key) {
			continue
		}
		check := func(e *yaml.Node, path string) bool {
			if e.Kind != yaml.ScalarNode {
				return false // an alias or worse: checkDecoded has the last word
			}
			if msg := x.refusal(dir, f.what, path); msg != "" {
				note(e, msg)
				return true
			}
			return false
		}
		switch f.shape {
		case pathList, pathOrInline:
			return filterSeq(v, func(e *yaml.Node) bool {
				return !(f.shape == pathOrInline && inlineConfig(e.Value)) && check(e, e.Value)
			})
		case pathEntries:
			return filterSeq(v, func(e *yaml.Node) bool {
				p := mapValue(e, "path")
				return p != nil && check(p, p.Value)
			})
		case pathKey:
			return filterMap(v, func(k, e *yaml.Node) bool { return strings.EqualFold(k.Value, "path") && check(e, e.Value) })
		case sourceEntries:
			changed := false
			if v.Kind == yaml.SequenceNode {
				for _, g := range v.Content {
					changed = filterMap(g, func(k, e *yaml.Node) bool {
						switch {
						case strings.EqualFold(k.Value, "env"):
							return check(e, e.Value)
						case strings.EqualFold(k.Value, "envs"):
							changed = filterSeq(e, func(s *yaml.Node) bool { return check(s, s.Value) }) || changed
						case strings.EqualFold(k.Value, "files"):
							changed = filterSeq(e, func(s *yaml.Node) bool { return check(s, fileSourcePath(s.Value)) }) || changed
						}
						return false
					}) || changed
				}
			}
			return changed
		}
	}
	return false
}

// filterSeq drops the entries of a sequence node that drop reports.
func filterSeq(v *yaml.Node, drop func(*yaml.Node) bool) bool {
	if v.Kind != yaml.SequenceNode {
		return false
	}
	kept := v.Content[:0]
	for _, e := range v.Content {
		if !drop(e) {
			kept = append(kept, e)
		}
	}
	changed := len(kept) != len(v.Content)
	v.Content = kept
	return changed
}

// filterMap drops the pairs of a mapping node that drop reports.
func filterMap(m *yaml.Node, drop func(k, v *yaml.Node) bool) bool {
	if m.Kind != yaml.MappingNode {
		return false
	}
	kept := m.Content[:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !drop(m.Content[i], m.Content[i+1]) {
			kept = append(kept, m.Content[i], m.Content[i+1])
		}
	}
	changed := len(kept) != len(m.Content)
	m.Content = kept
	return changed
}

// mapValue is the value of key in a mapping node (matched
// case-insensitively, as encoding/json does), or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	var out *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if strings.EqualFold(m.Content[i].Value, key) {
			out = m.Content[i+1] // the last one wins, as in encoding/json
		}
	}
	return out
}

// checkDecoded decodes a kustomization as Kustomize does and refuses it
// when it still names an entry that refusal rejects, or a helm chart: a
// spelling the node walk could not follow (an alias, a merge key) must not
// reach Kustomize. A kustomization Kustomize cannot decode is passed on, for
// Kustomize to report. setsSchema says whether it sets kustomize's OpenAPI
// schema (openapi:), which is process-global (runKustomize).
func (x *expander) checkDecoded(dir string, data []byte) (setsSchema bool, err error) {
	var k types.Kustomization
	if k.Unmarshal(data) != nil {
		return false, nil
	}
	setsSchema = len(k.OpenAPI) > 0
	if len(k.HelmCharts) > 0 || len(k.HelmChartInflationGenerator) > 0 || k.HelmGlobals != nil {
		return setsSchema, fmt.Errorf("the kustomization names helm charts in a way meshlint cannot remove them (a YAML alias or merge key); it is not built")
	}
	var paths [][2]string // what, path
	add := func(what string, ss ...string) {
		for _, s := range ss {
			paths = append(paths, [2]string{what, s})
		}
	}
	add("resource", k.Resources...)
	add("base", k.Bases...)
	add("component", k.Components...)
	add("CRD file", k.Crds...)
	add("configuration file", k.Configurations...)
	for _, p := range k.PatchesStrategicMerge {
		if !inlineConfig(string(p)) {
			add("patch", string(p))
		}
	}
	for _, list := range [][]string{k.Generators, k.Transformers, k.Validators} {
		for _, s := range list {
			if !inlineConfig(s) {
				add("plugin configuration", s)
			}
		}
	}
	for _, p := range append(append([]types.Patch(nil), k.Patches...), k.PatchesJson6902...) {
		add("patch", p.Path)
	}
	for _, r := range k.Replacements {
		add("replacement file", r.Path)
	}
	if p, ok := k.OpenAPI["path"]; ok {
		add("OpenAPI schema", p)
	}
	for _, g := range k.ConfigMapGenerator {
		add("ConfigMap source file", g.EnvSources...)
		add("ConfigMap source file", g.EnvSource)
		for _, f := range g.FileSources {
			add("ConfigMap source file", fileSourcePath(f))
		}
	}
	for _, g := range k.SecretGenerator {
		add("Secret source file", g.EnvSources...)
		add("Secret source file", g.EnvSource)
		for _, f := range g.FileSources {
			add("Secret source file", fileSourcePath(f))
		}
	}
	for _, p := range paths {
		if msg := x.refusal(dir, p[0], p[1]); msg != "" {
			return setsSchema, fmt.Errorf("%s; it is named in a way meshlint cannot remove it alone (a YAML alias, a merge key), so the kustomization is not built", strings.TrimSuffix(msg, "; the rest of the kustomization is linted"))
		}
	}
	return setsSchema, nil
}
