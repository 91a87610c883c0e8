# METADATA
# title: Scrape class not defined, or several defaults
# description: >-
#   A ServiceMonitor or PodMonitor names a `scrapeClass` that a Prometheus
#   selecting it does not define in `spec.scrapeClasses`: the operator rejects
#   the monitor (`scrapeClass "X" not found in Prometheus scrapeClasses`) and
#   none of its endpoints is scraped. Or a Prometheus marks more than one
#   scrape class `default: true`, and the operator fails to reconcile it.
# custom:
#   id: scrape-class-undefined
#   severity: error
#   category: prometheus
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#scrape-class-reference, docs/model.md#scrape-classes"
#   fix: >-
#     Define the class in `spec.scrapeClasses` of every Prometheus that
#     selects the monitor, or fix the name; keep at most one class with
#     `default: true`.
package meshlint.rules.prometheus.scrape_class_undefined

import data.meshlint.lib

report contains finding if {
	some m in input.monitors
	some p in m.classMissingIn
	msg := sprintf("%s names scrapeClass %q, but %s: the operator rejects the monitor, so none of its endpoints is scraped", [
		m.name, m.scrapeClass, p.message,
	])
	finding := lib.finding(m.resource, m.scrapeClassPointer, msg, [lib.loc(p.resource, p.pointer, "scrape classes defined here")], [])
}

report contains finding if {
	some p in input.prometheusConfigs
	count(p.defaultClasses) > 1
	some i, d in p.defaultClasses
	i > 0
	first := p.defaultClasses[0]
	msg := sprintf("%s %s marks scrape class %q as default: true, but %q already is; at most one class may be the default, so the operator fails to reconcile this Prometheus", [
		p.kind, p.name, d.name, first.name,
	])
	finding := lib.finding(p.resource, d.pointer, msg, [lib.loc(p.resource, first.pointer, "first default scrape class")], [])
}
