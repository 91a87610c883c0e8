# METADATA
# title: STRICT on a workload without a proxy
# description: >-
#   The effective mTLS mode of a workload is STRICT, but the workload has
#   neither a sidecar nor ambient enrollment (`hostNetwork`, opted out of
#   injection, or a namespace that is not in the mesh). PeerAuthentication is
#   enforced by the server-side proxy; with no proxy nothing enforces it and
#   plaintext from any client reaches the app. Only decided data planes count:
#   a namespace whose injection the input does not show is never reported. To
#   keep the noise down, workloads that serve nothing (no container port, no
#   Service) and Jobs are skipped; a mesh-wide STRICT is reported only in
#   namespaces that are in the mesh; and a namespace-wide STRICT policy in a
#   namespace where no workload has a proxy is reported once, on the policy.
# custom:
#   id: strict-without-proxy
#   severity: warning
#   category: peerauthentication
#   tags: [security]
#   security-severity: "7.5"
#   tier: full
#   semantics: "docs/model.md#no-proxy"
#   fix: >-
#     Enable injection for the workload (pod label `sidecar.istio.io/inject:
#     "true"`, or remove the opt-out) or enroll it in ambient. A workload that
#     must stay outside the mesh (a `hostNetwork` DaemonSet such as a node
#     exporter) cannot be protected by PeerAuthentication: accept the finding with
#     `ignore.meshlint.io/strict-without-proxy: "<reason>"` and protect it another
#     way (NetworkPolicy, its own TLS).
package meshlint.rules.peerauthentication.strict_without_proxy

import data.meshlint.lib

report contains finding if {
	some w in input.peerAuthReview.proxylessStrict
	w.serves
	not w.batch
	in_scope(w)
	msg := sprintf(
		"%s has no sidecar and is not in ambient (%s), so nothing enforces its mTLS mode %s: %s plaintext from any client. If it is meant to run outside the mesh, accept this with an ignore.meshlint.io/strict-without-proxy annotation that says why; otherwise enable injection or ambient for it",
		[w.workload, w.reason, w.modeExplain, ports_text(w.ports)],
	)
	finding := lib.finding(w.resource, w.pointer, msg, w.related, w.assumptions)
}

report contains finding if {
	some n in input.peerAuthReview.proxylessNamespaces
	msg := sprintf(
		"PeerAuthentication %s sets STRICT for namespace %s, but no workload there has a proxy (%s), so STRICT is enforced nowhere and %s %s plaintext. Enable injection for the namespace (label istio-injection=enabled) or ambient, or drop the policy if the namespace stays outside the mesh",
		[n.policy, n.namespace, n.why, concat(", ", n.workloads), accept_verb(n.workloads)],
	)
	finding := lib.finding(n.resource, n.pointer, msg, n.related, n.assumptions)
}

# A workload or port policy names the workload on purpose; a namespace- or
# mesh-wide one counts only where the namespace is in the mesh (a
# namespace-wide policy elsewhere is reported once, on the policy).
in_scope(w) if w.level in {"workload", "port"}

in_scope(w) if {
	w.level in {"namespace", "mesh", "default"}
	w.namespaceMeshed
}

ports_text("") := "it accepts"

ports_text(p) := sprintf("its container ports %s accept", [p]) if {
	p != ""
	contains(p, ",")
}

ports_text(p) := sprintf("its container port %s accepts", [p]) if {
	p != ""
	not contains(p, ",")
}

accept_verb(ws) := "accepts" if count(ws) == 1

accept_verb(ws) := "accept" if count(ws) > 1
