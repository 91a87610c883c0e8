# METADATA
# title: TLS scrape of an Istio plaintext port
# description: >-
#   The endpoint names one of the sidecar's own ports, 15090 (Envoy stats,
#   `http-envoy-prom`), 15021 (health) or 15020 (pilot-agent status and merged
#   metrics; `status.sidecar.istio.io/port` moves it), and scrapes it over
#   https, or carries Istio cert TLS for it of its own or from a scrape class
#   it names (a Prometheus-wide default class is unused over http and not
#   reported). Those ports are never captured by the sidecar and serve
#   plaintext, also under STRICT, so a TLS handshake fails. Endpoints without
#   a port, which scrape every declared port, are not reported.
# custom:
#   id: tls-scrape-of-istio-plaintext-port
#   severity: error
#   category: scrape
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#uncaptured-ports, docs/model.md#merged-metrics-plaintext"
#   fix: >-
#     Use `scheme: http` and drop the `tlsConfig`: these ports need no
#     exception under STRICT. For mTLS-protected metrics use Istio 1.31's
#     secure metrics port (`prometheus.istio.io/secure-port`) when it is
#     configured.
package meshlint.rules.scrape.tls_scrape_of_istio_plaintext_port

import data.meshlint.lib

report contains finding if {
	some [s, t] in istio_port_targets
	s.scheme == "https"
	msg := sprintf("endpoint %d scrapes %s over https, but %d is %s: the sidecar never captures it and it serves plaintext, so the TLS handshake fails", [
		s.endpoint, t.chain, t.port, port_role(t.port),
	])
	finding := lib.finding(s.monitor, s.schemePointer, msg, t.related, [])
}

report contains finding if {
	some [s, t] in istio_port_targets
	s.scheme != "https"
	s.tls.istio
	s.tls.istioIntent
	msg := sprintf("endpoint %d carries Istio cert TLS (%s)%s for %s, but %d is %s and serves plaintext: the TLS settings are unused over http, and scheme: https would break the scrape; drop the tlsConfig", [
		s.endpoint, lib.cert_files(s.tls), lib.class_note(s.tls), t.chain, t.port, port_role(t.port),
	])
	finding := lib.finding(s.monitor, s.tls.pointer, msg, t.related, [])
}

# istio_port_targets are the targets on one of the sidecar's own ports of
# the endpoints that name a port, found in one walk of the scrapes for both
# reports: few targets are, and the walk is most of the rule's cost.
istio_port_targets := [[s, t] |
	some s in input.scrapes
	some t in s.targets
	t.istioPort
	s.port != ""
]

port_role(15090) := "Envoy's stats port (http-envoy-prom)"

port_role(15021) := "the sidecar's health port"

port_role(port) := "pilot-agent's status and merged-metrics port" if not port in {15090, 15021}
