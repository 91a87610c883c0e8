# METADATA
# title: https scrape of a STRICT port without an Istio client certificate
# description: >-
#   The endpoint scrapes over https a container port that is STRICT behind an
#   Istio sidecar, but presents no client certificate from the mesh CA: the app
#   serves TLS itself (a CA from a Secret, `serverName`, kube-rbac-proxy), or the
#   tlsConfig sets only `insecureSkipVerify`, or only Istio's CA file. In STRICT
#   every inbound filter chain of a captured port terminates mutual TLS with
#   `RequireClientCertificate` and validates the client against the mesh root,
#   so the handshake fails and the target is down. Plaintext scrapes are
#   plaintext-scrape-of-strict-port's and PodMonitors podmonitor-under-strict's.
#   When no client certificate is presented at all this rule owns the endpoint:
#   istio-tls-without-skip-verify does not also report it. A client certificate
#   that is not one of the files Istio's sidecar exports (from a Secret, or
#   files elsewhere) gives a warning: only a certificate issued by the mesh CA
#   passes.
# custom:
#   id: app-tls-scrape-of-strict-port
#   severity: error
#   category: scrape
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#strict-enforcement, docs/model.md#tls-by-mode"
#   fix: >-
#     In this order: present Istio's exported certs (`certFile` and `keyFile`
#     under the Prometheus cert mount, `insecureSkipVerify: true`), and let the
#     app serve plaintext on that port behind the sidecar, which then ends the
#     mutual TLS; or add a workload PeerAuthentication with a PERMISSIVE
#     `portLevelMtls` entry for the container port, so the app's own TLS
#     passes through the sidecar; or exclude the port from capture with the
#     pod annotation `traffic.sidecar.istio.io/excludeInboundPorts`.
package meshlint.rules.scrape.app_tls_scrape_of_strict_port

import data.meshlint.lib

report contains finding if {
	some s in input.scrapes
	s.scheme == "https"
	s.tls.clientCert != "istio"
	s.tls.classKnown
	s.certsUnavailable == "" # a source that cannot present files: podmonitor-under-strict
	some t in s.targets
	t.requirement == "mtls"
	msg := sprintf(
		"endpoint %d scrapes %s over https, but %s; that port is %s and %s: the sidecar accepts only mutual TLS with a client certificate from the mesh CA there, so the TLS handshake fails and this target is down%s",
		[s.endpoint, t.chain, presented(s), t.modeExplain, t.why, app_note(s, t)],
	)
	f := lib.finding(s.monitor, s.tls.pointer, msg, t.related, t.assumptions)
	finding := with_severity(f, s.tls.clientCert)
}

# presented says what the scrape's TLS offers instead of an Istio client
# certificate.
presented(s) := "it presents a client certificate that is not one of the files Istio's sidecar exports (root-cert.pem, cert-chain.pem, key.pem under the cert mount), so unless the mesh CA issued it the sidecar rejects it" if {
	s.tls.clientCert == "other"
}

presented(s) := sprintf("its tlsConfig presents no client certificate: it has only Istio's CA file (%s)%s", [lib.cert_files(s.tls), lib.class_note(s.tls)]) if {
	s.tls.clientCert == ""
	s.tls.istioCA
}

presented(s) := "its tlsConfig presents no client certificate: it only sets insecureSkipVerify" if {
	s.tls.clientCert == ""
	not s.tls.istioCA
	s.tls.skipVerify
	s.appTLS == ""
}

presented(s) := "it presents no client certificate" if {
	s.tls.clientCert == ""
	not s.tls.istioCA
	not only_skip_verify(s)
}

only_skip_verify(s) if {
	s.tls.skipVerify
	s.appTLS == ""
}

# app_note names the sign that the app serves TLS itself, which then has to
# stop (or be let through) for the fix to work.
app_note(s, t) := sprintf(". The app seems to serve TLS itself (%s): behind Istio's certs it must serve plaintext on that port, or the port needs a PERMISSIVE exception", [s.appTLS]) if {
	s.appTLS != ""
}

app_note(s, t) := sprintf(". The app seems to serve TLS itself (%s): behind Istio's certs it must serve plaintext on that port, or the port needs a PERMISSIVE exception", [t.appTLS]) if {
	s.appTLS == ""
	t.appTLS != ""
}

app_note(s, t) := "" if {
	s.appTLS == ""
	t.appTLS == ""
}

with_severity(f, "other") := object.union(f, {"severity": "warning"})

with_severity(f, cert) := f if cert != "other"
