package meshlint.rules.peerauthentication.empty_workload_selector_test

import data.meshlint.rules.peerauthentication.empty_workload_selector as rule

policy(scope, selector, portLevel) := {"peerAuthReview": {"policies": [{
	"resource": 3, "name": "shop/cart", "namespace": "shop", "scope": scope, "rootNamespace": "istio-system",
	"selector": selector, "portLevel": {"present": portLevel, "empty": false, "pointer": "/spec/portLevelMtls"},
}]}}

empty := {"present": true, "empty": true, "pointer": "/spec/selector/matchLabels", "labels": ""}

test_empty_matchlabels_is_reported if {
	findings := rule.report with input as policy("namespace", empty, false)
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/selector/matchLabels"
	contains(f.message, "every workload in namespace shop")
	not contains(f.message, "portLevelMtls")
}

test_root_namespace_is_mesh_wide if {
	findings := rule.report with input as policy("mesh", empty, true)
	some f in findings
	contains(f.message, "mesh-wide")
	contains(f.message, "portLevelMtls is rejected")
}

test_selector_with_labels_is_fine if {
	count(rule.report) == 0 with input as policy("workload", {"present": true, "empty": false, "pointer": "/spec/selector/matchLabels", "labels": "app=cart"}, false)
}

test_no_selector_is_fine if {
	count(rule.report) == 0 with input as policy("namespace", {"present": false, "empty": false, "pointer": "", "labels": ""}, false)
}
