package meshlint.rules.monitor.monitor_not_selected_test

import data.meshlint.rules.monitor.monitor_not_selected as rule

rejection := {
	"prometheus": {"resource": 5, "pointer": "/spec/serviceMonitorSelector", "message": "Prometheus monitoring/k8s"},
	"reason": "Prometheus monitoring/k8s serviceMonitorSelector release=kps does not match the monitor's labels (none)",
}

monitor(overrides) := object.union({
	"resource": 2, "name": "ServiceMonitor shop/cart", "scrapers": "Prometheus", "labelsPointer": "/metadata/labels",
	"prometheusCount": 1, "selectedBy": [], "undecided": [], "notSelectedBy": [rejection],
}, overrides)

test_unselected_monitor_is_reported if {
	findings := rule.report with input as {"monitors": [monitor({})]}
	count(findings) == 1
	some f in findings
	f.pointer == "/metadata/labels"
	contains(f.message, "no Prometheus in the input selects ServiceMonitor shop/cart")
	contains(f.message, "release=kps does not match")
	f.related[0].pointer == "/spec/serviceMonitorSelector"
}

test_selected_monitor_is_fine if {
	count(rule.report) == 0 with input as {"monitors": [monitor({"selectedBy": [{"resource": 5}], "notSelectedBy": []})]}
}

test_no_prometheus_in_input_is_silent if {
	count(rule.report) == 0 with input as {"monitors": [monitor({"prometheusCount": 0, "notSelectedBy": []})]}
}

test_undecided_namespace_selector_is_silent if {
	count(rule.report) == 0 with input as {"monitors": [monitor({"undecided": [{"resource": 5}]})]}
}

test_reasons_are_deduplicated_and_capped if {
	many := [{"prometheus": {"resource": i, "pointer": "/spec", "message": "p"}, "reason": sprintf("reason %d", [i % 5])} | some i in numbers.range(1, 10)]
	findings := rule.report with input as {"monitors": [monitor({"notSelectedBy": many})]}
	some f in findings
	endswith(f.message, "reason 0; reason 1; reason 2; and 2 more")
}
