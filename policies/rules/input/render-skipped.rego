# METADATA
# title: Render skipped
# description: >-
#   Something meshlint does not render, because it cannot be resolved offline
#   and in process, so the resources it would produce are not linted: a Flux
#   HelmRelease whose chart comes from a HelmRepository, OCIRepository or
#   chartRef, or from a GitRepository that is not this repository (its URL
#   is not one of the checkout's git remotes, and `sources:` in the config
#   does not map it; a checkout without .git or without a remote cannot
#   tell), whose chart path is not a chart directory there, or whose
#   valuesFrom ConfigMap or Secret is not in the input; a chart dependency
#   from a chart repository that charts/ does not vendor (the chart's own
#   templates are rendered, and a template that needs the dependency is
#   noted too); a kustomization's remote bases and helmCharts (inflated by
#   the helm binary), and each patch that then matches
#   nothing (the rest of the root is built, and the namespaces it touches
#   count as not all in the input). meshlint does not guess: the note says
#   what was left out. An optional valuesFrom object that is missing is noted
#   too, and the release is rendered without it, as Flux does.
# custom:
#   id: render-skipped
#   severity: note
#   category: input
#   tags: [correctness]
#   tier: helm
#   semantics: "README.md#helm-charts-kustomize-roots-and-flux-helmreleases"
#   fix: >-
#     Vendor the chart in the repository and point the HelmRelease at it through
#     a GitRepository path (map the GitRepository with `sources:` in
#     .meshlint.yaml when the checkout has no matching remote), or lint the
#     chart directory with `--values`; run `helm dependency build` and commit
#     charts/ to lint a chart's dependencies; put
#     the values ConfigMap in the input (Secrets that are encrypted in the
#     repository cannot be read: render the chart with `--values` instead).
#     To accept the gap, add an `ignore` entry for render-skipped in the config
#     file.
#   source: go
package meshlint.rules.input.render_skipped

# Rendering (internal/render) reports these findings in Go; this module
# carries the rule's documentation.
report := set()
