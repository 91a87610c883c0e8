# METADATA
# title: Annotation-driven scrape of a STRICT port with merging off
# description: >-
#   A sidecar workload asks to be scraped with `prometheus.io/scrape: "true"`,
#   metrics merging is off for it (`prometheus.istio.io/merge-metrics: "false"`,
#   or the mesh's `enablePrometheusMerge: false`), and the port the
#   annotations point at is STRICT. A scrape job in the input that follows the
#   annotation (a Prometheus config or a monitor keeping pods by
#   `__meta_kubernetes_pod_annotation(present)_prometheus_io_scrape`) then
#   scrapes that port in plaintext, which the sidecar rejects. With merging on,
#   Istio would have pointed the annotations at the plaintext merged endpoint
#   on 15020 instead. Reported only when such a job is in the input.
# custom:
#   id: annotation-scrape-without-merge
#   severity: error
#   category: merge
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#metrics-merging-enablement, docs/model.md#strict-enforcement"
#   fix: >-
#     Re-enable merging for the workload (remove `merge-metrics: "false"` or set
#     it to "true"), or scrape it with https and Istio certs through a monitor.
package meshlint.rules.merge.annotation_scrape_without_merge

import data.meshlint.lib

report contains finding if {
	some w in input.merge
	w.mergeOff != ""
	w.scrape == "true"
	count(w.annotationJobs) > 0
	count(w.strictPorts) > 0
	ports := concat(", ", [sprintf("%d is %s", [p.port, p.modeExplain]) | some p in w.strictPorts])
	related := array.concat(w.annotationJobs, [p.source | some p in w.strictPorts; p.source != null])
	msg := sprintf(
		"%s has prometheus.io/scrape: \"true\" but metrics merging is off for it because %s, so the annotation-driven scrape job reaches the app port itself in plaintext, and the sidecar rejects it: port %s",
		[w.workload, w.mergeWhy, ports],
	)
	finding := lib.finding(w.resource, anchor(w), msg, related, w.assumptions)
}

anchor(w) := w.mergePointer if w.mergeOff == "annotation"

anchor(w) := w.scrapePointer if w.mergeOff == "mesh"
