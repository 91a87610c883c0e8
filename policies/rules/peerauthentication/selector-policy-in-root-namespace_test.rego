package meshlint.rules.peerauthentication.selector_policy_in_root_namespace_test

import data.meshlint.rules.peerauthentication.selector_policy_in_root_namespace as rule

policy(scope, elsewhere) := {
	"resource": 2, "name": "istio-system/cart-metrics", "scope": scope, "rootNamespace": "istio-system",
	"selector": {"present": true, "empty": false, "pointer": "/spec/selector/matchLabels", "labels": "app=cart"},
	"workloads": {"selected": [], "evident": false, "elsewhere": elsewhere},
}

cart := {"resource": 0, "pointer": "/spec/template/metadata/labels", "message": "Deployment shop/cart"}

test_selector_policy_in_root_is_reported if {
	findings := rule.report with input as {"peerAuthReview": {"policies": [policy("ignored", [cart])]}}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/selector/matchLabels"
	contains(f.message, "Istio ignores it entirely")
	contains(f.message, "match Deployment shop/cart")
	f.related[0].resource == 0
}

test_without_matches_elsewhere if {
	findings := rule.report with input as {"peerAuthReview": {"policies": [policy("ignored", [])]}}
	some f in findings
	not contains(f.message, "match")
}

test_mesh_and_workload_policies_are_fine if {
	count(rule.report) == 0 with input as {"peerAuthReview": {"policies": [policy("mesh", []), policy("workload", [])]}}
}
