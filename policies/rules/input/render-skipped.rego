# METADATA
# title: Render skipped
# description: >-
#   Something meshlint does not render, because it cannot be resolved offline
#   and in process, so the resources it would produce are not linted: a Flux
#   HelmRelease whose chart comes from a HelmRepository, OCIRepository or
#   chartRef, whose GitRepository chart path is not a chart directory in the
#   input (or is ambiguous), or whose valuesFrom ConfigMap or Secret is not in
#   the input; a kustomization's remote bases and helmCharts (inflated by the
#   helm binary). meshlint does not guess: the note says what was left out.
#   An optional valuesFrom object that is missing is noted too, and the
#   release is rendered without it, as Flux does.
# custom:
#   id: render-skipped
#   severity: note
#   category: input
#   tags: [correctness]
#   tier: helm
#   semantics: "cli.md Inputs"
#   fix: >-
#     Vendor the chart in the repository and point the HelmRelease at it through
#     a GitRepository path, or lint the chart directory with `--values`; put
#     the values ConfigMap in the input (Secrets that are encrypted in the
#     repository cannot be read: render the chart with `--values` instead).
#     To accept the gap, add an `ignore` entry for render-skipped in the config
#     file.
#   source: go
package meshlint.rules.input.render_skipped

# Rendering (internal/render) reports these findings in Go; this module
# carries the rule's documentation.
report := set()
