# METADATA
# title: No Prometheus selects the monitor
# description: >-
#   Prometheus CRs are in the input, but none of them selects this monitor:
#   its `serviceMonitorSelector`/`podMonitorSelector` is null (which selects
#   nothing, unlike `{}`) or does not match the monitor's labels, or its
#   namespace selector is null (its own namespace only) or does not match the
#   monitor's namespace. PrometheusAgent CRs count as selecting too. When a
#   namespace selector tests labels of a namespace whose manifest is not in
#   the input, nothing is reported.
# custom:
#   id: monitor-not-selected
#   severity: warning
#   category: monitor
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#monitor-selection, docs/model.md#label-selectors"
#   fix: >-
#     Give the monitor the labels the Prometheus selects, or widen the
#     Prometheus's monitor selector or namespace selector (`{}` selects all,
#     null selects none or only its own namespace).
package meshlint.rules.monitor.monitor_not_selected

import data.meshlint.lib

report contains finding if {
	some m in input.monitors
	count(m.selectedBy) == 0 # the selective test first: most monitors are selected
	m.prometheusCount > 0
	count(m.undecided) == 0
	msg := sprintf("no %s in the input selects %s, so it is never scraped: %s", [m.scrapers, m.name, reasons(m)])
	related := [lib.loc(r.prometheus.resource, r.prometheus.pointer, "does not select the monitor") | some r in m.notSelectedBy]
	finding := lib.finding(m.resource, m.labelsPointer, msg, related, [])
}

# reasons names why each Prometheus passes the monitor by, the same reason
# once, and at most three of them.
reasons(m) := concat("; ", all) if {
	all := sort({r.reason | some r in m.notSelectedBy})
	count(all) <= 3
}

reasons(m) := sprintf("%s; and %d more", [concat("; ", array.slice(all, 0, 3)), count(all) - 3]) if {
	all := sort({r.reason | some r in m.notSelectedBy})
	count(all) > 3
}
