package meshlint.rules.prometheus.scrape_class_undefined_test

import data.meshlint.rules.prometheus.scrape_class_undefined as rule

monitor(missing) := {
	"resource": 2, "name": "ServiceMonitor shop/cart", "scrapeClass": "istio-mtls", "scrapeClassPointer": "/spec/scrapeClass",
	"classMissingIn": missing,
}

test_undefined_class_is_reported if {
	missing := [{"resource": 5, "pointer": "/spec/scrapeClasses", "message": "Prometheus monitoring/k8s defines no scrape class \"istio-mtls\""}]
	findings := rule.report with input as {"monitors": [monitor(missing)], "prometheusConfigs": []}
	count(findings) == 1
	some f in findings
	f.resource == 2
	f.pointer == "/spec/scrapeClass"
	contains(f.message, "names scrapeClass \"istio-mtls\", but Prometheus monitoring/k8s defines no scrape class")
	f.related[0].resource == 5
}

test_defined_class_is_fine if {
	count(rule.report) == 0 with input as {"monitors": [monitor([])], "prometheusConfigs": []}
}

defaults(n) := [{"name": sprintf("c%d", [i]), "pointer": sprintf("/spec/scrapeClasses/%d/default", [i])} | some i in numbers.range(0, n - 1)]

test_two_defaults_are_reported_on_the_second if {
	findings := rule.report with input as {"monitors": [], "prometheusConfigs": [{"resource": 5, "kind": "Prometheus", "name": "monitoring/k8s", "defaultClasses": defaults(2)}]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/scrapeClasses/1/default"
	contains(f.message, "marks scrape class \"c1\" as default: true, but \"c0\" already is")
}

test_one_default_is_fine if {
	count(rule.report) == 0 with input as {"monitors": [], "prometheusConfigs": [{"resource": 5, "kind": "Prometheus", "name": "monitoring/k8s", "defaultClasses": defaults(1)}]}
}
