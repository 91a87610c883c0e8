# METADATA
# title: Metrics merging of an app that serves metrics over TLS
# description: >-
#   Merging is on for a sidecar workload whose metrics endpoint serves TLS
#   itself: a monitor scrapes the merged metrics port with https but without
#   Istio's certs (so the TLS is the app's, not the sidecar's), or with https on
#   a port that bypasses the sidecar. The agent fetches app metrics from
#   `http://localhost` only, so the merge fails silently (only its
#   AppScrapeErrors counter grows). https with Istio certs to a captured port is
#   the sidecar's TLS and not this rule's.
# custom:
#   id: merge-of-tls-metrics
#   severity: warning
#   category: merge
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#metrics-merging-tls"
#   fix: >-
#     Turn merging off for the workload (`prometheus.istio.io/merge-metrics:
#     "false"` on the pod template) and scrape the app with TLS through a
#     monitor.
package meshlint.rules.merge.merge_of_tls_metrics

import data.meshlint.lib

report contains finding if {
	some w in input.merge
	w.merged
	w.reserved == ""
	w.monitors != [] # most workloads have none, and the comprehension below costs (a test, not a loop over them)
	w.appPort > 0
	tls := [m | some m in w.monitors; m.appTLS]
	count(tls) > 0
	msg := sprintf(
		"%s is merged because %s, so the agent fetches its app metrics from http://localhost:%d, but %s scrape%s that port with https%s: the app serves its metrics over TLS, the agent's plaintext fetch fails, and the merged endpoint carries no app metrics",
		[w.workload, w.mergeWhy, w.appPort, concat(", ", sort([m.monitor | some m in tls])), verb(tls), why(tls)],
	)
	finding := lib.finding(w.resource, anchor(w), msg, [m.loc | some m in tls], w.assumptions)
}

why(ms) := " without Istio certs" if {
	every m in ms {
		not m.istioTLS
	}
}

why(ms) := " on a port the sidecar does not intercept" if {
	some m in ms
	m.istioTLS
}

verb(ms) := "s" if count(ms) == 1

verb(ms) := "" if count(ms) > 1

anchor(w) := w.portPointer if w.portPointer != ""

anchor(w) := w.mergePointer if w.portPointer == ""
