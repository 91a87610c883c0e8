package meshlint.rules.scrape.tls_scrape_of_istio_plaintext_port_test

import data.meshlint.rules.scrape.tls_scrape_of_istio_plaintext_port as rule

target(port, istio_port) := {
	"port": port, "istioPort": istio_port, "requirement": "any",
	"chain": sprintf("container port %d of Deployment shop/cart", [port]), "related": [],
}

scrape(scheme, port_sel, istio, intent, t) := {
	"monitor": 4, "kind": "PodMonitor", "endpoint": 1, "pointer": "/spec/podMetricsEndpoints/1",
	"scheme": scheme, "schemePointer": "/spec/podMetricsEndpoints/1/scheme", "port": port_sel,
	"tls": {
		"istio": istio, "istioIntent": intent, "fromClass": false, "class": "",
		"pointer": "/spec/podMetricsEndpoints/1/tlsConfig",
		"certFiles": [{"message": "/etc/prom-certs/cert-chain.pem"}],
	},
	"targets": [t],
}

test_https_to_envoy_stats_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape("https", "port http-envoy-prom", false, false, target(15090, true))]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/podMetricsEndpoints/1/scheme"
	contains(f.message, "15090 is Envoy's stats port")
}

test_https_to_merged_metrics_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape("https", "portNumber 15020", false, false, target(15020, true))]}
	some f in findings
	contains(f.message, "pilot-agent's status and merged-metrics port")
}

test_istio_tls_over_http_is_reported_on_the_tls_config if {
	findings := rule.report with input as {"scrapes": [scrape("http", "portNumber 15021", true, true, target(15021, true))]}
	some f in findings
	f.pointer == "/spec/podMetricsEndpoints/1/tlsConfig"
	contains(f.message, "health port")
	contains(f.message, "drop the tlsConfig")
}

test_plain_http_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("http", "portNumber 15020", false, false, target(15020, true))]}
}

test_default_class_over_http_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("http", "portNumber 15020", true, false, target(15020, true))]}
}

test_app_port_is_not_this_rule if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("https", "port metrics", false, false, target(9090, false))]}
}

test_endpoint_without_port_is_not_reported if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("https", "", false, false, target(15090, true))]}
}
