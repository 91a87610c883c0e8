package meshlint.rules.scrape.podmonitor_under_strict_test

import data.meshlint.rules.scrape.podmonitor_under_strict as rule

scrape(istio, class_known, requirement) := {
	"monitor": 1, "kind": "PodMonitor", "name": "PodMonitor shop/cart", "endpoint": 0,
	"certsUnavailable": "A PodMonitor cannot reference Istio's cert files and no scrape class with Istio file TLS applies",
	"pointer": "/spec/podMetricsEndpoints/0", "scheme": "http", "schemePointer": "/spec/podMetricsEndpoints/0",
	"tls": {"istio": istio, "classKnown": class_known, "certFiles": []},
	"targets": [{
		"requirement": requirement, "chain": "container port metrics (9090) of Deployment shop/cart",
		"modeExplain": "STRICT (PeerAuthentication shop/default, namespace-wide)", "why": "x",
		"related": [], "assumptions": [],
	}],
}

test_podmonitor_to_strict_port_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape(false, true, "mtls")]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/podMetricsEndpoints/0"
}

test_istio_scrape_class_makes_it_possible if {
	count(rule.report) == 0 with input as {"scrapes": [scrape(true, true, "mtls")]}
}

test_unknown_scrape_class_stays_silent if {
	count(rule.report) == 0 with input as {"scrapes": [scrape(false, false, "mtls")]}
}

test_merged_metrics_port_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape(false, true, "any")]}
}

test_copied_file_fields_are_named_and_anchored if {
	s := scrape(false, true, "mtls")
	dropped := [
		{"resource": 1, "pointer": "/spec/podMetricsEndpoints/0/tlsConfig/caFile", "message": "caFile /etc/prom-certs/root-cert.pem"},
		{"resource": 1, "pointer": "/spec/podMetricsEndpoints/0/tlsConfig/certFile", "message": "certFile /etc/prom-certs/cert-chain.pem"},
	]
	findings := rule.report with input as {"scrapes": [object.union(s, {"tls": object.union(s.tls, {"droppedFiles": dropped})})]}
	some f in findings
	f.pointer == "/spec/podMetricsEndpoints/0/tlsConfig/caFile"
	contains(f.message, "its tlsConfig sets caFile /etc/prom-certs/root-cert.pem, certFile /etc/prom-certs/cert-chain.pem, but a PodMonitor's tlsConfig is a SafeTLSConfig")
}
