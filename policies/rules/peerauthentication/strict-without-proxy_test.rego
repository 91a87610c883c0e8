package meshlint.rules.peerauthentication.strict_without_proxy_test

import data.meshlint.rules.peerauthentication.strict_without_proxy as rule

proxyless(overrides) := object.union(
	{
		"resource": 1, "workload": "DaemonSet monitoring/node-exporter", "kind": "DaemonSet",
		"pointer": "/spec/template/spec/hostNetwork", "reason": "it uses hostNetwork, which Istio never injects",
		"level": "namespace", "modeExplain": "STRICT (PeerAuthentication monitoring/default, namespace-wide)",
		"ports": "9100", "namespaceMeshed": true, "serves": true, "batch": false, "assumptions": [],
		"related": [{"resource": 0, "pointer": "/spec/mtls/mode", "message": "STRICT set here"}],
	},
	overrides,
)

review(ws, ns) := {"peerAuthReview": {"proxylessStrict": ws, "proxylessNamespaces": ns}}

test_host_network_daemonset_in_strict_namespace if {
	findings := rule.report with input as review([proxyless({})], [])
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/template/spec/hostNetwork"
	contains(f.message, "DaemonSet monitoring/node-exporter has no sidecar and is not in ambient (it uses hostNetwork")
	contains(f.message, "its container port 9100 accepts plaintext")
	contains(f.message, "ignore.meshlint.io/strict-without-proxy")
}

test_several_ports if {
	findings := rule.report with input as review([proxyless({"ports": "8080, 9100"})], [])
	some f in findings
	contains(f.message, "its container ports 8080, 9100 accept plaintext")
}

test_workload_policy_counts_outside_the_mesh if {
	count(rule.report) == 1 with input as review([proxyless({"level": "workload", "namespaceMeshed": false})], [])
}

test_mesh_wide_strict_outside_the_mesh_is_silent if {
	count(rule.report) == 0 with input as review([proxyless({"level": "mesh", "namespaceMeshed": false})], [])
	count(rule.report) == 0 with input as review([proxyless({"level": "namespace", "namespaceMeshed": false})], [])
}

test_jobs_and_workloads_without_ports_are_silent if {
	count(rule.report) == 0 with input as review([proxyless({"batch": true})], [])
	count(rule.report) == 0 with input as review([proxyless({"serves": false})], [])
}

test_unmeshed_namespace_is_reported_once_on_the_policy if {
	ns := {
		"resource": 0, "policy": "legacy/default", "pointer": "/spec/mtls/mode", "namespace": "legacy",
		"why": "namespace legacy has no istio-injection or istio.io/rev label",
		"workloads": ["Deployment legacy/a", "Deployment legacy/b"], "assumptions": [], "related": [],
	}
	findings := rule.report with input as review([], [ns])
	count(findings) == 1
	some f in findings
	f.resource == 0
	f.pointer == "/spec/mtls/mode"
	contains(f.message, "STRICT is enforced nowhere and Deployment legacy/a, Deployment legacy/b accept plaintext")
}
