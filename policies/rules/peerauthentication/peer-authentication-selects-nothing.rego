# METADATA
# title: Workload policy that selects nothing
# description: >-
#   A workload PeerAuthentication whose `selector.matchLabels` match no workload
#   in its namespace. A PeerAuthentication applies only to pods in its own
#   namespace, so it has no effect. Reported only when the namespace's workloads
#   are evidently in the input: the input creates the namespace (its Namespace
#   manifest) and holds workloads of it, nothing in the namespace may run pods
#   meshlint does not model (operator custom resources, Gateway API Gateways),
#   and no Flux or Argo CD object deploys more into it. A policy shipped with
#   an add-on into a namespace created elsewhere is not reported.
# custom:
#   id: peer-authentication-selects-nothing
#   severity: warning
#   category: peerauthentication
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#peer-authentication-scope, docs/model.md#workload-selector"
#   fix: >-
#     Fix the labels to match the pod template labels of the workload (not the
#     Deployment's own labels), or move the policy to the workload's namespace.
package meshlint.rules.peerauthentication.peer_authentication_selects_nothing

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthReview.policies
	pa.scope == "workload"
	pa.workloads.evident
	count(pa.workloads.selected) == 0
	msg := sprintf(
		"PeerAuthentication %s selects %s, which matches no workload in namespace %s, so the policy has no effect%s",
		[pa.name, pa.selector.labels, pa.namespace, elsewhere(pa.workloads.elsewhere)],
	)
	finding := lib.finding(pa.resource, pa.selector.pointer, msg, pa.workloads.elsewhere, [])
}

elsewhere(ws) := "" if count(ws) == 0

elsewhere(ws) := sprintf("; the labels match %s, but a PeerAuthentication applies only in its own namespace", [concat(", ", [w.message | some w in ws])]) if {
	count(ws) > 0
}
