# METADATA
# title: PodMonitor scrapes a STRICT port
# description: >-
#   A PodMonitor endpoint selects a container port that is STRICT behind an Istio
#   sidecar. A PodMonitor's tlsConfig can only reference Secrets and ConfigMaps,
#   never files, so it cannot present Istio's rotating workload certificates, and
#   no scrape class with Istio file TLS applies. Big Bang's guidance calls this
#   "not currently feasible". Copying the ServiceMonitor recipe does not help:
#   `caFile`, `certFile` and `keyFile` are not fields of a PodMonitor's
#   tlsConfig (Prometheus Operator's SafeTLSConfig,
#   pkg/apis/monitoring/v1/http_config.go), so `kubectl apply` rejects them
#   and Helm or Flux prune them; only a scrape class fills the files in
#   (pkg/prometheus/promcfg.go mergeSafeTLSConfigWithScrapeClass).
#   The same holds for every scrape source that
#   cannot present Istio's certificates: a ScrapeConfig (its tlsConfig is a
#   SafeTLSConfig too), and a monitor of Azure Monitor's managed Prometheus
#   (`azmonitoring.coreos.com`), whose scraper runs outside the mesh.
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
	s.certsUnavailable != ""
	not s.tls.istio
	s.tls.classKnown
	some t in s.targets
	t.requirement == "mtls"
	msg := sprintf(
		"endpoint %d scrapes %s, which is %s (%s). %s%s, so this target cannot be scraped",
		[s.endpoint, t.chain, t.modeExplain, t.why, s.certsUnavailable, dropped_note(s.tls)],
	)
	finding := lib.finding(s.monitor, anchor(s), msg, t.related, t.assumptions)
}

# dropped_note says why file fields written on the endpoint do not count.
dropped_note(tls) := sprintf(
	" (its tlsConfig sets %s, but a PodMonitor's tlsConfig is a SafeTLSConfig without file fields: kubectl rejects them, Helm and Flux prune them, and the operator never sees them)",
	[concat(", ", [f.message | some f in tls.droppedFiles])],
) if {
	count(tls.droppedFiles) > 0
}

dropped_note(tls) := "" if count(object.get(tls, "droppedFiles", [])) == 0

# anchor points at the first file field the schema drops, else the endpoint.
anchor(s) := s.tls.droppedFiles[0].pointer if count(s.tls.droppedFiles) > 0

anchor(s) := s.pointer if count(object.get(s.tls, "droppedFiles", [])) == 0
