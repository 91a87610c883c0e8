# METADATA
# title: Prometheus sidecar captures outbound scrapes
# description: >-
#   The Prometheus uses the sidecar-cert recipe (monitors it selects, or its
#   scrape classes, use Istio's exported cert files, and its pod carries the
#   cert export annotations) but its pod lacks
#   `traffic.sidecar.istio.io/includeOutboundIPRanges: ""`. The sidecar then
#   captures Prometheus's outbound traffic, so scrapes to pod IPs go through
#   Envoy (passthrough, or a black hole under `REGISTRY_ONLY`) instead of going
#   straight to the target with Prometheus's own TLS [infer]. Outbound capture
#   is also off with `sidecar.istio.io/interceptionMode: NONE` or
#   `traffic.sidecar.istio.io/excludeOutboundIPRanges: "0.0.0.0/0"`.
#   `includeInboundPorts: ""` is optional (Big Bang omits it on purpose) and
#   never required.
# custom:
#   id: prometheus-outbound-captured
#   severity: warning
#   category: prometheus
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#istio-prometheus-recipe, docs/model.md#cert-export, docs/model.md#scrape-tls-settings, docs/model.md#big-bang-mtls-metrics"
#   fix: >-
#     Add `traffic.sidecar.istio.io/includeOutboundIPRanges: ""` to
#     `spec.podMetadata.annotations`.
package meshlint.rules.prometheus.prometheus_outbound_captured

import data.meshlint.lib

report contains finding if {
	some p in input.prometheusConfigs
	p.usesIstioCerts
	p.exportsCerts # without the recipe, istio-certs-not-exported says what to add
	not p.dataplane in {"none", "ambient"} # prometheus-not-injected reports those
	p.outboundBypassed == ""
	not p.outboundMisplaced # istio-annotations-misplaced says to move it
	msg := sprintf("%s %s scrapes with Istio certs, but %s: its sidecar captures Prometheus's outbound traffic, so scrapes to pod IPs go through Envoy (passthrough, or dropped under REGISTRY_ONLY) instead of leaving with Prometheus's own TLS", [
		p.kind, p.name, problem(p),
	])
	finding := lib.finding(p.resource, p.outboundPointer, msg, users(p), [])
}

problem(p) := "its pod has no traffic.sidecar.istio.io/includeOutboundIPRanges: \"\" annotation" if not p.outboundSet

problem(p) := sprintf("traffic.sidecar.istio.io/includeOutboundIPRanges is %q rather than \"\"", [p.outbound]) if p.outboundSet

users(p) := [lib.loc(u.resource, u.pointer, sprintf("%s uses Istio certs", [u.message])) |
	some q in input.prometheuses
	q.resource == p.resource
	some u in q.certUsers
]
