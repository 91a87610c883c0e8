# METADATA
# title: Istio TLS to a port that is not STRICT
# description: >-
#   The endpoint scrapes over https with Istio's cert files, but the port it
#   reaches is PERMISSIVE or DISABLE behind a sidecar, or no sidecar enforces
#   mTLS there (pod opted out, namespace not injected, `hostNetwork`, port
#   excluded from capture). A PERMISSIVE sidecar terminates TLS only for
#   Istio's own ALPN and a DISABLE one none at all, so Prometheus's plain TLS
#   reaches the app, which speaks plaintext: `server gave HTTP response to
#   HTTPS client`. The finding is a warning instead of an error when the app is
#   known to serve TLS itself: the Service port has `appProtocol` https or tls,
#   the Service or container port is named for TLS (`https`, `tls`, `https-*`,
#   `tls-*`, `*-https`, `*-tls`, as in Istio's protocol selection), or the
#   endpoint verifies the target against a CA that is not Istio's root or sets
#   `serverName`. When the Istio files come only from a Prometheus-wide default
#   scrape class and the app serves TLS itself, the files are just an unused
#   client certificate and nothing is reported. An ambient workload whose
#   port is PERMISSIVE (or DISABLE, which ambient treats as PERMISSIVE) fails
#   the same way: ztunnel relays a connection that is not HBONE to the app as
#   it came, after authorization and with no identity (istio/ztunnel
#   src/proxy/inbound_passthrough.rs), so the TLS reaches the app. STRICT
#   ambient ports are ambient-strict-scrape's, and Istio's own ports (15020,
#   15021, 15090) tls-scrape-of-istio-plaintext-port's.
# custom:
#   id: istio-tls-to-non-strict-port
#   severity: error
#   category: scrape
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#permissive-enforcement, docs/model.md#disable-enforcement, docs/model.md#uncaptured-ports, docs/model.md#no-proxy, docs/model.md#tls-by-mode"
#   fix: >-
#     Scrape over http (drop `scheme: https` and the Istio `tlsConfig`): a
#     PERMISSIVE or unmeshed port accepts plaintext. Or make the port STRICT
#     (and the workload injected) if it should require mutual TLS. If the app
#     serves TLS itself, scrape it with its own CA instead of Istio's certs.
package meshlint.rules.scrape.istio_tls_to_non_strict_port

import data.meshlint.lib

report contains finding if {
	some s in input.scrapes
	s.scheme == "https"
	s.tls.istio
	some t in s.targets
	why := not_strict(t)
	app := app_tls(s, t)
	not unused_default_class(s, app)
	msg := sprintf("endpoint %d scrapes %s over https with Istio certs (%s)%s, but %s%s", [
		s.endpoint, t.chain, lib.cert_files(s.tls), lib.class_note(s.tls), why, consequence(app),
	])
	finding := with_severity(lib.finding(s.monitor, s.schemePointer, msg, t.related, t.assumptions), app)
}

# not_strict says why no sidecar terminates the scrape's TLS on the port.
not_strict(t) := sprintf("that port is %s and %s: the sidecar terminates TLS there only for Istio's own ALPN and passes plain TLS through to the app", [t.modeExplain, t.why]) if {
	t.requirement == "plaintext"
	t.mode == "PERMISSIVE"
}

not_strict(t) := sprintf("that port is %s and %s: the sidecar passes all traffic through to the app untouched", [t.modeExplain, t.why]) if {
	t.requirement == "plaintext"
	t.mode != "PERMISSIVE"
}

not_strict(t) := sprintf("that port is %s and %s: ztunnel relays a connection that is not HBONE to the app as it came, so the TLS reaches the app itself", [t.modeExplain, t.why]) if {
	t.requirement == "ambient"
}

not_strict(t) := sprintf("no sidecar enforces mTLS on that port (%s), so the TLS reaches the app itself", [t.why]) if {
	t.requirement == "any"
	not t.istioPort
}

# app_tls is why the app is known to serve TLS itself, "" when it is not.
app_tls(s, t) := t.appTLS if t.appTLS != ""

app_tls(s, t) := s.appTLS if {
	t.appTLS == ""
	s.appTLS != ""
}

app_tls(s, t) := "" if {
	t.appTLS == ""
	s.appTLS == ""
}

# A Prometheus-wide default scrape class adds Istio files to every monitor;
# to an app that serves TLS itself they are only an unused client cert.
unused_default_class(s, app) if {
	not s.tls.istioIntent
	app != ""
}

consequence("") := "; a plaintext app answers `server gave HTTP response to HTTPS client` and the target is down"

consequence(app) := sprintf("; the app seems to serve TLS itself (%s), so the scrape may work, but Istio's certs do not secure it and its certificate is not Istio's", [app]) if app != ""

with_severity(f, "") := f

with_severity(f, app) := object.union(f, {"severity": "warning"}) if app != ""
