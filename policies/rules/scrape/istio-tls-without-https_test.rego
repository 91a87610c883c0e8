package meshlint.rules.scrape.istio_tls_without_https_test

import data.meshlint.rules.scrape.istio_tls_without_https as rule

scrape(scheme, istio, from_class) := scrape_to(scheme, istio, from_class, true, "mtls")

scrape_to(scheme, istio, from_class, intent, requirement) := {
	"monitor": 2, "kind": "ServiceMonitor", "name": "ServiceMonitor shop/cart", "endpoint": 1,
	"pointer": "/spec/endpoints/1", "scheme": scheme, "schemePointer": "/spec/endpoints/1",
	"prometheus": {"resource": 7, "pointer": "", "message": "Prometheus monitoring/k8s"},
	"tls": {
		"istio": istio, "istioIntent": intent, "fromClass": from_class, "class": "istio-mtls",
		"certFiles": [{"resource": 2, "pointer": "/spec/endpoints/1/tlsConfig/caFile", "message": "/etc/prom-certs/root-cert.pem"}],
	},
	"targets": [{"requirement": requirement}],
}

test_istio_certs_over_http_are_reported if {
	findings := rule.report with input as {"scrapes": [scrape("http", true, false)]}
	count(findings) == 1
	some f in findings
	contains(f.message, "/etc/prom-certs/root-cert.pem")
	f.related == []
}

test_scrape_class_is_named_and_related if {
	findings := rule.report with input as {"scrapes": [scrape("http", true, true)]}
	some f in findings
	contains(f.message, "scrape class \"istio-mtls\"")
	count(f.related) == 1
}

test_https_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("https", true, false)]}
}

test_non_istio_tls_is_not_this_rule if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("http", false, false)]}
}

test_default_class_on_plain_http_target_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape_to("http", true, true, false, "any")]}
}

test_default_class_on_strict_target_is_reported if {
	count(rule.report) == 1 with input as {"scrapes": [scrape_to("http", true, true, false, "mtls")]}
}
