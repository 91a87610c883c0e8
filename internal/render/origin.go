package render

import (
	"strings"

	"github.com/meshlint/meshlint/internal/loader"
)

// kustomizeOrigin begins the Origin of every document a Kustomize root
// builds (buildKustomization), followed by the root's display path.
const kustomizeOrigin = "built by Kustomize root "

// KustomizeRootOf is the display path of the Kustomize root that built d,
// when one did: environments are told apart by the root that built their
// objects, since an overlay's objects come from files its base shares.
func KustomizeRootOf(d *loader.Document) (string, bool) {
	return strings.CutPrefix(d.Origin, kustomizeOrigin)
}

// helmReleaseOrigin ends the Origin of every document a Flux HelmRelease
// renders (releaseBatch), before the release's namespace/name.
const helmReleaseOrigin = " for HelmRelease "

// HelmReleaseOf is the namespace/name of the Flux HelmRelease that
// rendered d, when one did: its objects belong to the environments that
// hold the HelmRelease, not to every environment.
func HelmReleaseOf(d *loader.Document) (string, bool) {
	if !strings.HasPrefix(d.Origin, "rendered from Helm chart ") {
		return "", false
	}
	i := strings.LastIndex(d.Origin, helmReleaseOrigin)
	if i < 0 {
		return "", false
	}
	return d.Origin[i+len(helmReleaseOrigin):], true
}
