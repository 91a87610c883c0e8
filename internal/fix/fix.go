// Package fix computes suggested fixes for findings: text edits of the
// source file, computed from its yaml.v3 node tree so that indentation,
// quoting, comments, key order and line endings are kept and nothing else in
// the file changes. It works one file at a time (ForFile): the file's bytes,
// its parsed documents and every finding in it, so the computation runs in
// the same per-file pass that places findings.
package fix

// Pos is a place in a file: 1-based line and column (columns count Unicode
// code points, as finding positions do) and the 0-based byte offset.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// Edit replaces the bytes [Start.Offset, End.Offset) of File with New; an
// insertion has Start == End.
type Edit struct {
	File  string `json:"file"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end"`
	New   string `json:"new"`
	// Hash is the file's text the edit was computed against (Hash): the
	// edit is applied only to that same text.
	Hash string `json:"-"`
}

// Fix is one way to make a finding go away: a description and the edits,
// possibly in several files. Default fixes are what `meshlint fix` applies;
// the others are options (a choice between fixes, or a fix that is not right
// everywhere the file is used, with the reason in NotDefault).
type Fix struct {
	Description string `json:"description"`
	Default     bool   `json:"default"`
	// NotDefault says why a fix is offered but not applied by default.
	NotDefault string `json:"notDefault,omitempty"`
	// Edits are empty when the fix can only be described: the field comes
	// from a template expression, or the change is a choice.
	Edits []Edit `json:"edits,omitempty"`
}

// Target is a finding as the fix computation sees it: where it is, what rule
// made it, and the facts of the mesh model it needs (Hint).
type Target struct {
	Rule string
	// Pointer is the JSON pointer of the finding's field in its object.
	Pointer string
	// DocStart is the 1-based line where the object's YAML document starts,
	// Prefix the object's pointer within the document ("/items/3" in a List).
	DocStart int
	Prefix   string
	// SpecPointer, for an object a values file configures (a
	// kube-prometheus-stack Prometheus), is where the object's spec is in
	// the file (prometheus/prometheusSpec): fixes edit it there.
	SpecPointer string
	// Rendered: the object came from a Helm template, a Kustomize build or
	// a values file, so the finding's file is not the object's own text and
	// only a description is offered.
	Rendered bool
	// Kind and Name identify a rendered object in its source file: a
	// Kustomize resource file is plain YAML, so its document of that kind
	// and name can be edited (never a file holding template actions).
	Kind, Name string
	Hint       Hint
	// Layers are the values files a Prometheus is layered from, in helm -f
	// order, when there are several; FieldPointer is the finding's field as
	// a pointer of those files. The fix edits one of them (LayerFor) and is
	// only offered: the others may set what it adds.
	Layers       []string
	FieldPointer string
	// Template is set for an object a Helm template rendered, with a line
	// map: edits of literal template lines are then offered.
	Template *Template
}

// Hint are the facts of the resolved model a fix needs beyond its own file.
type Hint struct {
	// Prometheuses select the monitor (scrape rules) or are the finding's
	// own resource (Prometheus rules).
	Prometheuses []Prom
	// ContainerPorts are the container ports a Service-port key of a
	// portLevelMtls entry resolves to.
	ContainerPorts []int
	// PodMetadataPointer is where a controller's pod metadata is
	// (istio-annotations-misplaced): /spec/template/metadata or
	// /spec/podMetadata.
	PodMetadataPointer string
	// CertDirs are directories a Prometheus's monitors read Istio certs from
	// that it does not mount (istio-certs-not-mounted).
	CertDirs []string
	// Environments are the environments that have the finding, and
	// FileEnvironments those whose input holds the finding's file; a fix is
	// default only when both are the same.
	Environments     []string
	FileEnvironments []string
}

// Prom is what a fix needs to know about one Prometheus server.
type Prom struct {
	Name string // "monitoring/platform"
	// CertDir is where its prometheus container sees the certs the sidecar
	// exports; "" when it has no complete export.
	CertDir string
	// FileTLSDenied: spec.arbitraryFSAccessThroughSMs.deny, so monitors may
	// not name cert files.
	FileTLSDenied bool
	// IstioClass is a scrape class whose TLS uses the Istio cert files; ""
	// when it has none.
	IstioClass string
	// File, DocStart and Prefix place the Prometheus object, so a fix of a
	// monitor can add the cert export it lacks (ScrapeWithExport); File is
	// "" when the object is not a plain manifest.
	File     string
	DocStart int
	Prefix   string
}
