package meshlint.rules.merge.merge_and_monitor_double_scrape_test

import data.meshlint.rules.merge.merge_and_monitor_double_scrape as rule

monitor := {
	"monitor": "ServiceMonitor shop/cart endpoint 0", "scheme": "http", "istioTLS": false, "captured": true, "appTLS": false,
	"loc": {"resource": 3, "pointer": "/spec/endpoints/0", "message": "scrapes port 9090 directly"},
}

workload(overrides) := object.union(
	{
		"resource": 0, "workload": "Deployment shop/cart", "merged": true, "mergeWhy": "metrics merging is on",
		"port": 9090, "portPointer": "/spec/template/metadata/annotations/prometheus.io~1port", "statusPort": 15020,
		"reserved": "", "monitors": [monitor], "assumptions": [], "annotationJobs": [], "annotationJobNames": [],
	},
	overrides,
)

test_double_scrape_is_reported if {
	findings := rule.report with input as {"merge": [workload({})]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/template/metadata/annotations/prometheus.io~1port"
	contains(f.message, "while ServiceMonitor shop/cart endpoint 0 also scrapes port 9090 directly")
	f.related[0].resource == 3
	contains(f.message, "whatever scrapes the merged endpoint")
}

test_names_the_job_scraping_the_merged_endpoint if {
	job := {"resource": 7, "pointer": "/spec/podMetricsEndpoints/0/relabelings/0", "message": "x"}
	findings := rule.report with input as {"merge": [workload({"annotationJobs": [job], "annotationJobNames": ["PodMonitor monitoring/istio-envoy"]})]}
	some f in findings
	contains(f.message, ":15020/stats/prometheus, which PodMonitor monitoring/istio-envoy scrapes, while")
	contains(f.message, "collected twice")
	count(f.related) == 2
}

test_not_merged_or_no_monitor_is_fine if {
	count(rule.report) == 0 with input as {"merge": [workload({"merged": false})]}
	count(rule.report) == 0 with input as {"merge": [workload({"monitors": []})]}
	count(rule.report) == 0 with input as {"merge": [workload({"port": 0})]}
}

test_app_tls_monitor_is_left_to_merge_of_tls_metrics if {
	count(rule.report) == 0 with input as {"merge": [workload({"monitors": [object.union(monitor, {"scheme": "https", "appTLS": true})]})]}
}

test_reserved_port_is_left_to_its_rule if {
	count(rule.report) == 0 with input as {"merge": [workload({"reserved": "15090 is Envoy's"})]}
}

test_down_monitor_collects_nothing_twice if {
	count(rule.report) == 0 with input as {"merge": [workload({"monitors": [object.union(monitor, {"down": true})]})]}
}
