package meshlint.rules.scrape.ambient_strict_scrape_test

import data.meshlint.rules.scrape.ambient_strict_scrape as rule

target(requirement) := {
	"port": 9090, "requirement": requirement,
	"chain": "Service shop/cart port metrics (9090) -> targetPort 9090 -> container port 9090 of Deployment shop/cart",
	"modeExplain": "STRICT (PeerAuthentication shop/default, namespace-wide)",
	"why": "Deployment shop/cart is enrolled in ambient because namespace shop has istio.io/dataplane-mode=ambient",
	"related": [{"resource": 1, "pointer": "/spec/ports/0", "message": "x"}], "assumptions": [],
}

scrape(scheme, istio, requirement) := {
	"monitor": 3, "kind": "ServiceMonitor", "endpoint": 0, "pointer": "/spec/endpoints/0",
	"scheme": scheme, "schemePointer": "/spec/endpoints/0/scheme",
	"prometheus": {"resource": 7, "pointer": "", "message": "Prometheus monitoring/k8s"},
	"tls": {
		"istio": istio, "istioIntent": istio, "fromClass": false, "class": "", "pointer": "/spec/endpoints/0/tlsConfig",
		"certFiles": [{"message": "/etc/prom-certs/root-cert.pem"}],
	},
	"targets": [target(requirement)],
}

prometheus(dataplane) := {
	"resource": 7, "name": "monitoring/k8s",
	"injection": {"dataplane": dataplane, "reason": "namespace monitoring has istio-injection=enabled", "decider": {"resource": 8, "pointer": "/metadata/labels"}},
}

test_sidecar_prometheus_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape("http", false, "ambient-strict")], "prometheuses": [prometheus("sidecar")]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/endpoints/0"
	contains(f.message, "Prometheus monitoring/k8s is not enrolled in ambient: it gets a sidecar")
	count(f.related) == 2
}

test_unmeshed_prometheus_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape("http", false, "ambient-strict")], "prometheuses": [prometheus("none")]}
	some f in findings
	contains(f.message, "it is outside the mesh")
}

test_sidecar_recipe_is_reported_even_from_ambient_prometheus if {
	findings := rule.report with input as {"scrapes": [scrape("https", true, "ambient-strict")], "prometheuses": [prometheus("ambient")]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/endpoints/0/tlsConfig"
	contains(f.message, "sidecar-cert recipe")
	not contains(f.message, "not enrolled")
}

test_ambient_prometheus_over_http_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("http", false, "ambient-strict")], "prometheuses": [prometheus("ambient")]}
}

test_unknown_prometheus_is_silent if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("http", false, "ambient-strict")], "prometheuses": [prometheus("unknown")]}
}

test_permissive_ambient_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("https", true, "ambient")], "prometheuses": [prometheus("sidecar")]}
}
