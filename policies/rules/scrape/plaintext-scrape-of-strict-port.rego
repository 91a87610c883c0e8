# METADATA
# title: Plaintext scrape of a STRICT port
# description: >-
#   A ServiceMonitor endpoint (or a VictoriaMetrics VMServiceScrape,
#   VMPodScrape or VMStaticScrape one) scrapes over http a container port whose effective
#   PeerAuthentication mode is STRICT on a workload with an Istio sidecar. The
#   sidecar only accepts mutual TLS there, so it resets the connection: the target
#   is down in Prometheus and the metrics silently stop.
# custom:
#   id: plaintext-scrape-of-strict-port
#   severity: error
#   category: scrape
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#mtls-mode-resolution, docs/model.md#strict-enforcement, docs/model.md#port-requirement"
#   fix: >-
#     In this order of preference: scrape with `scheme: https` and a `tlsConfig`
#     that uses the Istio certs Prometheus exports (`caFile`/`certFile`/`keyFile`
#     under its cert mount, `insecureSkipVerify: true`); or rely on Istio metrics
#     merging (scrape port 15020 over http); or, only if the port carries nothing
#     but metrics, a workload PeerAuthentication with a PERMISSIVE `portLevelMtls`
#     entry keyed on the container port.
package meshlint.rules.scrape.plaintext_scrape_of_strict_port

import data.meshlint.lib

report contains finding if {
	some s in input.scrapes
	s.certsUnavailable == "" # otherwise podmonitor-under-strict says the scrape cannot work
	s.scheme != "https"
	not s.tls.istio # with Istio certs, istio-tls-without-https says what to fix
	some t in s.targets
	t.requirement == "mtls"
	msg := sprintf(
		"endpoint %d scrapes over http, but the port it reaches is %s: %s. The sidecar accepts only mutual TLS there (%s), so this target is down",
		[s.endpoint, t.modeExplain, t.chain, t.why],
	)
	finding := lib.finding(s.monitor, s.schemePointer, msg, t.related, t.assumptions)
}
