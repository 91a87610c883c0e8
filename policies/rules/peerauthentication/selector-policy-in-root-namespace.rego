# METADATA
# title: Workload selector on a policy in the root namespace
# description: >-
#   A PeerAuthentication with `selector.matchLabels` in the mesh root namespace
#   (`meshConfig.rootNamespace`, `istio-system` by default). Istio drops such
#   policies when it composes the mode of a workload: a selector policy counts
#   only in the workload's own namespace, and the root namespace counts only
#   for the mesh-wide policy without a selector. The policy has no effect at
#   all. (Older API docs claimed the opposite; istiod's code and the current
#   docs agree that it is ignored.)
# custom:
#   id: selector-policy-in-root-namespace
#   severity: error
#   category: peerauthentication
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#root-namespace-selector-ignored"
#   fix: >-
#     Move the policy to the namespace of the workloads it should select
#     (workloads in the root namespace itself cannot have a workload policy);
#     for a mesh-wide default, drop the selector.
package meshlint.rules.peerauthentication.selector_policy_in_root_namespace

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthReview.policies
	pa.scope == "ignored"
	msg := sprintf(
		"PeerAuthentication %s has a workload selector (%s) but lives in the root namespace %s, so Istio ignores it entirely: selector policies apply only in their own namespace, and the root namespace holds only the mesh-wide policy without a selector%s",
		[pa.name, pa.selector.labels, pa.rootNamespace, elsewhere(pa.workloads.elsewhere)],
	)
	finding := lib.finding(pa.resource, pa.selector.pointer, msg, pa.workloads.elsewhere, [])
}

elsewhere(ws) := "" if count(ws) == 0

elsewhere(ws) := sprintf("; its labels match %s", [concat(", ", [w.message | some w in ws])]) if {
	count(ws) > 0
}
