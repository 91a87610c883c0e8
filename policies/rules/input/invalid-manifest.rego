# METADATA
# title: Invalid manifest
# description: >-
#   A document that is not valid YAML or JSON, is not an object with apiVersion,
#   kind and metadata.name, or is a kind meshlint reads with a wrongly typed
#   field its rules need (for example `spec.endpoints` that is not a list). It is
#   reported at the exact line; the file's other documents and all other files
#   are still linted.
# custom:
#   id: invalid-manifest
#   severity: error
#   category: input
#   tags: [correctness]
#   tier: core
#   semantics: "README.md#usage"
#   fix: "Fix the document as the message says; `kubectl apply --dry-run=server` rejects it too."
#   source: loader
package meshlint.rules.input.invalid_manifest

# The loader and the graph report these findings in Go, where the bytes and
# types are; this module carries the rule's documentation.
report := set()
