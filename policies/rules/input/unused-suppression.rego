# METADATA
# title: Unused suppression
# description: >-
#   A suppression that accepts nothing: an `ignore.meshlint.io/<rule-id>`
#   annotation on a resource where that rule reports nothing (or that names no
#   rule at all), a config file `ignore` entry that matches no finding (expired
#   or not), or a baseline entry whose finding is gone. Stale suppressions hide
#   the next real problem on the same resource, and reporting them is what lets
#   a baseline only ever shrink. Suppressions of disabled rules are not
#   reported, because the rule did not look.
# custom:
#   id: unused-suppression
#   severity: note
#   category: input
#   tags: [maintainability]
#   tier: full
#   semantics: "README.md#suppressing-a-finding"
#   fix: >-
#     Delete the annotation, the `ignore` entry or the baseline entry (or write
#     the baseline again with `--write-baseline`). To keep an annotation that is
#     expected to be unused for now, add `ignore.meshlint.io/unused-suppression:
#     "<reason>"` to the same resource.
#   source: go
package meshlint.rules.input.unused_suppression

# Suppressions are applied in Go (internal/lint/suppress.go), after every
# rule has run; this module carries the rule's documentation.
report := set()
