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
