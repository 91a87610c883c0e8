package meshlint.rules.peerauthentication.port_level_mtls_unknown_port_test

import data.meshlint.rules.peerauthentication.port_level_mtls_unknown_port as rule

cart := {"resource": 0, "pointer": "/spec/template/metadata/labels", "message": "Deployment shop/cart"}

port(overrides) := object.union(
	{
		"port": 9091, "mode": "PERMISSIVE", "pointer": "/spec/portLevelMtls/9091", "istioPort": false,
		"declaredOn": [], "undeclared": ["Deployment shop/cart (declares 8080, 9090)"], "noPorts": [],
		"servicePortMisuse": false, "targetedBy": [], "uncaptured": [], "captured": 1, "scrapedBy": [], "baseStrict": true,
	},
	overrides,
)

policy(selected, p) := {"peerAuthReview": {"policies": [{
	"resource": 2, "name": "shop/cart-metrics", "scope": "workload",
	"workloads": {"selected": selected, "evident": true, "elsewhere": []},
	"ports": [p],
}]}}

test_undeclared_key_is_reported if {
	findings := rule.report with input as policy([cart], port({}))
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/portLevelMtls/9091"
	contains(f.message, "key 9091")
	contains(f.message, "declares 8080, 9090")
	f.related == [cart]
}

test_declared_key_is_fine if {
	count(rule.report) == 0 with input as policy([cart], port({"declaredOn": ["Deployment shop/cart"], "undeclared": []}))
}

test_silent_without_selected_workloads if {
	count(rule.report) == 0 with input as policy([], port({}))
}

test_silent_when_a_workload_declares_no_ports if {
	count(rule.report) == 0 with input as policy([cart], port({"noPorts": ["Deployment shop/other"]}))
}

test_service_targeted_port_is_fine if {
	count(rule.report) == 0 with input as policy([cart], port({"targetedBy": [{"resource": 1, "pointer": "/spec/ports/0", "message": "x"}]}))
}

test_istio_ports_and_service_port_keys_are_left_to_other_rules if {
	count(rule.report) == 0 with input as policy([cart], port({"istioPort": true}))
	count(rule.report) == 0 with input as policy([cart], port({"servicePortMisuse": true}))
}
