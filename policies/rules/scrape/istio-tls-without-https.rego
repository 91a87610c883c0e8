# METADATA
# title: Istio certs configured but the scrape is http
# description: >-
#   The endpoint's TLS settings use Istio's exported cert files (directly, through
#   a scrape class it names, or through a default scrape class when the port it
#   reaches is STRICT) but its scheme is not https. Prometheus ignores
#   tlsConfig for http scrapes and a scrape class never sets the scheme, so the
#   scrape is plaintext. The upstream scrape class example has exactly this gap.
# custom:
#   id: istio-tls-without-https
#   severity: error
#   category: scrape
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#scrape-classes, docs/model.md#scrape-tls-settings"
#   fix: "Set `scheme: https` on the endpoint."
package meshlint.rules.scrape.istio_tls_without_https

import data.meshlint.lib

report contains finding if {
	some s in input.scrapes
	s.tls.istio
	s.scheme != "https"
	meant_tls(s)
	msg := sprintf(
		"endpoint %d has Istio cert TLS (%s)%s but scrapes over http: Prometheus ignores the TLS settings and sends plaintext",
		[s.endpoint, lib.cert_files(s.tls), lib.class_note(s.tls)],
	)
	related := [lib.loc(s.prometheus.resource, "/spec/scrapeClasses", "scrape class defined here") |
		s.tls.fromClass
		s.prometheus != null
	]
	finding := lib.finding(s.monitor, s.schemePointer, msg, related, [])
}

# The endpoint meant to use Istio TLS: it names the files itself or names the
# scrape class. A Prometheus-wide default class adds the files to every
# monitor, and plain http scrapes of targets outside the mesh are fine; there
# it only matters when the port is STRICT.
meant_tls(s) if s.tls.istioIntent

meant_tls(s) if {
	some t in s.targets
	t.requirement == "mtls"
}
