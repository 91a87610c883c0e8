package meshlint.rules.prometheus.prometheus_outbound_captured_test

import data.meshlint.rules.prometheus.prometheus_outbound_captured as rule

config(overrides) := object.union({
	"resource": 5, "kind": "Prometheus", "name": "monitoring/k8s", "usesIstioCerts": true, "exportsCerts": true, "dataplane": "sidecar",
	"annotationsPointer": "/spec/podMetadata/annotations", "outboundSet": false, "outbound": "",
	"outboundPointer": "/spec/podMetadata/annotations", "outboundBypassed": "", "outboundMisplaced": false,
}, overrides)

users := [{"resource": 5, "certUsers": [{"resource": 2, "pointer": "/spec/endpoints/0/tlsConfig", "message": "ServiceMonitor shop/cart"}]}]

test_missing_annotation_is_reported if {
	findings := rule.report with input as {"prometheusConfigs": [config({})], "prometheuses": users}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/podMetadata/annotations"
	contains(f.message, "has no traffic.sidecar.istio.io/includeOutboundIPRanges: \"\" annotation")
	count(f.related) == 1
}

test_non_empty_ranges_are_reported if {
	findings := rule.report with input as {"prometheusConfigs": [config({"outboundSet": true, "outbound": "10.0.0.0/8"})], "prometheuses": users}
	some f in findings
	contains(f.message, "is \"10.0.0.0/8\" rather than \"\"")
}

test_bypassed_outbound_is_fine if {
	count(rule.report) == 0 with input as {"prometheusConfigs": [config({"outboundSet": true, "outboundBypassed": "it is empty"})], "prometheuses": users}
}

test_without_istio_certs_is_fine if {
	count(rule.report) == 0 with input as {"prometheusConfigs": [config({"usesIstioCerts": false})], "prometheuses": users}
}

test_uninjected_prometheus_is_left_to_prometheus_not_injected if {
	count(rule.report) == 0 with input as {"prometheusConfigs": [config({"dataplane": "none"})], "prometheuses": users}
}

test_misplaced_annotation_is_left_to_istio_annotations_misplaced if {
	count(rule.report) == 0 with input as {"prometheusConfigs": [config({"outboundMisplaced": true})], "prometheuses": users}
}

test_without_cert_export_is_left_to_istio_certs_not_exported if {
	count(rule.report) == 0 with input as {"prometheusConfigs": [config({"exportsCerts": false})], "prometheuses": users}
}
