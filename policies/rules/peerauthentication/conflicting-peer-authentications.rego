# METADATA
# title: Several PeerAuthentications at one level
# description: >-
#   More than one mesh-wide policy in the root namespace, more than one
#   namespace-wide policy in a namespace (`selector: {}` counts as
#   namespace-wide), or more than one workload policy selecting the same
#   workload. Istio applies only the oldest policy of each level (by
#   creationTimestamp, then name) and ignores the rest; port maps are never
#   merged across policies. Manifests carry no creation time, so which one wins
#   is undefined. A warning when the policies agree; an error when their modes
#   or port maps differ, because then the outcome changes what is enforced.
#   Objects with the same namespace and name count once.
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
	"PeerAuthentication %s is one of %d %s policies in %s (with %s)%s. Istio applies only the oldest one and ignores the others, and manifests carry no creation time, so which one wins is undefined (created in the same second, %s wins because its name sorts first)%s",
	[o.name, count(c.others) + 1, level_text[c.level], c.where, concat(", ", [n | some n in names(c); n != o.name]), empty_note(c), c.winner.name, outcome(c)],
) if {
	c.level in {"mesh", "namespace"}
}

message(c, o) := sprintf(
	"PeerAuthentication %s %s select %s. Istio applies only the oldest workload policy and never merges their portLevelMtls maps, and manifests carry no creation time, so which one wins is undefined (created in the same second, %s wins because its name sorts first)%s",
	[together(o, c), both_or_all(c), c.where, c.winner.name, outcome(c)],
) if {
	c.level == "workload"
}

level_text := {"mesh": "mesh-wide", "namespace": "namespace-wide"}

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
