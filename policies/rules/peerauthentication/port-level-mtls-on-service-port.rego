# METADATA
# title: portLevelMtls keyed on a Service port
# description: >-
#   A `portLevelMtls` key equals the `port` of a Service in front of the selected
#   workload, while that Service port targets a different container port. Istio
#   matches keys against the container (workload) port, never the Service port,
#   so the exception silently does nothing (istio#49098).
# custom:
#   id: port-level-mtls-on-service-port
#   severity: error
#   category: peerauthentication
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#port-level-mtls-target-port"
#   fix: "Key the entry on the container port the Service port resolves to."
package meshlint.rules.peerauthentication.port_level_mtls_on_service_port

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthentications
	pa.scope == "workload"
	some e in pa.portLevel
	some m in e.servicePortMisuse
	msg := sprintf(
		"portLevelMtls key %d of PeerAuthentication %s is a Service port, not a container port: %s. Istio matches keys against the container port, so this %s entry has no effect on %s; use %d",
		[e.port, pa.name, m.resolution, e.mode, m.workload, m.containerPort],
	)
	finding := lib.finding(pa.resource, e.pointer, msg, [m.service], [])
}
