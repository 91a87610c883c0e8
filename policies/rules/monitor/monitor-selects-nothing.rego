# METADATA
# title: Monitor selects nothing
# description: >-
#   A ServiceMonitor's selector matches no Service, or a PodMonitor's no pod
#   template, in the namespaces it watches, so it is never scraped. Reported
#   only when every watched namespace is evidently in the input: at least one
#   workload or Service of it is present, it is not a namespace the cluster
#   fills itself (kube-system), and no HelmRelease, Flux Kustomization or Argo
#   Application of the input installs more into it. A monitor watching any
#   namespace is never reported. Services and pods the operator creates
#   (prometheus-operated, alertmanager-operated, the Prometheus and
#   Alertmanager pods) and the API server's `kubernetes` Service count as
#   present. The message says when the selector matches pod labels instead of
#   Service labels (or the reverse), or a Service in a namespace the monitor
#   does not watch.
# custom:
#   id: monitor-selects-nothing
#   severity: warning
#   category: monitor
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#servicemonitor-selector, docs/model.md#monitor-namespace-selector, docs/model.md#podmonitor-selector, docs/model.md#label-selectors"
#   fix: >-
#     Make the selector match the Service's own `metadata.labels`
#     (ServiceMonitor) or the pod template labels (PodMonitor), or add the
#     target's namespace to `namespaceSelector.matchNames`.
package meshlint.rules.monitor.monitor_selects_nothing

import data.meshlint.lib

report contains finding if {
	some m in input.monitors
	m.watchedInInput
	not m.selectsSomething
	msg := sprintf("selector %s of %s matches no %s in %s, so it is never scraped%s", [
		m.selector, m.name, m.object, m.watched, hints(m),
	])
	related := [r | some h in m.hints; some r in h.related]
	finding := lib.finding(m.resource, m.selectorPointer, msg, related, [])
}

hints(m) := "" if count(m.hints) == 0

hints(m) := sprintf(": %s", [concat("; ", [h.message | some h in m.hints])]) if count(m.hints) > 0
