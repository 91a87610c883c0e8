package meshlint.rules.peerauthentication.unused_metrics_exception_test

import data.meshlint.rules.peerauthentication.unused_metrics_exception as rule

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

test_unused_exception_is_reported if {
	findings := rule.report with input as policy({})
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/portLevelMtls/9090"
	contains(f.message, "opens container port 9090 of Deployment shop/cart to plaintext")
}

test_scraped_or_exposed_port_is_fine if {
	count(rule.report) == 0 with input as policy({"scrapedBy": ["PodMonitor shop/cart"]})
	count(rule.report) == 0 with input as policy({"targetedBy": [{"resource": 1, "pointer": "/spec/ports/0", "message": "x"}]})
}

test_only_permissive_entries_on_strict_workloads if {
	count(rule.report) == 0 with input as policy({"mode": "STRICT"})
	count(rule.report) == 0 with input as policy({"baseStrict": false})
}

test_left_to_other_rules if {
	count(rule.report) == 0 with input as policy({"declaredOn": []})
	count(rule.report) == 0 with input as policy({"istioPort": true})
	count(rule.report) == 0 with input as policy({"uncaptured": ["x"], "captured": 0})
	count(rule.report) == 0 with input as policy({"servicePortMisuse": true})
}
