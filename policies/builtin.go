package policies

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/finding"
)

// GoRule is a rule whose findings meshlint computes in Go, not in Rego:
// what the loader, rendering, a values file or the graph could not read
// (its Kinds), or what the lint works out across findings (duplicates,
// suppressions). Its fields are a Rego rule's METADATA (title,
// description, custom.*), read the same way by `meshlint rules`,
// `meshlint explain`, docs/rules and SARIF; its fixtures are under
// testdata/rules/<id>/ like any rule's.
type GoRule struct {
	ID, Title, Description string
	Severity, Category     string
	Tier                   string
	Tags                   []string
	SecuritySeverity       string
	Semantics              string
	Fix                    string
	// Kinds are the problems producers report that become this rule's
	// findings; none for a rule the lint computes itself.
	Kinds []finding.Kind
	// InRego marks a rule documented by its Rego module (which also checks
	// part of it): only its Kinds are here.
	InRego bool
}

// The ids of the Go-implemented rules, for the lint, which reports some of
// their findings itself.
const (
	DuplicateResource         = "duplicate-resource"
	InvalidManifest           = "invalid-manifest"
	InvalidPeerAuthentication = "invalid-peer-authentication"
	RenderError               = "render-error"
	RenderSkipped             = "render-skipped"
	UnusedSuppression         = "unused-suppression"
)

