package lint

import "github.com/meshlint/meshlint/internal/loader"

// adviseSkipped adds to the reasons of skipped documents what the lint
// knows about them and the loader does not: an IstioOperator install
// profile (install.istio.io) decides mesh settings that meshlint reads from
// .meshlint.yaml instead (https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/).
func adviseSkipped(skips []loader.Skip) {
	for i, s := range skips {
		if s.Kind == "IstioOperator" {
			skips[i].Reason += "; its spec.meshConfig is not read: set what it decides in .meshlint.yaml, " +
				"mesh.rootNamespace for meshConfig.rootNamespace, mesh.enablePrometheusMerge for meshConfig.enablePrometheusMerge, " +
				"mesh.defaultMode for the mesh-wide mTLS mode, mesh.assumeInjection for sidecar injection"
		}
	}
}
