# METADATA
# title: Invalid PeerAuthentication
# description: >-
#   A PeerAuthentication value that Istio's validation rejects: an unknown mTLS
#   mode (modes are upper case: UNSET, DISABLE, PERMISSIVE, STRICT), a
#   `portLevelMtls` key that is not a port number 1-65535, an empty
#   `portLevelMtls`, or an object of the removed `authentication.istio.io/v1alpha1`
#   API (`Policy`, `MeshPolicy`). The API server rejects such a policy at apply
#   time (or, where validation is bypassed, istiod ignores it), so the mode it
#   was meant to set is not in force. A policy whose mode or port keys cannot be
#   read is left out of meshlint's mode resolution. Wrongly typed fields (a list
#   where a map belongs) are invalid-manifest findings.
# custom:
#   id: invalid-peer-authentication
#   severity: error
#   category: peerauthentication
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#peer-authentication-api, docs/model.md#peer-authentication-validation"
#   fix: >-
#     As the message says: write the mode in upper case, key `portLevelMtls` by
#     container port numbers (quoted or not), drop an empty `portLevelMtls`, and
#     replace v1alpha1 `Policy`/`MeshPolicy` with `security.istio.io/v1`
#     PeerAuthentication.
package meshlint.rules.peerauthentication.invalid_peer_authentication

# Modes and port keys that cannot be read are reported from Go (the graph
# leaves such a policy out); the rules below cover what the graph can read.

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthReview.policies
	pa.portLevel.present
	pa.portLevel.empty
	msg := sprintf(
		"PeerAuthentication %s has an empty portLevelMtls; Istio's validation rejects it (\"port level mTLS, if defined, must have at least one element\"), so the policy is not applied. Remove portLevelMtls or add an entry",
		[pa.name],
	)
	finding := lib.finding(pa.resource, pa.portLevel.pointer, msg, [], [])
}

report contains finding if {
	some p in input.peerAuthReview.removedPolicies
	msg := sprintf(
		"%s %s uses the %s API, which Istio removed in 1.6: no cluster serves it any more, so it is rejected at apply time and enforces nothing. %s",
		[p.kind, p.name, p.apiVersion, replacement(p)],
	)
	finding := lib.finding(p.resource, "/apiVersion", msg, [], [])
}

replacement(p) := concat(" ", array.concat(peers_text(p), origins_text(p)))

peers_text(p) := [sprintf("Replace its mTLS settings with a security.istio.io/v1 PeerAuthentication (%s).", [scope_text[p.kind]])] if {
	not p.origins
}

peers_text(p) := [sprintf("Replace its mTLS settings (peers) with a security.istio.io/v1 PeerAuthentication (%s).", [scope_text[p.kind]])] if {
	p.origins
	p.peers
}

peers_text(p) := [] if {
	p.origins
	not p.peers
}

origins_text(p) := ["Its JWT settings (origins) move to a security.istio.io/v1 RequestAuthentication."] if p.origins

origins_text(p) := [] if not p.origins

scope_text := {
	"Policy": "a namespace-wide one without selector, or one with selector.matchLabels for a workload",
	"MeshPolicy": "a mesh-wide one without selector in the root namespace",
}
