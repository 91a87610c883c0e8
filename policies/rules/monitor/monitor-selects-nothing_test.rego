package meshlint.rules.monitor.monitor_selects_nothing_test

import data.meshlint.rules.monitor.monitor_selects_nothing as rule

monitor(overrides) := object.union({
	"resource": 2, "kind": "ServiceMonitor", "name": "ServiceMonitor shop/cart", "selector": "app=cart", "object": "Service",
	"selectorPointer": "/spec/selector", "watched": "namespace shop", "watchedInInput": true,
	"selectsSomething": false, "hints": [],
}, overrides)

test_nothing_selected_is_reported if {
	findings := rule.report with input as {"monitors": [monitor({})]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/selector"
	f.message == "selector app=cart of ServiceMonitor shop/cart matches no Service in namespace shop, so it is never scraped"
}

test_hints_are_in_the_message_and_related if {
	hint := {"kind": "pod-labels", "message": "it matches the pod labels of Deployment shop/cart", "related": [{"resource": 1, "pointer": "/spec/template/metadata/labels", "message": "x"}]}
	findings := rule.report with input as {"monitors": [monitor({"hints": [hint]})]}
	some f in findings
	endswith(f.message, "never scraped: it matches the pod labels of Deployment shop/cart")
	count(f.related) == 1
}

test_podmonitor_says_pod_template if {
	findings := rule.report with input as {"monitors": [monitor({"kind": "PodMonitor", "object": "pod template"})]}
	some f in findings
	contains(f.message, "matches no pod template in namespace shop")
}

test_selected_something_is_fine if {
	count(rule.report) == 0 with input as {"monitors": [monitor({"selectsSomething": true})]}
}

test_namespaces_not_in_input_are_silent if {
	count(rule.report) == 0 with input as {"monitors": [monitor({"watchedInInput": false})]}
}
