# METADATA
# title: Istio certs without insecureSkipVerify
# description: >-
#   The endpoint scrapes over https with Istio's cert files but does not set
#   `insecureSkipVerify: true`. Istio workload certificates carry only a SPIFFE
#   URI SAN, never the pod IP or DNS name Prometheus dials, so hostname
#   verification fails on every scrape. An endpoint that presents no client
#   certificate to a STRICT port is app-tls-scrape-of-strict-port's instead:
#   the sidecar refuses it whatever it verifies.
# custom:
#   id: istio-tls-without-skip-verify
#   severity: error
#   category: scrape
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#istio-certificate-identity, docs/model.md#scrape-tls-settings"
#   fix: >-
#     Set `insecureSkipVerify: true` in the tlsConfig. The client certificate is
#     still presented and verified by the target's sidecar, so the connection
#     stays mutually authenticated.
package meshlint.rules.scrape.istio_tls_without_skip_verify

import data.meshlint.lib

report contains finding if {
	some s in input.scrapes
	s.scheme == "https" # the cheap and selective tests first: every rule walks every scrape
	not s.tls.skipVerify
	mesh_target(s)
	not lib.no_client_cert_to_strict(s) # app-tls-scrape-of-strict-port's: the handshake fails before verification matters
	msg := sprintf(
		"endpoint %d scrapes over https with Istio certs (%s)%s but does not set insecureSkipVerify: true; Istio certificates name a SPIFFE identity, not the pod address, so verification fails",
		[s.endpoint, lib.cert_files(s.tls), lib.class_note(s.tls)],
	)
	finding := lib.finding(s.monitor, s.tls.skipVerifyPointer, msg, [], [])
}

# The scrape verifies a mesh workload's certificate: its CA is Istio's root,
# or it presents Istio's client certificate of its own accord to a STRICT
# sidecar port while nothing says the app serves TLS itself (without a CA
# file the SPIFFE-only certificate is checked against the system roots).
mesh_target(s) if s.tls.istioCA

mesh_target(s) if {
	s.tls.istioIntent
	s.appTLS == ""
	some t in s.targets
	t.requirement == "mtls"
}
