package meshlint.rules.peerauthentication.peer_authentication_selects_nothing_test

import data.meshlint.rules.peerauthentication.peer_authentication_selects_nothing as rule

policy(evident, selected, elsewhere) := {"peerAuthReview": {"policies": [{
	"resource": 3, "name": "shop/cart", "namespace": "shop", "scope": "workload",
	"selector": {"present": true, "empty": false, "pointer": "/spec/selector/matchLabels", "labels": "app=kart"},
	"workloads": {"selected": selected, "evident": evident, "elsewhere": elsewhere},
}]}}

other := {"resource": 5, "pointer": "/spec/template/metadata/labels", "message": "Deployment web/kart"}

test_selector_matching_nothing_is_reported if {
	findings := rule.report with input as policy(true, [], [])
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/selector/matchLabels"
	contains(f.message, "selects app=kart, which matches no workload in namespace shop")
}

test_match_in_another_namespace_is_explained if {
	findings := rule.report with input as policy(true, [], [other])
	some f in findings
	contains(f.message, "the labels match Deployment web/kart")
	f.related == [other]
}

test_silent_when_namespace_not_evidently_in_input if {
	count(rule.report) == 0 with input as policy(false, [], [])
}

test_matching_policy_is_fine if {
	count(rule.report) == 0 with input as policy(true, [other], [])
}
