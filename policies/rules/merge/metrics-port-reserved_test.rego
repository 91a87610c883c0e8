package meshlint.rules.merge.metrics_port_reserved_test

import data.meshlint.rules.merge.metrics_port_reserved as rule

workload(overrides) := object.union(
	{
		"resource": 0, "workload": "Deployment shop/cart", "merged": true, "mergeWhy": "metrics merging is on",
		"port": 15090, "portPointer": "/spec/template/metadata/annotations/prometheus.io~1port",
		"reserved": "15090 is Envoy's Prometheus telemetry port: ...", "assumptions": [],
	},
	overrides,
)

test_reserved_port_on_merged_workload_is_reported if {
	findings := rule.report with input as {"merge": [workload({})]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/template/metadata/annotations/prometheus.io~1port"
	contains(f.message, "Deployment shop/cart is merged because metrics merging is on, but its prometheus.io/port 15090 is Envoy's")
}

test_unmerged_workload_is_fine if {
	count(rule.report) == 0 with input as {"merge": [workload({"merged": false})]}
}

test_app_port_is_fine if {
	count(rule.report) == 0 with input as {"merge": [workload({"port": 9090, "reserved": ""})]}
}
