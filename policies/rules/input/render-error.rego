# METADATA
# title: Render error
# description: >-
#   A Helm chart or Kustomize root in the input that cannot be rendered: a
#   template that fails (a syntax error, a nil value, `required` or `fail`),
#   values that break the chart's values.schema.json, a dependency that
#   charts/ does not hold and that names no repository, a file:// dependency
#   that leaves the repository or is not a chart, a missing Kustomize base,
#   resource or patch file, a patch that matches nothing in a root with
#   nothing left out, or a Flux HelmRelease whose postRenderers do not
#   apply. It is reported at the failing template line (the innermost one for
#   an error inside an included template), at the Chart.yaml dependency entry,
#   at the kustomization entry that names the missing file, or else at
#   Chart.yaml or the kustomization file. The rest of the input is still
#   linted, and so are the chart's other templates (the failing one is left
#   out and the chart rendered again); rendering never makes meshlint exit 2.
#   Nothing of what the chart or root would render is checked until it
#   renders, so this is an error.
# custom:
#   id: render-error
#   severity: error
#   category: input
#   tags: [correctness]
#   tier: helm
#   semantics: "README.md#helm-charts-kustomize-roots-and-flux-helmreleases"
#   fix: >-
#     Fix the template, values, dependency or kustomization as the message says;
#     `helm template` or `kustomize build` on the same directory fail the same
#     way. Point a file:// dependency at a chart directory inside the
#     repository, or vendor it in charts/.
#   source: go
package meshlint.rules.input.render_error

# Rendering (internal/render) reports these findings in Go; this module
# carries the rule's documentation.
report := set()
