# METADATA
# title: Empty workload selector
# description: >-
#   `selector: {}` or `selector: {matchLabels: {}}`. Istio treats a selector
#   without labels as no selector at all: the policy is namespace-wide (or
#   mesh-wide in the root namespace), not a workload policy. It then competes
#   with the namespace's default policy, of which only the oldest applies, and
#   any `portLevelMtls` on it is rejected. Istio's validation warns "workload
#   selector specified without labels".
# custom:
#   id: empty-workload-selector
#   severity: warning
#   category: peerauthentication
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#empty-workload-selector"
#   fix: >-
#     Add `matchLabels` naming the workload's pods, or remove the selector if the
#     policy is meant for the whole namespace.
package meshlint.rules.peerauthentication.empty_workload_selector

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthReview.policies
	pa.selector.present
	pa.selector.empty
	msg := sprintf(
		"PeerAuthentication %s has a selector without labels, which Istio treats as no selector: the policy is %s, not a workload policy%s",
		[pa.name, scope_text(pa), port_note(pa)],
	)
	finding := lib.finding(pa.resource, pa.selector.pointer, msg, [], [])
}

scope_text(pa) := sprintf("mesh-wide (it is in the root namespace %s)", [pa.rootNamespace]) if pa.scope == "mesh"

scope_text(pa) := sprintf("namespace-wide and applies to every workload in namespace %s", [pa.namespace]) if pa.scope == "namespace"

port_note(pa) := ", and its portLevelMtls is rejected" if pa.portLevel.present

port_note(pa) := "" if not pa.portLevel.present
