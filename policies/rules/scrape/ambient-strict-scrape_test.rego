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

annotation_scrape(jobs, ports) := {
	"resource": 2, "workload": "Deployment shop/cart", "why": "namespace shop has istio.io/dataplane-mode=ambient",
	"scrapePointer": "/spec/template/metadata/annotations/prometheus.io~1scrape",
	"annotationsText": "prometheus.io/scrape: \"true\"",
	"strictPorts": ports, "jobs": jobs, "assumptions": [],
}

job := {
	"loc": {"resource": 5, "pointer": "/data/prometheus.yml", "message": "x"}, "name": "ConfigMap monitoring/prometheus",
	"outside": "it runs in namespace monitoring, where no workload in the input is enrolled in ambient", "decider": null,
}

strict_port := {"port": 9090, "modeExplain": "STRICT (PeerAuthentication shop/default, namespace-wide)", "source": {"resource": 1, "pointer": "/spec/mtls/mode"}}

test_annotation_scrape_of_strict_ambient_port_is_reported if {
	findings := rule.report with input as {"scrapes": [], "prometheuses": [], "ambientAnnotationScrapes": [annotation_scrape([job], [strict_port])]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/template/metadata/annotations/prometheus.io~1scrape"
	contains(f.message, "port 9090 is STRICT")
	contains(f.message, "ConfigMap monitoring/prometheus (it runs in namespace monitoring")
	count(f.related) == 2
}

test_annotation_scrape_without_strict_port_or_outside_job_is_silent if {
	count(rule.report) == 0 with input as {"scrapes": [], "prometheuses": [], "ambientAnnotationScrapes": [annotation_scrape([job], []), annotation_scrape([], [strict_port])]}
}
