# METADATA
# title: Merged metrics also scraped directly by a monitor
# description: >-
#   A merged sidecar workload names its metrics port in `prometheus.io/port`, so
#   the agent's merged endpoint (`:15020/stats/prometheus`) carries the app's
#   metrics, while a ServiceMonitor or PodMonitor also scrapes that app port
#   directly. Whatever scrapes the merged endpoint (an annotation-driven job,
#   Istio's envoy-stats PodMonitor) and the monitor then collect the same series
#   under two jobs, doubling sums and rates. A monitor that scrapes the port
#   with the app's own TLS is merge-of-tls-metrics' case instead (the merge
#   itself fails there). A monitor whose scrape the sidecar refuses (plaintext,
#   or no Istio client certificate, to a STRICT port) collects nothing, so it
#   doubles nothing: the scrape rules report it.
# custom:
#   id: merge-and-monitor-double-scrape
#   severity: warning
#   category: merge
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#metrics-merging-rewrite, docs/model.md#merged-metrics-plaintext"
#   fix: >-
#     Keep one path: set `prometheus.istio.io/merge-metrics: "false"` on the pod
#     template to scrape only through the monitor, or drop the monitor and rely on
#     merging.
package meshlint.rules.merge.merge_and_monitor_double_scrape

import data.meshlint.lib

report contains finding if {
	some w in input.merge
	w.merged
	w.port > 0
	w.reserved == ""
	w.port != w.statusPort
	direct := [m | some m in w.monitors; not m.appTLS; not m.down]
	count(direct) > 0
	msg := sprintf(
		"%s is merged because %s, so prometheus.io/port %d puts its app metrics into the merged endpoint :%d/stats/prometheus%s, while %s also scrape%s port %d directly: %s",
		[w.workload, w.mergeWhy, w.port, w.statusPort, merged_scraper(w), concat(", ", sort([m.monitor | some m in direct])), verb(direct), w.port, outcome(w)],
	)
	related := array.concat([m.loc | some m in direct], w.annotationJobs)
	finding := lib.finding(w.resource, w.portPointer, msg, related, w.assumptions)
}

merged_scraper(w) := sprintf(", which %s scrape%s", [concat(", ", w.annotationJobNames), verb(w.annotationJobNames)]) if {
	count(w.annotationJobNames) > 0
}

merged_scraper(w) := "" if count(w.annotationJobNames) == 0

outcome(w) := "every app series is collected twice, under the merged job and under the monitor" if {
	count(w.annotationJobNames) > 0
}

outcome(w) := "whatever scrapes the merged endpoint (an annotation-driven job, Istio's envoy-stats PodMonitor) collects every app series a second time, under another job" if {
	count(w.annotationJobNames) == 0
}

verb(ms) := "s" if count(ms) == 1

verb(ms) := "" if count(ms) > 1
