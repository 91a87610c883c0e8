// Package finding holds the one shape every problem meshlint reports takes,
// from the loader to the formatters: a rule, a severity and a message at one
// place (with its end and JSON pointer), the places that make it true, the
// resource it is about and how it was accepted. Its JSON tags are the
// findings of the json output format, so they never change.
package finding

import "github.com/meshlint/meshlint/internal/fix"

// Resource identifies a Kubernetes object.
type Resource struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Related is another place that makes a finding true.
type Related struct {
	Message string `json:"message"`
	Place
	Resource *Resource `json:"resource,omitempty"`
}

// Suppression says how a finding was accepted.
type Suppression struct {
	Kind          string `json:"kind"` // inSource (annotation) or external (config, baseline)
	Justification string `json:"justification"`
}

// Finding is one problem at one place.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Place
	Resource    *Resource    `json:"resource,omitempty"`
	Related     []Related    `json:"related"`
	Suppressed  bool         `json:"suppressed"`
	Suppression *Suppression `json:"suppression,omitempty"`
	// Snippet is the text of the lines Line to EndLine, when the lint had
	// it at hand (plain files); SARIF shows it as the region's snippet.
	// The JSON output leaves it out.
	Snippet string `json:"-"`
	// Environments are the environments whose mesh has this finding, when
	// the input holds several (lint, environments.go); none otherwise. Never
	// part of a fingerprint or baseline key: an alert stays put when the
	// environments that have it change.
	Environments []string `json:"environments,omitempty"`
	// Fixes are the suggested fixes (internal/fix): at most one default,
	// applied by `meshlint fix`, the others options.
	Fixes []fix.Fix `json:"fixes,omitempty"`
	// FixTarget is what the fix computation needs of the finding, set by
	// the lint for fixable rules; never written.
	FixTarget *fix.Target `json:"-"`
}

// Place is where in a file a finding or a related location is: its start,
// its end, and the JSON pointer of the field within its document. Finding
// and Related embed it, so their JSON fields stay flat.
type Place struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	Path      string `json:"path"`
}
