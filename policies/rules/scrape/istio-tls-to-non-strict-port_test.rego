package meshlint.rules.scrape.istio_tls_to_non_strict_port_test

import data.meshlint.rules.scrape.istio_tls_to_non_strict_port as rule

target(requirement, mode) := {
	"workload": "Deployment shop/cart", "port": 9090, "requirement": requirement, "mode": mode,
	"chain": "Service shop/cart port metrics (9090) -> targetPort 9090 -> container port 9090 of Deployment shop/cart",
	"modeExplain": sprintf("%s (PeerAuthentication shop/default, namespace-wide)", [mode]),
	"why": "Deployment shop/cart gets a sidecar because namespace shop has istio-injection=enabled",
	"istioPort": false, "appTLS": "", "related": [{"resource": 1, "pointer": "/spec/ports/0", "message": "x"}], "assumptions": [],
}

scrape(t) := scrape_with(t, true, "")

scrape_with(t, intent, app) := {
	"monitor": 3, "kind": "ServiceMonitor", "name": "ServiceMonitor shop/cart", "endpoint": 0,
	"pointer": "/spec/endpoints/0", "scheme": "https", "schemePointer": "/spec/endpoints/0/scheme",
	"port": "port metrics", "appTLS": app,
	"tls": {
		"istio": true, "istioIntent": intent, "fromClass": false, "class": "",
		"certFiles": [{"resource": 3, "pointer": "/spec/endpoints/0/tlsConfig/caFile", "message": "/etc/prom-certs/root-cert.pem"}],
	},
	"targets": [t],
}

test_permissive_port_is_an_error if {
	findings := rule.report with input as {"scrapes": [scrape(target("plaintext", "PERMISSIVE"))]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/endpoints/0/scheme"
	not f.severity
	contains(f.message, "PERMISSIVE (PeerAuthentication shop/default, namespace-wide)")
	contains(f.message, "passes plain TLS through to the app")
	contains(f.message, "server gave HTTP response to HTTPS client")
	count(f.related) == 1
}

test_disable_port_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape(target("plaintext", "DISABLE"))]}
	some f in findings
	contains(f.message, "passes all traffic through to the app untouched")
}

test_unmeshed_workload_is_reported if {
	t := object.union(target("any", ""), {"why": "Deployment shop/cart has no sidecar: its pod label sidecar.istio.io/inject is \"false\""})
	findings := rule.report with input as {"scrapes": [scrape(t)]}
	some f in findings
	contains(f.message, "no sidecar enforces mTLS on that port (Deployment shop/cart has no sidecar")
}

test_app_tls_port_is_a_warning if {
	t := object.union(target("plaintext", "PERMISSIVE"), {"appTLS": "Service shop/cart names the port \"https\""})
	findings := rule.report with input as {"scrapes": [scrape(t)]}
	some f in findings
	f.severity == "warning"
	contains(f.message, "the app seems to serve TLS itself (Service shop/cart names the port \"https\")")
}

test_app_tls_from_endpoint_is_a_warning if {
	findings := rule.report with input as {"scrapes": [scrape_with(target("any", ""), true, "its tlsConfig expects serverName \"cart\" in the app's certificate")]}
	some f in findings
	f.severity == "warning"
}

test_default_class_to_tls_app_is_silent if {
	t := object.union(target("plaintext", "PERMISSIVE"), {"appTLS": "Service shop/cart names the port \"https\""})
	count(rule.report) == 0 with input as {"scrapes": [scrape_with(t, false, "")]}
}

test_default_class_to_plaintext_app_is_reported if {
	count(rule.report) == 1 with input as {"scrapes": [scrape_with(target("plaintext", "PERMISSIVE"), false, "")]}
}

test_strict_port_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape(target("mtls", "STRICT"))]}
}

test_ambient_permissive_port_is_reported if {
	t := object.union(target("ambient", "PERMISSIVE"), {"why": "Deployment shop/cart is enrolled in ambient because namespace shop has istio.io/dataplane-mode=ambient"})
	findings := rule.report with input as {"scrapes": [scrape(t)]}
	count(findings) == 1
	some f in findings
	contains(f.message, "enrolled in ambient")
	contains(f.message, "ztunnel relays a connection that is not HBONE to the app as it came")
}

test_ambient_strict_and_unknown_are_not_this_rule if {
	count(rule.report) == 0 with input as {"scrapes": [scrape(target("ambient-strict", "STRICT")), scrape(target("unknown", ""))]}
}

test_istio_ports_are_not_this_rule if {
	t := object.union(target("any", ""), {"istioPort": true})
	count(rule.report) == 0 with input as {"scrapes": [scrape(t)]}
}

test_http_is_not_this_rule if {
	s := object.union(scrape(target("plaintext", "PERMISSIVE")), {"scheme": "http"})
	count(rule.report) == 0 with input as {"scrapes": [s]}
}

test_app_own_tls_without_istio_files_is_fine if {
	s := object.union(scrape(target("plaintext", "PERMISSIVE")), {"tls": {"istio": false, "istioIntent": false, "certFiles": []}})
	count(rule.report) == 0 with input as {"scrapes": [s]}
}
