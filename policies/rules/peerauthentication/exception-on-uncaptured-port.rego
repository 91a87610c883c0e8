# METADATA
# title: Port exception for a port the sidecar never intercepts
# description: >-
#   A `portLevelMtls` entry for a port that bypasses the sidecar: Istio's own
#   ports 15020 (status and merged metrics), 15021 (health) and 15090 (Envoy
#   metrics), which are never captured, or a port that every selected sidecar
#   workload leaves uncaptured (`traffic.sidecar.istio.io/excludeInboundPorts`,
#   a `includeInboundPorts` list without it, `interceptionMode: NONE`). Traffic
#   to such a port never meets the sidecar's mTLS settings, so the entry has no
#   effect; for 15020 and 15090 plaintext scrapes already work under STRICT.
# custom:
#   id: exception-on-uncaptured-port
#   severity: note
#   category: peerauthentication
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#uncaptured-ports"
#   fix: "Remove the entry; it changes nothing."
package meshlint.rules.peerauthentication.exception_on_uncaptured_port

import data.meshlint.lib

report contains finding if {
	some [pa, p] in workload_ports
	p.istioPort
	msg := sprintf(
		"portLevelMtls key %d of PeerAuthentication %s is an Istio port that the sidecar never intercepts, so this %s entry has no effect (Istio's own metrics and health ports already accept plaintext under STRICT)",
		[p.port, pa.name, p.mode],
	)
	finding := lib.finding(pa.resource, p.pointer, msg, [], [])
}

report contains finding if {
	some [pa, p] in workload_ports
	not p.istioPort
	count(p.uncaptured) > 0
	p.captured == 0
	msg := sprintf(
		"portLevelMtls key %d of PeerAuthentication %s names a port that bypasses the sidecar of every workload it selects (%s), so this %s entry has no effect: traffic to that port never meets mTLS",
		[p.port, pa.name, concat("; ", p.uncaptured), p.mode],
	)
	finding := lib.finding(pa.resource, p.pointer, msg, pa.workloads.selected, [])
}

# workload_ports are the portLevelMtls entries of workload policies, found
# in one walk of the policies for both reports.
workload_ports := [[pa, p] |
	some pa in input.peerAuthReview.policies
	pa.scope == "workload"
	some p in pa.ports
]
