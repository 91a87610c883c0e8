package meshlint.rules.peerauthentication.permissive_exception_shared_port_test

import data.meshlint.rules.peerauthentication.permissive_exception_shared_port as rule

pa(mode, shared) := {
	"resource": 0, "name": "shop/cart-metrics", "scope": "workload",
	"portLevel": [{"port": 8080, "mode": mode, "pointer": "/spec/portLevelMtls/8080", "servicePortMisuse": [], "shared": shared}],
}

shared := [{
	"workload": "Deployment shop/cart", "metrics": "it is scraped by ServiceMonitor shop/cart",
	"other": "it also carries Service shop/cart port http (80)", "related": [],
}]

test_shared_permissive_port_is_reported if {
	findings := rule.report with input as {"peerAuthentications": [pa("PERMISSIVE", shared)]}
	count(findings) == 1
	some f in findings
	contains(f.message, "port http (80)")
}

test_disable_counts_too if {
	count(rule.report) == 1 with input as {"peerAuthentications": [pa("DISABLE", shared)]}
}

test_strict_entry_is_fine if {
	count(rule.report) == 0 with input as {"peerAuthentications": [pa("STRICT", shared)]}
}

test_dedicated_port_is_fine if {
	count(rule.report) == 0 with input as {"peerAuthentications": [pa("PERMISSIVE", [])]}
}
