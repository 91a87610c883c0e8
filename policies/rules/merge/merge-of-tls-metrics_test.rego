package meshlint.rules.merge.merge_of_tls_metrics_test

import data.meshlint.rules.merge.merge_of_tls_metrics as rule

monitor(overrides) := object.union(
	{
		"monitor": "ServiceMonitor shop/cart endpoint 0", "scheme": "https", "istioTLS": false, "captured": true, "appTLS": true,
		"loc": {"resource": 3, "pointer": "/spec/endpoints/0/scheme", "message": "scrapes port 8443 directly"},
	},
	overrides,
)

workload(ms, overrides) := {"merge": [object.union(
	{
		"resource": 0, "workload": "Deployment shop/cart", "merged": true, "mergeWhy": "metrics merging is on",
		"appPort": 8443, "port": 8443, "portPointer": "/spec/template/metadata/annotations/prometheus.io~1port",
		"mergePointer": "/spec/template/metadata", "reserved": "", "monitors": ms, "assumptions": [],
	},
	overrides,
)]}

test_app_tls_is_reported if {
	findings := rule.report with input as workload([monitor({})], {})
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/template/metadata/annotations/prometheus.io~1port"
	contains(f.message, "http://localhost:8443")
	contains(f.message, "ServiceMonitor shop/cart endpoint 0 scrapes that port with https without Istio certs")
}

test_https_to_uncaptured_port_is_reported if {
	findings := rule.report with input as workload([monitor({"istioTLS": true, "captured": false, "appTLS": true})], {"portPointer": ""})
	some f in findings
	f.pointer == "/spec/template/metadata"
	contains(f.message, "on a port the sidecar does not intercept")
}

test_sidecar_tls_and_http_are_fine if {
	count(rule.report) == 0 with input as workload([monitor({"istioTLS": true, "appTLS": false})], {})
	count(rule.report) == 0 with input as workload([monitor({"scheme": "http", "appTLS": false})], {})
}

test_unmerged_is_fine if {
	count(rule.report) == 0 with input as workload([monitor({})], {"merged": false})
}
