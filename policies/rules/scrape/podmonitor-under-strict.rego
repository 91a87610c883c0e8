# METADATA
# title: PodMonitor scrapes a STRICT port
# description: >-
#   A PodMonitor endpoint selects a container port that is STRICT behind an Istio
#   sidecar. A PodMonitor's tlsConfig can only reference Secrets and ConfigMaps,
#   never files, so it cannot present Istio's rotating workload certificates, and
#   no scrape class with Istio file TLS applies. Big Bang's guidance calls this
#   "not currently feasible".
# custom:
#   id: podmonitor-under-strict
#   severity: error
#   category: scrape
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#podmonitor-tls, docs/model.md#scrape-classes, docs/model.md#big-bang-mtls-metrics"
#   fix: >-
#     Switch to a ServiceMonitor (add a metrics Service if needed) with
#     `scheme: https` and Istio cert files; or use Istio metrics merging
#     (`prometheus.io/port`, `prometheus.io/path`,
#     `prometheus.istio.io/merge-metrics: "true"`) and delete the PodMonitor; or
#     add a PERMISSIVE portLevelMtls exception for the container port (it opens
#     the whole port, not only metrics).
package meshlint.rules.scrape.podmonitor_under_strict

import data.meshlint.lib

report contains finding if {
	some s in input.scrapes
	s.kind == "PodMonitor"
	not s.tls.istio
	s.tls.classKnown
	some t in s.targets
	t.requirement == "mtls"
	msg := sprintf(
		"endpoint %d scrapes %s, which is %s (%s). A PodMonitor cannot reference Istio's cert files and no scrape class with Istio file TLS applies, so this target cannot be scraped",
		[s.endpoint, t.chain, t.modeExplain, t.why],
	)
	finding := lib.finding(s.monitor, s.pointer, msg, t.related, t.assumptions)
}
