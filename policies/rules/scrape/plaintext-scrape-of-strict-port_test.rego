package meshlint.rules.scrape.plaintext_scrape_of_strict_port_test

import data.meshlint.rules.scrape.plaintext_scrape_of_strict_port as rule

target(requirement) := {
	"workload": "Deployment shop/cart", "port": 9090, "requirement": requirement,
	"chain": "Service shop/cart port metrics (8080) -> targetPort 9090 -> container port 9090 of Deployment shop/cart",
	"modeExplain": "STRICT (PeerAuthentication shop/default, namespace-wide)", "why": "namespace shop has istio-injection=enabled",
	"related": [], "assumptions": [],
}

certs_unavailable := {"ServiceMonitor": "", "PodMonitor": "A PodMonitor cannot reference Istio's cert files"}

scrape(kind, scheme, istio, requirement) := {
	"monitor": 3, "kind": kind, "name": "ServiceMonitor shop/cart", "endpoint": 0, "certsUnavailable": certs_unavailable[kind],
	"pointer": "/spec/endpoints/0", "scheme": scheme, "schemePointer": "/spec/endpoints/0",
	"tls": {"istio": istio, "certFiles": []}, "targets": [target(requirement)],
}

test_http_to_strict_port_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape("ServiceMonitor", "http", false, "mtls")]}
	count(findings) == 1
	some f in findings
	f.resource == 3
	f.pointer == "/spec/endpoints/0"
	contains(f.message, "STRICT (PeerAuthentication shop/default, namespace-wide)")
	contains(f.message, "targetPort 9090")
}

test_https_is_not_this_rule if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("ServiceMonitor", "https", false, "mtls")]}
}

test_permissive_port_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("ServiceMonitor", "http", false, "plaintext")]}
}

test_uncaptured_port_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("ServiceMonitor", "http", false, "any")]}
}

test_istio_tls_with_http_is_left_to_istio_tls_without_https if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("ServiceMonitor", "http", true, "mtls")]}
}

test_podmonitors_are_left_to_podmonitor_under_strict if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("PodMonitor", "http", false, "mtls")]}
}
