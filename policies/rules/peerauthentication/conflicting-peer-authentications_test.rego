package meshlint.rules.peerauthentication.conflicting_peer_authentications_test

import data.meshlint.rules.peerauthentication.conflicting_peer_authentications as rule

ref(resource, name, mode) := {"resource": resource, "name": name, "pointer": "/metadata/name", "mode": mode, "ports": "none", "emptySelector": false}

conflict(level, where, others, differ) := {"peerAuthReview": {"conflicts": [{
	"level": level, "where": where, "winner": ref(0, "shop/a", "STRICT"), "others": others,
	"workloads": [], "differ": differ, "difference": "shop/a: mode STRICT, portLevelMtls none; shop/b: mode PERMISSIVE, portLevelMtls none",
}]}}

test_differing_namespace_policies_are_errors if {
	findings := rule.report with input as conflict("namespace", "namespace shop", [ref(1, "shop/b", "PERMISSIVE")], true)
	count(findings) == 1
	some f in findings
	f.resource == 1
	f.severity == "error"
	contains(f.message, "one of 2 namespace-wide policies in namespace shop (with shop/a)")
	contains(f.message, "shop/a wins")
	contains(f.message, "they differ")
	f.related[0].resource == 0
}

test_agreeing_policies_are_warnings if {
	findings := rule.report with input as conflict("mesh", "the mesh (root namespace istio-system)", [ref(1, "istio-system/b", "STRICT")], false)
	some f in findings
	f.severity == "warning"
	contains(f.message, "mesh-wide")
	contains(f.message, "they agree today")
}

test_every_loser_is_reported if {
	findings := rule.report with input as conflict("namespace", "namespace shop", [ref(1, "shop/b", "STRICT"), ref(2, "shop/c", "STRICT")], false)
	count(findings) == 2
	some f in findings
	contains(f.message, "one of 3")
}

test_workload_level_names_the_workloads if {
	findings := rule.report with input as conflict("workload", "Deployment shop/cart", [ref(1, "shop/b", "STRICT")], true)
	some f in findings
	contains(f.message, "PeerAuthentication shop/b and shop/a both select Deployment shop/cart")
	contains(f.message, "never merges their portLevelMtls")
}

test_no_conflicts_no_findings if {
	count(rule.report) == 0 with input as {"peerAuthReview": {"conflicts": []}}
}

test_empty_selector_is_explained if {
	b := object.union(ref(1, "shop/b", "STRICT"), {"emptySelector": true, "pointer": "/spec/selector"})
	findings := rule.report with input as conflict("namespace", "namespace shop", [b], false)
	some f in findings
	f.pointer == "/spec/selector"
	contains(f.message, "shop/b has an empty selector, which makes it namespace-wide")
}

test_three_workload_policies if {
	findings := rule.report with input as conflict("workload", "Deployment shop/cart", [ref(1, "shop/b", "STRICT"), ref(2, "shop/c", "STRICT")], true)
	some f in findings
	f.resource == 2
	contains(f.message, "PeerAuthentication shop/c, shop/a and shop/b all select Deployment shop/cart")
}

exported(c, winner_created, other_created) := {"peerAuthReview": {"conflicts": [object.union(c.peerAuthReview.conflicts[0], {
	"fromCluster": true,
	"winner": object.union(ref(0, "shop/a", "STRICT"), {"created": winner_created}),
	"others": [object.union(ref(1, "shop/b", "PERMISSIVE"), {"created": other_created})],
})]}}

test_cluster_export_names_the_oldest if {
	base := conflict("namespace", "namespace shop", [ref(1, "shop/b", "PERMISSIVE")], true)
	findings := rule.report with input as exported(base, "2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z")
	some f in findings
	contains(f.message, "these come from a cluster export")
	contains(f.message, "shop/a, created 2024-01-01T00:00:00Z, is the oldest and is the one Istio uses")
	not contains(f.message, "undefined")
}

test_cluster_export_same_second_breaks_tie_by_name if {
	base := conflict("namespace", "namespace shop", [ref(1, "shop/b", "PERMISSIVE")], true)
	findings := rule.report with input as exported(base, "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z")
	some f in findings
	contains(f.message, "shop/a and shop/b were created in the same second (2024-01-01T00:00:00Z), and shop/a is the one Istio uses because its name sorts first")
}

test_written_timestamp_decides_nothing if {
	base := conflict("namespace", "namespace shop", [ref(1, "shop/b", "PERMISSIVE")], true)
	c := object.union(base.peerAuthReview.conflicts[0], {"timestampWritten": true})
	findings := rule.report with input as {"peerAuthReview": {"conflicts": [c]}}
	some f in findings
	contains(f.message, "a creationTimestamp written in a manifest decides nothing")
	contains(f.message, "undefined")
}
