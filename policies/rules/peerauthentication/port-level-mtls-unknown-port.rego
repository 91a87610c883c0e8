# METADATA
# title: portLevelMtls key that no selected workload declares
# description: >-
#   A `portLevelMtls` key of a workload policy is no declared container port of
#   any workload the policy selects, and no Service targets it. Istio still
#   builds a filter chain for it, but nothing seems to listen there: the key is
#   probably a typo or a stale exception for a port that moved. Reported only
#   when the selected workloads are in the input and all of them declare their
#   ports; Istio's own ports (15020, 15021, 15090) are left to
#   exception-on-uncaptured-port, and Service ports used as keys to
#   port-level-mtls-on-service-port.
# custom:
#   id: port-level-mtls-unknown-port
#   severity: warning
#   category: peerauthentication
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#port-level-mtls-target-port, docs/model.md#port-level-mtls-undeclared-ports"
#   fix: >-
#     Check the port the process listens on and use that container port as the
#     key; if the process listens on a port it does not declare, declare it under
#     the container's `ports` so the exception documents itself.
package meshlint.rules.peerauthentication.port_level_mtls_unknown_port

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthReview.policies
	pa.scope == "workload"
	count(pa.workloads.selected) > 0
	some p in pa.ports
	count(p.declaredOn) == 0
	count(p.noPorts) == 0
	count(p.targetedBy) == 0
	not p.istioPort
	not p.servicePortMisuse
	msg := sprintf(
		"portLevelMtls key %d of PeerAuthentication %s is no declared container port of the workloads it selects (%s) and no Service targets it, so this %s entry probably matches nothing the process listens on: a typo or a stale exception",
		[p.port, pa.name, concat("; ", p.undeclared), p.mode],
	)
	finding := lib.finding(pa.resource, p.pointer, msg, pa.workloads.selected, [])
}