// GoRules are the Go-implemented rules, by id.
var GoRules = []GoRule{
	{
		ID: DuplicateResource, Title: "Duplicate resource", Severity: "warning", Category: "input", Tier: "full",
		Tags: []string{"correctness"}, Semantics: "README.md#environments",
		Description: "Two documents in one mesh define the same object (API group, kind, namespace and name) " +
			"with different content. A cluster holds only the copy applied last, and which one that is " +
			"depends on the order they are applied in; meshlint lints both copies, so neither one's " +
			"findings are hidden, and reports the later one, naming both files. Copies with the same " +
			"content are merged silently. Folders that each hold a differing copy (dev/ and prod/ side " +
			"by side) are environments, each linted as its own mesh, and are not duplicates; nor is a " +
			"Helm chart linted on its own beside another install of the same objects (a Kustomize " +
			"root, plain files, another chart): a cluster gets one of them.",
		Fix: "Keep one definition of the object in each environment. When the copies belong to " +
			"different clusters, keep them in sibling folders (so each is found as an environment) or " +
			"declare the environments under `environments:` in `.meshlint.yaml`. Files no cluster gets " +
			"(test data, samples kept in several variants) belong under `exclude:`.",
	},
	{
		ID: InvalidManifest, Title: "Invalid manifest", Severity: "error", Category: "input", Tier: "core",
		Tags: []string{"correctness"}, Semantics: "README.md#usage",
		Description: "A document that is not valid YAML or JSON, is not an object with apiVersion, kind and " +
			"metadata.name, or is a kind meshlint reads with a wrongly typed field its rules need (for " +
			"example `spec.endpoints` that is not a list). It is reported at the exact line; the " +
			"file's other documents and all other files are still linted.",
		Fix:   "Fix the document as the message says; `kubectl apply --dry-run=server` rejects it too.",
		Kinds: []finding.Kind{finding.Unreadable, finding.Uninterpreted},
	},
	{
		// A hybrid: its Rego module holds its METADATA and the checks of what
		// the graph can read; the values the graph rejects come from Go.
		ID: InvalidPeerAuthentication, InRego: true,
		Kinds: []finding.Kind{finding.InvalidPeerAuthentication},
	},
	{
		ID: RenderError, Title: "Render error", Severity: "error", Category: "input", Tier: "helm",
		Tags: []string{"correctness"}, Semantics: "README.md#helm-charts-kustomize-roots-and-flux-helmreleases",
		Description: "A Helm chart or Kustomize root in the input that cannot be rendered: a template that " +
			"fails (a syntax error, a nil value, `required` or `fail`), values that break the chart's " +
			"values.schema.json, a dependency that charts/ does not hold and that names no repository, " +
			"a file:// dependency that leaves the repository or is not a chart, a missing Kustomize " +
			"base, resource or patch file, a patch that matches nothing in a root with nothing left " +
			"out, or a Flux HelmRelease whose postRenderers do not apply. It is reported at the " +
			"failing template line (the innermost one for an error inside an included template), at " +
			"the Chart.yaml dependency entry, at the kustomization entry that names the missing file, " +
			"or else at Chart.yaml or the kustomization file. The rest of the input is still linted, " +
			"and so are the chart's other templates (the failing one is left out and the chart " +
			"rendered again); rendering never makes meshlint exit 2. Nothing of what the chart or root " +
			"would render is checked until it renders, so this is an error.",
		Fix: "Fix the template, values, dependency or kustomization as the message says; `helm " +
			"template` or `kustomize build` on the same directory fail the same way. Point a file:// " +
			"dependency at a chart directory inside the repository, or vendor it in charts/.",
		Kinds: []finding.Kind{finding.RenderFailed},
	},
	{
		ID: RenderSkipped, Title: "Render skipped", Severity: "note", Category: "input", Tier: "helm",
		Tags: []string{"correctness"}, Semantics: "README.md#helm-charts-kustomize-roots-and-flux-helmreleases",
		Description: "Something meshlint does not render, because it cannot be resolved offline and in process, " +
			"so the resources it would produce are not linted: a Flux HelmRelease whose chart comes " +
			"from a HelmRepository, OCIRepository or chartRef, or from a GitRepository that is not " +
			"this repository (its URL is not one of the checkout's git remotes, and `sources:` in the " +
			"config does not map it; a checkout without .git or without a remote cannot tell), whose " +
			"chart path is not a chart directory there, or whose valuesFrom ConfigMap or Secret is not " +
			"in the input; a chart dependency from a chart repository that charts/ does not vendor " +
			"(the chart's own templates are rendered, and a template that needs the dependency is " +
			"noted too); a kustomization's remote bases and helmCharts (inflated by the helm binary), " +
			"and each patch that then matches nothing (the rest of the root is built, and the " +
			"namespaces it touches count as not all in the input). meshlint does not guess: the note " +
			"says what was left out. An optional valuesFrom object that is missing is noted too, and " +
			"the release is rendered without it, as Flux does.",
		Fix: "Vendor the chart in the repository and point the HelmRelease at it through a " +
			"GitRepository path (map the GitRepository with `sources:` in .meshlint.yaml when the " +
			"checkout has no matching remote), or lint the chart directory with `--values`; run `helm " +
			"dependency build` and commit charts/ to lint a chart's dependencies; put the values " +
			"ConfigMap in the input (Secrets that are encrypted in the repository cannot be read: " +
			"render the chart with `--values` instead). To accept the gap, add an `ignore` entry for " +
			"render-skipped in the config file.",
		Kinds: []finding.Kind{finding.RenderSkipped},
	},
	{
		ID: UnusedSuppression, Title: "Unused suppression", Severity: "note", Category: "input", Tier: "full",
		Tags: []string{"maintainability"}, Semantics: "README.md#suppressing-a-finding",
		Description: "A suppression that accepts nothing: an `ignore.meshlint.io/<rule-id>` annotation on a " +
			"resource where that rule reports nothing (or that names no rule at all), a config file " +
			"`ignore` entry that matches no finding (expired or not), or a baseline entry whose " +
			"finding is gone. Stale suppressions hide the next real problem on the same resource, and " +
			"reporting them is what lets a baseline only ever shrink. Suppressions of disabled rules " +
			"are not reported, because the rule did not look.",
		Fix: "Delete the annotation, the `ignore` entry or the baseline entry (or write the baseline " +
			"again with `--write-baseline`). To keep an annotation that is expected to be unused for " +
			"now, add `ignore.meshlint.io/unused-suppression: \"<reason>\"` to the same resource.",
	},
}

// ProblemRule is the id of the rule that reports a problem of kind k. Every
// kind has one (a test holds the table to it), so a kind without one is a
// bug in meshlint.
func ProblemRule(k finding.Kind) string {
	for _, r := range GoRules {
		for _, rk := range r.Kinds {
			if rk == k {
				return r.ID
			}
		}
	}
	panic(fmt.Sprintf("finding kind %d has no rule in policies.GoRules", k))
}
