# METADATA
# title: prometheus.io/port is an Istio port on a merged workload
# description: >-
#   Metrics merging moves a sidecar pod's `prometheus.io/port` into the agent,
#   which then fetches the app's metrics from `http://localhost:<port><path>`
#   and serves them with its own on `:15020/stats/prometheus`. When that port
#   is one of Istio's (15000, 15001, 15004, 15006, 15008, 15021, 15053, 15090),
#   the agent scrapes Istio instead of the app, and Istio 1.31 rejects the
#   configuration ("reserved for Istio"). When it is the agent's own port 15020,
#   the injector takes the pod for one that is merged already and leaves the
#   annotations alone: the app's metrics are never merged, and unless
#   `prometheus.io/path` is `/stats/prometheus` Prometheus scrapes a path the
#   agent does not serve. Pods that already show an injected sidecar (their
#   annotations are rewritten already) are not checked.
# custom:
#   id: metrics-port-reserved
#   severity: error
#   category: merge
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#metrics-merging-rewrite"
#   fix: >-
#     Point `prometheus.io/port` (and `prometheus.io/path`) at the port and path
#     where the app serves its metrics; Istio rewrites them to the merged
#     endpoint itself.
package meshlint.rules.merge.metrics_port_reserved

import data.meshlint.lib

report contains finding if {
	some w in input.merge
	w.merged
	w.reserved != ""
	msg := sprintf(
		"%s is merged because %s, but its prometheus.io/port %s",
		[w.workload, w.mergeWhy, w.reserved],
	)
	finding := lib.finding(w.resource, w.portPointer, msg, [], w.assumptions)
}
