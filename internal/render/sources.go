package render

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/loader"
)

// A Flux HelmRelease names its chart as a path in a GitRepository. meshlint
// renders it from this checkout only when that GitRepository is this
// repository: its URL is one of the checkout's git remotes, or the config
// maps it (`sources:` in .meshlint.yaml). Anything else (another
// repository, a GitRepository not in the input, a checkout without .git or
// without a remote, such as a tarball or a CI cache) is a render-skipped
// note: a chart of this checkout at the same path is a lookalike, and
// rendering it would lint the wrong chart.

// sourceRoot is the directory of this checkout a GitRepository's paths are
// relative to, or "" and why the release is not rendered.
func (x *expander) sourceRoot(d *loader.Document, ns, name string) (string, string) {
	label := "GitRepository " + ns + "/" + name
	mapIt := fmt.Sprintf("if it is this repository, map it to its directory with `sources: {%s/%s: <path>}` in .meshlint.yaml", ns, name)
	if dir, ok := x.opts.Sources[ns+"/"+name]; ok {
		return dir, ""
	}
	url, found := x.gitRepositoryURL(ns, name)
	switch {
	case !found:
		return "", fmt.Sprintf("%s is not in the input, so meshlint cannot tell whether it is this repository; %s", label, mapIt)
	case url == "":
		return "", fmt.Sprintf("%s has no spec.url, so meshlint cannot tell whether it is this repository; %s", label, mapIt)
	}
	root := x.gitRoot(d)
	if root == "" {
		return "", fmt.Sprintf("%s is %s, and this checkout has no .git (a tarball or a cache?), so meshlint cannot tell whether it is this repository; %s", label, url, mapIt)
	}
	remotes := gitRemotes(root)
	if len(remotes) == 0 {
		return "", fmt.Sprintf("%s is %s, and this checkout has no git remote, so meshlint cannot tell whether it is this repository; %s", label, url, mapIt)
	}
	for _, r := range remotes {
		if normalizeGitURL(r) == normalizeGitURL(url) {
			return root, ""
		}
	}
	return "", fmt.Sprintf("%s is %s, not the repository being linted (remote %s); %s", label, url, strings.Join(remotes, ", "), mapIt)
}

// gitRepositoryURL is the URL of a GitRepository of the input, its
// credentials removed, and whether the input holds it.
func (x *expander) gitRepositoryURL(ns, name string) (string, bool) {
	for _, o := range x.known {
		if o.Kind != "GitRepository" || o.Name != name || !strings.HasPrefix(o.APIVersion, "source.toolkit.fluxcd.io/") {
			continue
		}
		if o.Namespace != ns && !(o.Namespace == "" && ns == x.opts.DefaultNamespace) {
			continue
		}
		obj, ok := o.Decode()
		if !ok {
			return "", true
		}
		url, _ := dig(obj, "spec", "url").(string)
		return withoutUserinfo(url), true
	}
	return "", false
}
