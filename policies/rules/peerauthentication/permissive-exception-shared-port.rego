# METADATA
# title: PERMISSIVE metrics exception on a shared port
# description: >-
#   A workload policy exempts a metrics port from STRICT (PERMISSIVE or DISABLE),
#   but that container port also carries other traffic: another Service port
#   targets it, its name is not a metrics name, or it is the pod's only port. The
#   exception then weakens mTLS for application traffic, not only for metrics.
# custom:
#   id: permissive-exception-shared-port
#   severity: warning
#   category: peerauthentication
#   tags: [security]
#   security-severity: "6.5"
#   tier: core
#   semantics: "docs/model.md#port-exception-pitfalls, docs/model.md#big-bang-mtls-metrics"
#   fix: >-
#     Serve metrics on a dedicated port and exempt only that one; or keep the
#     port STRICT and scrape with https and Istio certs; or use Istio metrics
#     merging.
package meshlint.rules.peerauthentication.permissive_exception_shared_port

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthentications
	pa.scope == "workload"
	some e in pa.portLevel
	e.mode in {"PERMISSIVE", "DISABLE"}
	some s in e.shared
	msg := sprintf(
		"PeerAuthentication %s makes container port %d of %s %s because %s, but %s: the exception weakens mTLS for that traffic too",
		[pa.name, e.port, s.workload, e.mode, s.metrics, s.other],
	)
	finding := lib.finding(pa.resource, e.pointer, msg, s.related, [])
}
