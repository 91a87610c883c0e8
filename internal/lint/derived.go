package lint

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// addDerivedProblems adds what could not be read from inputs that are not
// manifests (a --prometheus-values file): a file that is not YAML, or a
// value that cannot be interpreted without rendering the chart.
func (b *builder) addDerivedProblems(ps []finding.Problem) {
	for _, p := range ps {
		b.addProblem(p)
	}
}

// describeDerived names the values key a finding on a derived object is
// about, in the values file's own terms, since the object itself is not in
// the file. A field of a derived object that the graph cannot read is a
// value meshlint cannot interpret without rendering the chart: a warning,
// and the object is left unchecked.
func describeDerived(r *graph.Resource, pointer string, f *finding.Finding, problem bool) {
	if !r.Doc.IsDerived() {
		return
	}
	f.Message = r.Doc.Describe(pointer) + ": " + f.Message
	if problem {
		f.Severity = "warning"
	}
}

// relatedMessage adds to a related location in a derived object the values
// key it stands for.
func relatedMessage(r *graph.Resource, pointer, message string) string {
	if !r.Doc.IsDerived() {
		return message
	}
	return message + ": " + r.Doc.Describe(pointer)
}

// withDerived appends the derived documents without touching the loaded
// slice's backing array.
func withDerived(docs, derived []*loader.Document) []*loader.Document {
	if len(derived) == 0 {
		return docs
	}
	out := make([]*loader.Document, 0, len(docs)+len(derived))
	return append(append(out, docs...), derived...)
}

// derivedFiles counts the files the derived documents were read from.
func derivedFiles(derived []*loader.Document) int {
	seen := map[string]bool{}
	for _, d := range derived {
		for _, f := range d.SourceFiles() {
			seen[f] = true
		}
	}
	return len(seen)
}

// addDuplicatePrometheus reports a Prometheus modelled from values files
// that has the namespace and name of another Prometheus in the run (a
// manifest, or another server's values). The cluster would hold only one
// of them, and meshlint would check both and report each monitor's
// finding once, as if through a single server: one of them silently
// decides. Two manifests are left alone; duplicate manifests are the
// loader's concern.
func (b *builder) addDuplicatePrometheus() {
	first := map[string]*graph.Resource{}
	for _, r := range b.resources {
		if r.Kind != "Prometheus" || !strings.HasPrefix(r.Doc.APIVersion, "monitoring.coreos.com/") {
			continue
		}
		key := r.Namespace + "/" + r.Name
		prev, dup := first[key]
		if !dup {
			first[key] = r
			continue
		}
		at, other := r, prev
		if !r.Doc.IsDerived() {
			if !prev.Doc.IsDerived() {
				continue
			}
			at, other = prev, r
		}
		b.add(b.duplicatePrometheus(at, other))
	}
}

// duplicatePrometheus is the finding on the values-derived Prometheus at
// that another one, other, shares its namespace and name with.
func (b *builder) duplicatePrometheus(at, other *graph.Resource) finding.Finding {
	f := b.locate(at, "")
	f.Rule, f.Severity = invalidManifest, b.severity(invalidManifest)
	what := "Prometheus " + at.Namespace + "/" + at.Name
	loc := b.locate(other, "")
	if other.Doc.IsDerived() {
		f.Message = fmt.Sprintf("%s, modelled from %s, is also modelled from %s; two Prometheus objects cannot share a namespace and name "+
			"(one would replace the other), and meshlint would check both as one. If they are one server, layer the files into one "+
			"(repeat --prometheus-values, or list them in one prometheusValues entry); otherwise give one of them another release or namespace "+
			"(release: and namespace: of its prometheusValues entry)", what, strings.Join(at.Doc.SourceFiles(), ", "), strings.Join(other.Doc.SourceFiles(), ", "))
	} else {
		f.Message = fmt.Sprintf("%s, modelled from %s, is also defined by the manifest %s:%d; two Prometheus objects cannot share a namespace "+
			"and name (one would replace the other), and meshlint would check both as one. Lint either the manifest or the values, or give "+
			"the values another release or namespace (--prometheus-release, --prometheus-namespace, or release: and namespace: of its prometheusValues entry)",
			what, strings.Join(at.Doc.SourceFiles(), ", "), loc.File, loc.Line)
	}
	describeDerived(at, "", &f, false)
	f.Related = append(f.Related, finding.Related{Message: relatedMessage(other, "", "the other "+what),
		Place: placeWithPath(loc.Place, ""), Resource: loc.Resource})
	return f
}
