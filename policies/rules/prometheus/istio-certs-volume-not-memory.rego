# METADATA
# title: Istio cert volume is not in memory
# description: >-
#   The volume that carries the exported Istio certs is not `emptyDir` with
#   `medium: Memory`, so the workload's private key is written to the node's
#   disk.
# custom:
#   id: istio-certs-volume-not-memory
#   severity: warning
#   category: prometheus
#   tags: [security]
#   security-severity: "5.5"
#   tier: core
#   semantics: "docs/model.md#cert-volume"
#   fix: "Use `emptyDir: {medium: Memory}` for the cert volume."
package meshlint.rules.prometheus.istio_certs_volume_not_memory

import data.meshlint.lib

report contains finding if {
	some p in input.prometheuses
	p.usesIstioCerts
	some name in p.certVolumes
	some v in p.volumes
	v.name == name
	not in_memory(v)
	finding := lib.finding(p.resource, pointer(v), message(p, v), [], [])
}

in_memory(v) if {
	v.emptyDir
	v.medium == "Memory"
}

pointer(v) := v.mediumPointer if v.emptyDir

pointer(v) := v.pointer if not v.emptyDir

message(p, v) := sprintf("%s %s keeps Istio certs in volume %q, an emptyDir on node disk: the workload private key is written to disk; set medium: Memory", [p.kind, p.name, v.name]) if v.emptyDir

message(p, v) := sprintf("%s %s keeps Istio certs in volume %q, which is not an in-memory emptyDir: the workload private key is stored outside memory", [p.kind, p.name, v.name]) if not v.emptyDir
