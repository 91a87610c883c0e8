package meshlint.rules.org.plaintext_scrape_in_mesh_test

import data.meshlint.rules.org.plaintext_scrape_in_mesh as rule

# scrape builds the part of the input facts the rule reads.
scrape(scheme, requirement) := {
	"monitor": 4, "kind": "ServiceMonitor", "endpoint": 0,
	"scheme": scheme, "schemePointer": "/spec/endpoints/0",
	"targets": [{
		"requirement": requirement,
		"chain": "Service shop/cart port metrics (9090) -> targetPort metrics -> container port metrics (9090) of Deployment shop/cart",
		"modeExplain": "PERMISSIVE (PeerAuthentication shop/default, namespace-wide)",
		"related": [], "assumptions": [],
	}],
}

test_http_to_permissive_sidecar_port_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape("http", "plaintext")]}
	count(findings) == 1
	some f in findings
	f.resource == 4
	f.pointer == "/spec/endpoints/0"
	contains(f.message, "PERMISSIVE")
}

test_https_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("https", "plaintext")]}
}

test_workload_outside_the_mesh_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("http", "any")]}
}

test_strict_port_is_left_to_the_built_in_rule if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("http", "mtls")]}
}
