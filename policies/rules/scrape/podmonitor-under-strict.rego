# METADATA
# title: PodMonitor scrapes a STRICT port
# description: >-
#   A PodMonitor endpoint selects a container port that is STRICT behind an Istio
#   sidecar. A PodMonitor's tlsConfig can only reference Secrets and ConfigMaps,
#   never files, so it cannot present Istio's rotating workload certificates, and
#   no scrape class with Istio file TLS applies. Big Bang's guidance calls this
#   "not currently feasible". The same holds for every scrape source that
#   cannot present Istio's certificates: a ScrapeConfig (its tlsConfig is a
#   SafeTLSConfig too), and a monitor of Azure Monitor's managed Prometheus
#   (`azmonitoring.coreos.com`), whose scraper runs outside the mesh.
# custom:
#   id: podmonitor-under-strict
#   severity: error
#   category: scrape
#   tags: [reliability]
#   tier: core
#   semantics: "§5.2.3, §5.3.4, §6.1"
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
	s.certsUnavailable != ""
	not s.tls.istio
	s.tls.classKnown
	some t in s.targets
	t.requirement == "mtls"
	msg := sprintf(
		"endpoint %d scrapes %s, which is %s (%s). %s, so this target cannot be scraped",
		[s.endpoint, t.chain, t.modeExplain, t.why, s.certsUnavailable],
	)
	finding := lib.finding(s.monitor, s.pointer, msg, t.related, t.assumptions)
}
