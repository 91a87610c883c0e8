package meshlint.rules.peerauthentication.invalid_peer_authentication_test

import data.meshlint.rules.peerauthentication.invalid_peer_authentication as rule

policy(portLevel) := {"resource": 1, "name": "shop/cart", "portLevel": portLevel}

test_empty_port_level_is_reported if {
	findings := rule.report with input as {"peerAuthReview": {"policies": [policy({"present": true, "empty": true, "pointer": "/spec/portLevelMtls"})], "removedPolicies": []}}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/portLevelMtls"
	contains(f.message, "empty portLevelMtls")
}

test_port_level_with_entries_is_fine if {
	count(rule.report) == 0 with input as {"peerAuthReview": {"policies": [policy({"present": true, "empty": false, "pointer": "/spec/portLevelMtls"})], "removedPolicies": []}}
	count(rule.report) == 0 with input as {"peerAuthReview": {"policies": [policy({"present": false, "empty": false, "pointer": ""})], "removedPolicies": []}}
}

test_removed_api_is_reported if {
	removed := {"resource": 4, "kind": "MeshPolicy", "apiVersion": "authentication.istio.io/v1alpha1", "name": "default", "peers": true, "origins": false}
	findings := rule.report with input as {"peerAuthReview": {"policies": [], "removedPolicies": [removed]}}
	count(findings) == 1
	some f in findings
	f.resource == 4
	f.pointer == "/apiVersion"
	contains(f.message, "MeshPolicy default uses the authentication.istio.io/v1alpha1 API")
	contains(f.message, "mesh-wide one without selector")
}

test_removed_jwt_policy_points_to_request_authentication if {
	removed := {"resource": 4, "kind": "Policy", "apiVersion": "authentication.istio.io/v1alpha1", "name": "shop/jwt", "peers": false, "origins": true}
	findings := rule.report with input as {"peerAuthReview": {"policies": [], "removedPolicies": [removed]}}
	some f in findings
	contains(f.message, "RequestAuthentication")
	not contains(f.message, "PeerAuthentication")
}
