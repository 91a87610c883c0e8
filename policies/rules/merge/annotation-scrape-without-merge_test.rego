package meshlint.rules.merge.annotation_scrape_without_merge_test

import data.meshlint.rules.merge.annotation_scrape_without_merge as rule

job := {"resource": 5, "pointer": "/data/prometheus.yml", "message": "this scrape job keeps pods by their prometheus.io/scrape annotation"}

strict := {
	"port": 9090, "modeExplain": "STRICT (PeerAuthentication shop/default, namespace-wide)",
	"source": {"resource": 2, "pointer": "/spec/mtls/mode", "message": "STRICT set here"},
}

workload(overrides) := {"merge": [object.union(
	{
		"resource": 0, "workload": "Deployment shop/cart", "merged": false,
		"mergeWhy": "its annotation prometheus.istio.io/merge-metrics is \"false\"", "mergeOff": "annotation",
		"mergePointer": "/spec/template/metadata/annotations/prometheus.istio.io~1merge-metrics",
		"scrape": "true", "scrapePointer": "/spec/template/metadata/annotations/prometheus.io~1scrape",
		"annotationJobs": [job], "strictPorts": [strict], "assumptions": [],
	},
	overrides,
)]}

test_annotation_scrape_of_strict_port_is_reported if {
	findings := rule.report with input as workload({})
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/template/metadata/annotations/prometheus.istio.io~1merge-metrics"
	contains(f.message, "port 9090 is STRICT (PeerAuthentication shop/default, namespace-wide)")
	count(f.related) == 2
}

test_mesh_setting_anchors_on_the_scrape_annotation if {
	findings := rule.report with input as workload({"mergeOff": "mesh", "mergeWhy": "the mesh turns metrics merging off"})
	some f in findings
	f.pointer == "/spec/template/metadata/annotations/prometheus.io~1scrape"
}

test_silent_without_a_job_or_strict_port_or_when_merged if {
	count(rule.report) == 0 with input as workload({"annotationJobs": []})
	count(rule.report) == 0 with input as workload({"strictPorts": []})
	count(rule.report) == 0 with input as workload({"mergeOff": ""})
	count(rule.report) == 0 with input as workload({"scrape": "false"})
}
