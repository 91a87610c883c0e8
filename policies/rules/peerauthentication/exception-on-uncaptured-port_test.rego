package meshlint.rules.peerauthentication.exception_on_uncaptured_port_test

import data.meshlint.rules.peerauthentication.exception_on_uncaptured_port as rule

cart := {"resource": 0, "pointer": "/spec/template/metadata/labels", "message": "Deployment shop/cart"}

policy(p) := {"peerAuthReview": {"policies": [{
	"resource": 2, "name": "shop/cart", "scope": "workload",
	"workloads": {"selected": [cart], "evident": true, "elsewhere": []},
	"ports": [object.union(
		{
			"port": 9090, "mode": "PERMISSIVE", "pointer": "/spec/portLevelMtls/9090", "istioPort": false,
			"declaredOn": ["Deployment shop/cart"], "undeclared": [], "noPorts": [], "servicePortMisuse": false,
			"targetedBy": [], "uncaptured": [], "captured": 1, "scrapedBy": [], "baseStrict": true,
		},
		p,
	)],
}]}}

test_istio_port_is_reported if {
	findings := rule.report with input as policy({"port": 15020, "pointer": "/spec/portLevelMtls/15020", "istioPort": true, "captured": 0})
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/portLevelMtls/15020"
	contains(f.message, "key 15020")
	contains(f.message, "never intercepts")
}

test_excluded_port_is_reported if {
	why := "Deployment shop/cart: port 9090 is in traffic.sidecar.istio.io/excludeInboundPorts"
	findings := rule.report with input as policy({"uncaptured": [why], "captured": 0})
	count(findings) == 1
	some f in findings
	contains(f.message, "excludeInboundPorts")
	f.related == [cart]
}

test_port_captured_somewhere_is_fine if {
	count(rule.report) == 0 with input as policy({"uncaptured": ["Deployment shop/other: excluded"], "captured": 1})
}

test_captured_port_is_fine if {
	count(rule.report) == 0 with input as policy({})
}
