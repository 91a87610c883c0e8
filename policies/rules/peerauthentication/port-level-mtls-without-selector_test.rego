package meshlint.rules.peerauthentication.port_level_mtls_without_selector_test

import data.meshlint.rules.peerauthentication.port_level_mtls_without_selector as rule

pa(scope, has_port_level) := {
	"resource": 0, "name": "shop/default", "scope": scope, "hasSelector": scope == "workload",
	"hasPortLevel": has_port_level, "portLevelPointer": "/spec/portLevelMtls", "portLevel": [],
}

test_namespace_policy_with_ports_is_reported if {
	findings := rule.report with input as {"peerAuthentications": [pa("namespace", true)]}
	some f in findings
	f.pointer == "/spec/portLevelMtls"
	contains(f.message, "namespace-wide")
}

test_mesh_policy_with_ports_is_reported if {
	count(rule.report) == 1 with input as {"peerAuthentications": [pa("mesh", true)]}
}

test_workload_policy_is_fine if {
	count(rule.report) == 0 with input as {"peerAuthentications": [pa("workload", true)]}
}

test_namespace_policy_without_ports_is_fine if {
	count(rule.report) == 0 with input as {"peerAuthentications": [pa("namespace", false)]}
}
