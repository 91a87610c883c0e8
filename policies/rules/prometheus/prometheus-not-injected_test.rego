package meshlint.rules.prometheus.prometheus_not_injected_test

import data.meshlint.rules.prometheus.prometheus_not_injected as rule

prom(dataplane, uses) := {
	"resource": 5, "kind": "Prometheus", "name": "monitoring/k8s", "usesIstioCerts": uses, "certUsers": [],
	"injection": {"dataplane": dataplane, "reason": "namespace monitoring has no istio-injection or istio.io/rev label", "decider": {"resource": 0, "pointer": "/metadata/labels"}, "assumed": ""},
}

test_uninjected_prometheus_is_reported if {
	findings := rule.report with input as {"prometheuses": [prom("none", true)]}
	count(findings) == 1
	some f in findings
	contains(f.message, "no istio-injection")
	count(f.related) == 1
}

test_ambient_prometheus_is_reported if {
	count(rule.report) == 1 with input as {"prometheuses": [prom("ambient", true)]}
}

test_injected_prometheus_is_fine if {
	count(rule.report) == 0 with input as {"prometheuses": [prom("sidecar", true)]}
}

test_unknown_injection_stays_silent if {
	count(rule.report) == 0 with input as {"prometheuses": [prom("unknown", true)]}
}

test_prometheus_without_istio_certs_is_ignored if {
	count(rule.report) == 0 with input as {"prometheuses": [prom("none", false)]}
}
