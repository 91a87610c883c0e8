package meshlint.rules.prometheus.istio_annotations_misplaced_test

import data.meshlint.rules.prometheus.istio_annotations_misplaced as rule

controller(key, field) := {
	"resource": 1, "name": "Deployment shop/cart", "podMetadata": "the pod template (spec.template.metadata)",
	"podMetadataPointer": "/spec/template/metadata",
	"keys": [{"key": key, "field": field, "pointer": sprintf("/metadata/%s/%s", [field, key])}],
}

test_inject_label_on_deployment_is_reported if {
	findings := rule.report with input as {"controllers": [controller("sidecar.istio.io/inject", "labels")]}
	count(findings) == 1
	some f in findings
	f.pointer == "/metadata/labels/sidecar.istio.io/inject"
	contains(f.message, "label sidecar.istio.io/inject is on the own metadata of Deployment shop/cart")
	contains(f.message, "the Istio injector never looks")
	contains(f.message, "move it to the pod template (spec.template.metadata).labels")
}

test_proxy_config_and_traffic_annotations_are_reported if {
	count(rule.report) == 2 with input as {"controllers": [
		controller("proxy.istio.io/config", "annotations"),
		controller("traffic.sidecar.istio.io/includeOutboundIPRanges", "annotations"),
	]}
}

test_prometheus_annotations_name_prometheus if {
	findings := rule.report with input as {"controllers": [controller("prometheus.io/scrape", "annotations")]}
	some f in findings
	contains(f.message, "Prometheus's annotation-based pod discovery never looks")
}

test_merge_annotation_is_reported if {
	count(rule.report) == 1 with input as {"controllers": [controller("prometheus.istio.io/merge-metrics", "annotations")]}
}

test_other_istio_keys_are_not_pod_keys if {
	count(rule.report) == 0 with input as {"controllers": [
		controller("istio.io/rev", "labels"),
		controller("networking.istio.io/exportTo", "annotations"),
		controller("proxy.istio.io/overrides", "annotations"),
	]}
}
