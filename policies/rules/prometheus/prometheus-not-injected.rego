# METADATA
# title: Prometheus relies on Istio certs but gets no sidecar
# description: >-
#   Monitors this Prometheus selects use Istio cert files, but its pod gets no
#   Istio sidecar: its namespace is not selected for injection, it carries the
#   label `sidecar.istio.io/inject: "false"`, only the annotation `"true"` in an
#   unlabeled namespace, `hostNetwork`, or an ambient namespace. Without a
#   sidecar nothing writes the certs.
# custom:
#   id: prometheus-not-injected
#   severity: error
#   category: prometheus
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#injection-webhooks, docs/model.md#injection-decision, docs/model.md#cert-export"
#   fix: >-
#     Label the Prometheus namespace `istio-injection=enabled` (or with
#     `istio.io/rev`), or set the pod label `sidecar.istio.io/inject: "true"`
#     under `spec.podMetadata.labels`.
package meshlint.rules.prometheus.prometheus_not_injected

import data.meshlint.lib

report contains finding if {
	some p in input.prometheuses
	p.usesIstioCerts
	p.injection.dataplane in {"none", "ambient"}
	related := array.concat(
		[lib.loc(d.resource, d.pointer, "decides injection") | d := p.injection.decider; d != null],
		[lib.loc(u.resource, u.pointer, sprintf("%s uses Istio certs", [u.message])) | some u in p.certUsers],
	)
	assumed := [a | a := p.injection.assumed; a != ""]
	msg := sprintf("%s %s relies on Istio certs, but its pod gets no sidecar because %s; nothing writes the certs", [p.kind, p.name, p.injection.reason])
	finding := lib.finding(p.resource, anchor(p), msg, related, assumed)
}

# The finding lands on the Prometheus field that decided, when it is one of
# its own (a pod label, hostNetwork); otherwise where the fix goes, the pod
# labels.
anchor(p) := p.injection.decider.pointer if p.injection.decider.resource == p.resource

anchor(p) := "/spec/podMetadata/labels" if not p.injection.decider.resource == p.resource
