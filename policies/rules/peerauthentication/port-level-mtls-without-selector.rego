# METADATA
# title: portLevelMtls on a policy without a workload selector
# description: >-
#   `portLevelMtls` is only honored on workload policies: a selector with at
#   least one label, outside the root namespace. On a mesh- or namespace-wide
#   policy Istio's validation rejects it (webhook, and the CRD's CEL rule since
#   1.23), and where validation is bypassed istiod ignores it, so the exception
#   never takes effect.
# custom:
#   id: port-level-mtls-without-selector
#   severity: error
#   category: peerauthentication
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#peer-authentication-scope, docs/model.md#port-level-mtls-requires-selector"
#   fix: >-
#     Move the port exception into a workload PeerAuthentication in the workload's
#     namespace with `selector.matchLabels` naming its pods.
package meshlint.rules.peerauthentication.port_level_mtls_without_selector

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthentications
	pa.hasPortLevel
	pa.scope in {"mesh", "namespace"}
	msg := sprintf(
		"PeerAuthentication %s is %s (no selector.matchLabels), so its portLevelMtls is rejected by Istio's validation and ignored at runtime",
		[pa.name, scope_text(pa.scope)],
	)
	finding := lib.finding(pa.resource, pa.portLevelPointer, msg, [], [])
}

scope_text("mesh") := "mesh-wide"

scope_text("namespace") := "namespace-wide"
