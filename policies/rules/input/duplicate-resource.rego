# METADATA
# title: Duplicate resource
# description: >-
#   Two documents in one mesh define the same object (API group, kind,
#   namespace and name) with different content. A cluster holds only the copy
#   applied last, and which one that is depends on the order they are applied
#   in; meshlint lints both copies, so neither one's findings are hidden, and
#   reports the later one, naming both files.
#   Copies with the same content are merged silently. Folders that each hold
#   a differing copy (dev/ and prod/ side by side) are environments, each
#   linted as its own mesh, and are not duplicates; nor is a Helm chart
#   linted on its own beside another install of the same objects (a
#   Kustomize root, plain files, another chart): a cluster gets one of them.
# custom:
#   id: duplicate-resource
#   severity: warning
#   category: input
#   tier: full
#   tags: [correctness]
#   semantics: "README.md#environments"
#   fix: >-
#     Keep one definition of the object in each environment. When the copies
#     belong to different clusters, keep them in sibling folders (so each is
#     found as an environment) or declare the environments under
#     `environments:` in `.meshlint.yaml`. Files no cluster gets (test
#     data, samples kept in several variants) belong under `exclude:`.
#   source: go
package meshlint.rules.input.duplicate_resource

# Duplicates are found in Go (internal/lint/duplicates.go), as each mesh is
# built; this module carries the rule's documentation.
report := set()
