# METADATA
# title: Several PeerAuthentications at one level
# description: >-
#   More than one mesh-wide policy in the root namespace, more than one
#   namespace-wide policy in a namespace (`selector: {}` counts as
#   namespace-wide), or more than one workload policy selecting the same
#   workload. Istio applies only the oldest policy of each level (by
#   creationTimestamp, then name, then namespace: istio
#   pilot/pkg/model/config.go configCompareByCreationTime) and ignores the
#   rest; port maps are never merged across policies. The API server sets
#   the creation time itself when it creates an object (k8s.io/apiserver
#   pkg/registry/rest/meta.go, FillObjectMetaSystemFields), so in manifests
#   applied from Git, with or without a `creationTimestamp`, which one wins is
#   undefined. When every policy comes from an export of a live cluster
#   (`kubectl get -o yaml`, recognisable by `metadata.uid` and
#   `resourceVersion`), their creation times are the server's and the message
#   names the one Istio uses. A warning when the policies agree; an error
#   when their modes or port maps differ, because then the outcome changes
#   what is enforced. Objects with the same namespace and name count once.
# custom:
#   id: conflicting-peer-authentications
#   severity: warning
#   category: peerauthentication
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#peer-authentication-precedence"
#   fix: >-
#     Merge them into one policy per level (one mesh-wide policy, one
#     namespace-wide policy per namespace, one workload policy per workload),
#     with all port exceptions in one `portLevelMtls` map.
package meshlint.rules.peerauthentication.conflicting_peer_authentications

import data.meshlint.lib

report contains finding if {
	some c in input.peerAuthReview.conflicts
	some o in c.others
	winner := lib.loc(c.winner.resource, c.winner.pointer, "also applies here")
	base := lib.finding(o.resource, o.pointer, message(c, o), [winner], [])
	finding := object.union(base, {"severity": severity(c)})
}

severity(c) := "error" if c.differ

severity(c) := "warning" if not c.differ

message(c, o) := sprintf(
	"PeerAuthentication %s is one of %d %s policies in %s (with %s)%s. Istio applies only the oldest one and ignores the others, and %s%s",
	[o.name, count(c.others) + 1, level_text[c.level], c.where, concat(", ", [n | some n in names(c); n != o.name]), empty_note(c), order_text(c), outcome(c)],
) if {
	c.level in {"mesh", "namespace"}
}

message(c, o) := sprintf(
	"PeerAuthentication %s %s select %s. Istio applies only the oldest workload policy and never merges their portLevelMtls maps, and %s%s",
	[together(o, c), both_or_all(c), c.where, order_text(c), outcome(c)],
) if {
	c.level == "workload"
}

level_text := {"mesh": "mesh-wide", "namespace": "namespace-wide"}

# order_text says which case decides the winner: a cluster export, whose
# creation times are the API server's, or manifests, whose order is the
# apply order the input does not show.
order_text(c) := sprintf("manifests carry no creation time, so which one wins is undefined (created in the same second, %s wins because its name sorts first)", [c.winner.name]) if {
	not c.fromCluster
	not c.timestampWritten
}

order_text(c) := sprintf("a creationTimestamp written in a manifest decides nothing: the API server sets its own when it creates the object (only a cluster export, with metadata.uid and resourceVersion, shows the real one), so which one wins is undefined (created in the same second, %s wins because its name sorts first)", [c.winner.name]) if {
	not c.fromCluster
	c.timestampWritten
}

order_text(c) := sprintf("these come from a cluster export (metadata.uid and resourceVersion are set), so their creation times decide: %s, created %s, is the oldest and is the one Istio uses", [c.winner.name, c.winner.created]) if {
	c.fromCluster
	not same_second(c)
}

order_text(c) := sprintf("these come from a cluster export (metadata.uid and resourceVersion are set), so their creation times decide: %s and %s were created in the same second (%s), and %s is the one Istio uses because its name sorts first", [c.winner.name, concat(", ", tied(c)), c.winner.created, c.winner.name]) if {
	c.fromCluster
	same_second(c)
}

tied(c) := [x.name | some x in c.others; x.created == c.winner.created]

same_second(c) if count(tied(c)) > 0

empty_note(c) := sprintf("; %s has an empty selector, which makes it %s, not a workload policy", [concat(" and ", empty), level_text[c.level]]) if {
	empty := [r.name | some r in array.concat([c.winner], c.others); r.emptySelector]
	count(empty) > 0
}

empty_note(c) := "" if {
	not any_empty(c)
}

any_empty(c) if {
	some r in array.concat([c.winner], c.others)
	r.emptySelector
}

# together lists the reported policy first, then the others: "a and b",
# "a, b and c".
together(o, c) := sprintf("%s and %s", [o.name, rest[0]]) if {
	rest := [n | some n in names(c); n != o.name]
	count(rest) == 1
}

together(o, c) := sprintf("%s, %s and %s", [o.name, concat(", ", array.slice(rest, 0, count(rest) - 1)), rest[count(rest) - 1]]) if {
	rest := [n | some n in names(c); n != o.name]
	count(rest) > 1
}

both_or_all(c) := "both" if count(c.others) == 1

both_or_all(c) := "all" if count(c.others) > 1

names(c) := array.concat([c.winner.name], [x.name | some x in c.others])

outcome(c) := sprintf(": they differ, so what is enforced depends on it (%s)", [c.difference]) if c.differ

outcome(c) := sprintf("; they agree today (%s), but keep one so they cannot drift apart", [c.difference]) if not c.differ
