package meshlint.rules.peerauthentication.port_level_mtls_on_service_port_test

import data.meshlint.rules.peerauthentication.port_level_mtls_on_service_port as rule

pa(scope, misuse) := {
	"resource": 0, "name": "shop/cart-metrics", "scope": scope,
	"portLevel": [{"port": 8080, "mode": "PERMISSIVE", "pointer": "/spec/portLevelMtls/8080", "servicePortMisuse": misuse, "shared": []}],
}

misuse := [{
	"service": {"resource": 1, "pointer": "/spec/ports/0", "message": "Service port 8080 targets container port 9090"},
	"resolution": "Service shop/cart port 8080 -> targetPort 9090 -> container port 9090",
	"containerPort": 9090, "workload": "Deployment shop/cart",
}]

test_service_port_key_is_reported if {
	findings := rule.report with input as {"peerAuthentications": [pa("workload", misuse)]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/portLevelMtls/8080"
	contains(f.message, "use 9090")
	f.related[0].resource == 1
}

test_container_port_key_is_fine if {
	count(rule.report) == 0 with input as {"peerAuthentications": [pa("workload", [])]}
}

test_namespace_policies_are_left_to_the_selector_rule if {
	count(rule.report) == 0 with input as {"peerAuthentications": [pa("namespace", misuse)]}
}
