// Package promvalues reads a kube-prometheus-stack or Big Bang values file
// as the Prometheus custom resource the chart would render from it, without
// rendering the chart (issue 8; docs/model.md#prometheus-pod-metadata). The result is a
// loader.Document holding that Prometheus CR, so the graph and every rule
// treat it exactly like a Prometheus manifest; its JSON pointers are mapped
// back into the values file, so findings land on the values key to change
// and name it in the values file's own terms.
//
// What is modelled, from the chart's documented values and their defaults:
//   - prometheus.prometheusSpec.{volumes, volumeMounts, podMetadata,
//     scrapeClasses, arbitraryFSAccessThroughSMs, hostNetwork}, also when
//     given through prometheusSpec.additionalConfig;
//   - serviceMonitorSelector and podMonitorSelector: when unset or {} and
//     serviceMonitorSelectorNilUsesHelmValues / podMonitorSelectorNilUsesHelmValues
//     is true (kube-prometheus-stack's default), the chart selects monitors
//     labelled `release: <Helm release>`; otherwise it selects all of them;
//   - their namespace selectors: unset renders {}, every namespace;
//   - prometheus.annotations, the CR's own annotations;
//   - the CR name `<fullname>-prometheus` (fullname per the chart's helper:
//     fullnameOverride, or the release when it contains the chart name, or
//     `<release>-kube-prometheus-stack`, cut to 26 characters), and the
//     namespace namespaceOverride or --prometheus-namespace.
//
// Several values files for one Prometheus are layered first, exactly as
// `helm -f a.yaml -f b.yaml` layers them (layers.go), and the result is read
// as one file; each field of the modelled Prometheus is then located in the
// last file that sets its key.
//
// Big Bang: the umbrella deploys the monitoring package as a Flux
// HelmRelease named `monitoring` whose Helm release is, as Flux names it,
// `<namespace>-<name>` (monitoring-monitoring), so its Prometheus is
// monitoring/monitoring-monitoring-kube-prometheus. The package selects
// every monitor (both NilUsesHelmValues are false), and the umbrella adds
// the Istio cert wiring itself (emptyDir istio-certs with medium Memory,
// its mount at /etc/prom-certs/, and the OUTPUT_CERTS, userVolumeMount and
// includeOutboundIPRanges annotations) unless the file turns Istio off for
// monitoring. Those defaults are merged under monitoring.values the way
// Flux merges the HelmRelease values: mappings key by key, lists replaced.
package promvalues

import (
	"fmt"
	"os"
	"strings"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// Options are the settings of the flags --prometheus-release and
// --prometheus-namespace.
type Options struct {
	// Release is the Helm release name; for Big Bang values, the name of
	// the package's HelmRelease. "" means the shape's default:
	// kube-prometheus-stack, or monitoring for Big Bang.
	Release string
	// Namespace is the release namespace; "" means monitoring.
	Namespace string
	Limits    loader.Limits
	// WorkDir makes display paths relative; "" means the current directory.
	WorkDir string
	// Root confines the reads of the values files (a config file's
	// prometheusValues come from the linted tree); nil reads anywhere, still
	// only regular files within Limits.MaxFileBytes.
	Root *confine.Root
}

// DefaultNamespace is the namespace of the modelled Prometheus unless
// --prometheus-namespace or namespaceOverride says otherwise.
const DefaultNamespace = "monitoring"

// Server is one Prometheus configured by values files, layered in order
// as `helm -f` layers them.
type Server struct {
	Files []string
	// Release and Namespace are as in Options; "" means the default.
	Release, Namespace string
}

// File is what was made of one server's values files.
type File struct {
	// Display names the files, in order.
	Display string
	// Layers are the display paths of the files, in order.
	Layers []string
	Shape  Shape
	// Summary says what was detected, for one line on stderr.
	Summary string
	// Document is the modelled Prometheus; nil when the files configure
	// none, or one that cannot be interpreted.
	Document *loader.Document
}

// Result is what Load made of all values files.
type Result struct {
	Files []File
	// Problems are what the files could not give: a file that is not YAML
	// (finding.Unreadable) or a value that cannot be interpreted without
	// rendering the chart, such as a template (finding.Uninterpreted).
	Problems []finding.Problem
}

// Documents are the modelled Prometheus CRs, in the order of the servers.
func (r *Result) Documents() []*loader.Document {
	var out []*loader.Document
	for _, f := range r.Files {
		if f.Document != nil {
			out = append(out, f.Document)
		}
	}
	return out
}

// Load reads the values files, layered in order, as one Prometheus with
// opts.Release and opts.Namespace.
func Load(paths []string, opts Options) (*Result, error) {
	return LoadServers([]Server{{Files: paths, Release: opts.Release, Namespace: opts.Namespace}}, opts)
}

// LoadServers reads each server's values files, layered, as one
// Prometheus; opts.Release and opts.Namespace are not used. An error means
// a file cannot be used at all (missing, or not values of either chart):
// the user named it, so that is a usage error, never a silent pass.
func LoadServers(servers []Server, opts Options) (*Result, error) {
	if opts.WorkDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("get working directory: %w", err)
		}
		opts.WorkDir = wd
	}
	if opts.Limits == (loader.Limits{}) {
		opts.Limits = loader.DefaultLimits
	}
	if opts.Root == nil {
		opts.Root = confine.Unconfined()
	}
	res := &Result{}
	for _, srv := range servers {
		if len(srv.Files) == 0 {
			continue
		}
		sopts := opts
		sopts.Release, sopts.Namespace = srv.Release, srv.Namespace
		f, problems, err := readServer(srv.Files, sopts)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, f)
		res.Problems = append(res.Problems, problems...)
	}
	return res, nil
}

// readServer reads one server's files and models its Prometheus.
func readServer(paths []string, opts Options) (File, []finding.Problem, error) {
	var layers []*layer
	var problems []finding.Problem
	for _, p := range paths {
		display := loader.DisplayPath(p, opts.WorkDir)
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			return File{}, nil, fmt.Errorf("--prometheus-values %s: is a directory; name the values file", display)
		}
		data, err := opts.Root.ReadFile(p, opts.Limits.MaxFileBytes, "--max-file-size")
		if err != nil {
			return File{}, nil, fmt.Errorf("--prometheus-values %s: %w", display, err)
		}
		l, bad := readLayer(display, data, opts)
		if bad != nil {
			problems = append(problems, *bad)
		}
		layers = append(layers, l)
	}
	return model(layers, problems, opts)
}

// read models the Prometheus of one values file's bytes.
func read(display string, data []byte, opts Options) (File, []finding.Problem, error) {
	l, bad := readLayer(display, data, opts)
	var problems []finding.Problem
	if bad != nil {
		problems = append(problems, *bad)
	}
	return model([]*layer{l}, problems, opts)
}

// readLayer decodes one values file; a file that is not YAML is a problem.
func readLayer(display string, data []byte, opts Options) (*layer, *finding.Problem) {
	root, text, bad := loader.ReadYAMLValues(display, data, opts.Limits)
	l := &layer{display: display, text: text, root: root}
	if bad != nil {
		return l, bad
	}
	return l, nil
}

// model merges a server's layers and models its Prometheus; problems are
// those of reading the layers, and any of them leaves it unchecked.
func model(layers []*layer, problems []finding.Problem, opts Options) (File, []finding.Problem, error) {
	display := layersDisplay(layers)
	f := File{Display: display}
	for _, l := range layers {
		f.Layers = append(f.Layers, l.display)
	}
	if len(problems) > 0 {
		what := display + ": cannot be read as YAML"
		if len(layers) > 1 {
			what = display + ": " + problems[0].File + " cannot be read as YAML"
		}
		f.Summary = what + "; no Prometheus checked"
		return f, problems, nil
	}
	var empty []string
	for _, l := range layers {
		if l.root == nil {
			empty = append(empty, l.display)
		}
	}
	if len(empty) == len(layers) {
		if len(layers) == 1 {
			return File{}, nil, fmt.Errorf("--prometheus-values %s: the file is empty", display)
		}
		return File{}, nil, fmt.Errorf("--prometheus-values %s: the files are empty", display)
	}
	root := mergeLayers(layers)
	shape, base, err := detect(root)
	if err == nil && len(layers) > 1 {
		err = checkShapes(layers, shape)
	}
	if err != nil {
		return File{}, nil, fmt.Errorf("--prometheus-values %s: %w", display, err)
	}
	b := &builder{display: display, layers: layers, root: root, shape: shape, base: base, opts: opts}
	built := b.build()
	built.Layers = f.Layers
	return built, b.problems, nil
}

// builder models one server's Prometheus from its merged values.
type builder struct {
	display  string
	layers   []*layer
	root     map[string]any // the layers merged
	shape    Shape
	base     string // pointer of the chart values in the file
	opts     Options
	problems []finding.Problem
}

// modelled are the prometheusSpec fields meshlint reads, besides the
// selectors the chart always renders.
var modelled = []string{"podMetadata", "volumes", "volumeMounts", "scrapeClasses", "arbitraryFSAccessThroughSMs", "hostNetwork"}

// selectors are the monitor selectors and whether the chart derives them
// from a NilUsesHelmValues switch.
var selectors = []struct {
	field, nilUses string
}{
	{"serviceMonitorSelector", "serviceMonitorSelectorNilUsesHelmValues"},
	{"serviceMonitorNamespaceSelector", ""},
	{"podMonitorSelector", "podMonitorSelectorNilUsesHelmValues"},
	{"podMonitorNamespaceSelector", ""},
}

func (b *builder) build() File {
	f := File{Display: b.display, Shape: b.shape}
	bigBang := b.shape == BigBang || b.shape == BigBangPackage
	namespace, helmRelease := releaseOf(b.opts, bigBang)
	section := b.base + "/prometheus"
	specPtr := section + "/prometheusSpec"
	where := fmt.Sprintf("%s: %s (%s)", b.display, b.shape, dotted(section))
	none := func(why string) File {
		f.Summary = where + ": " + why + "; no Prometheus checked"
		return f
	}

	if b.shape == BigBang {
		if v, ok := at(b.root, "/monitoring/enabled"); ok && !truthy(v) {
			return none("monitoring.enabled is false")
		}
	}
	chart, ok := b.mapAt(b.base)
	if !ok {
		return none("it cannot be interpreted")
	}
	if v, ok := chart["namespaceOverride"].(string); ok && v != "" && !isTemplate(v) {
		namespace = v
	}
	prom, ok := b.mapAt(section)
	if !ok {
		return none("it cannot be interpreted")
	}
	if v, set := prom["enabled"]; set && !truthy(v) {
		return none(dotted(section+"/enabled") + " is false")
	}
	userSpec, ok := b.mapAt(specPtr)
	if !ok {
		return none("it cannot be interpreted")
	}

	sm := &sourceMap{root: b.root, section: section, spec: specPtr, fields: map[string]string{},
		described: map[string]string{}, defaults: map[string]bool{}}
	var source loader.SourceMap = sm
	if len(b.layers) > 1 {
		source = &layeredMap{sourceMap: sm, layers: b.layers}
	}
	pspec := userSpec
	wiring := ""
	if b.shape == BigBang {
		certs := bigBangWiring(b.root)
		defaults := bigBangDefaults(certs)
		for k := range defaults {
			sm.defaults[k] = true
		}
		pspec = merge(defaults, userSpec)
		switch {
		case certs.Mount:
			wiring = "; Big Bang adds the Istio cert volume, mount and annotations itself (" + certs.Why + ")"
		case certs.Export:
			wiring = "; Big Bang adds the Istio cert export annotations but no cert volume or mount (" + certs.Why + ")"
		default:
			wiring = "; Big Bang adds no Istio cert wiring (" + certs.Why + ")"
		}
	}

	spec := b.specFields(pspec, specPtr, helmRelease, bigBang, sm)
	b.checkTemplates(spec, sm)

	labels := map[string]any{"app": "kube-prometheus-stack-prometheus", "release": helmRelease}
	meta := map[string]any{"labels": labels}
	name := fullname(helmRelease, stringValue(chart["nameOverride"]), stringValue(chart["fullnameOverride"]))
	if truthy(chart["cleanPrometheusOperatorObjectNames"]) {
		meta["name"] = name
	} else {
		meta["name"] = name + "-prometheus"
	}
	meta["namespace"] = namespace
	if anns, set := prom["annotations"]; set && anns != nil {
		meta["annotations"] = anns
		b.templatesIn(anns, section+"/annotations", onlyIstio)
	}
	if len(b.problems) > 0 {
		return none(fmt.Sprintf("meshlint cannot interpret %d value(s) (reported as invalid-manifest warnings)", len(b.problems)))
	}
	obj := map[string]any{"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": meta, "spec": spec}
	promName := meta["name"].(string)
	last := b.layers[len(b.layers)-1]
	f.Document = loader.Derived(last.display, last.text, "monitoring.coreos.com/v1", "Prometheus", promName, namespace, obj, source)
	f.Summary = fmt.Sprintf("%s: checking Prometheus %s/%s (Helm release %s)%s%s", where, namespace, promName, helmRelease,
		selectorSummary(spec, sm), wiring)
	return f
}

// releaseOf is the namespace and Helm release of the Prometheus the
// options name, with the chart's defaults.
func releaseOf(opts Options, bigBang bool) (namespace, helmRelease string) {
	release := opts.Release
	if release == "" {
		release = "kube-prometheus-stack"
		if bigBang {
			release = "monitoring"
		}
	}
	namespace = opts.Namespace
	if namespace == "" {
		namespace = DefaultNamespace
	}
	if bigBang {
		// Flux names a HelmRelease's Helm release <targetNamespace>-<name>.
		return namespace, namespace + "-" + release
	}
	return namespace, release
}

// specFields are the Prometheus spec fields the chart renders from the
// merged prometheusSpec pspec (at specPtr of the values): the monitor
// selectors, as the chart derives them, and the modelled fields, from
// prometheusSpec or its additionalConfig. Fields not read from their own
// key are recorded in sm.
func (b *builder) specFields(pspec map[string]any, specPtr, helmRelease string, bigBang bool, sm *sourceMap) map[string]any {
	spec := map[string]any{}
	additional, _ := pspec["additionalConfig"].(map[string]any)
	if v, set := pspec["additionalConfig"]; set && v != nil && additional == nil {
		b.cannot(specPtr+"/additionalConfig", "is not a mapping")
	}
	if s, _ := pspec["additionalConfigString"].(string); strings.TrimSpace(s) != "" && mentionsModelled(s) {
		b.cannot(specPtr+"/additionalConfigString", "is a template string that may set Prometheus fields meshlint reads, and meshlint does not render templates")
	}
	release2 := fmt.Sprintf("release=%s", helmRelease)
	for _, s := range selectors {
		v := pspec[s.field]
		if _, dup := additional[s.field]; dup {
			b.cannot(specPtr+"/additionalConfig/"+s.field, "sets a field the chart renders itself, so the Prometheus would have it twice")
		}
		switch {
		case truthy(v):
			spec[s.field] = v
		case s.nilUses != "" && nilUses(pspec, s.nilUses, bigBang):
			spec[s.field] = map[string]any{"matchLabels": map[string]any{"release": helmRelease}}
			if exists(b.root, specPtr+"/"+s.nilUses) {
				sm.fields[s.field] = specPtr + "/" + s.nilUses
			}
			sm.described[s.field] = fmt.Sprintf("%s (unset, so with %s the chart selects %s)", dotted(specPtr+"/"+s.field), s.nilUses, release2)
		default:
			spec[s.field] = map[string]any{}
		}
	}
	for _, field := range modelled {
		v, set := pspec[field]
		av, aset := additional[field]
		switch {
		case truthy(v) && aset:
			b.cannot(specPtr+"/additionalConfig/"+field, "sets "+field+", which "+dotted(specPtr+"/"+field)+" sets too, so the Prometheus would have it twice")
		case truthy(v):
			spec[field] = v
		case aset && av != nil:
			spec[field] = av
			sm.fields[field] = specPtr + "/additionalConfig/" + field
		case set && v != nil && !truthy(v):
			// An empty value: the chart renders nothing.
		}
	}
	return spec
}

// selectorSummary tells which monitors the modelled Prometheus selects when
// the chart chose the selector.
func selectorSummary(spec map[string]any, sm *sourceMap) string {
	if _, derived := sm.described["serviceMonitorSelector"]; derived {
		sel := spec["serviceMonitorSelector"].(map[string]any)["matchLabels"].(map[string]any)
		return fmt.Sprintf("; it selects ServiceMonitors labelled release: %s (serviceMonitorSelectorNilUsesHelmValues)", sel["release"])
	}
	return ""
}

// nilUses reads a NilUsesHelmValues switch the way the chart's `if` does.
// An unset key keeps the chart's default; a null deletes that default
// (Helm's chartutil coalescing), so the `if` sees nothing: false.
func nilUses(pspec map[string]any, key string, bigBang bool) bool {
	v, set := pspec[key]
	if !set {
		return !bigBang // kube-prometheus-stack: true; Big Bang's package: false
	}
	return truthy(v)
}

// mapAt reads an optional mapping of the file; a value of another type is a
// problem (and ok false).
func (b *builder) mapAt(pointer string) (map[string]any, bool) {
	v, set := at(b.root, pointer)
	if !set || v == nil {
		return map[string]any{}, true
	}
	if s, isString := v.(string); isString && isTemplate(s) {
		b.cannot(pointer, fmt.Sprintf("is a Helm template (%s), which meshlint does not render", quoteTemplate(s)))
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		b.cannot(pointer, "is not a mapping")
		return nil, false
	}
	return m, true
}

// cannot records a value meshlint cannot interpret, at the key of the
// layer that set it last.
func (b *builder) cannot(pointer, why string) {
	l := owner(b.layers, b.root, pointer)
	r := l.position(pointer)
	configures := "this values file configures"
	if len(b.layers) > 1 {
		configures = "these layered values files configure"
	}
	msg := fmt.Sprintf("%s %s, so the Prometheus %s is not checked", dotted(pointer), why, configures)
	b.problems = append(b.problems, finding.Problem{Kind: finding.Uninterpreted, File: l.display, Line: r.Line, Column: r.Column,
		EndLine: r.EndLine, EndColumn: r.EndColumn, Message: msg})
}

// identity is the SourceMap of the file itself.
type identity struct{}

func (identity) FilePointer(p string) string { return p }
func (identity) Describe(p string) string    { return dotted(p) }

// truthy is Helm's (Go template's) truth: false, 0, "", nil and empty
// collections are false.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int64:
		return x != 0
	case float64:
		return x != 0
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true
}

func stringValue(v any) string {
	s, _ := v.(string)
	return s
}

// merge lays user values over defaults as Helm and Flux do: mappings are
// merged key by key, anything else replaces, and null deletes a default.
func merge(defaults, user map[string]any) map[string]any {
	out := make(map[string]any, len(defaults)+len(user))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range user {
		if v == nil {
			delete(out, k)
			continue
		}
		dm, dok := out[k].(map[string]any)
		um, uok := v.(map[string]any)
		if dok && uok {
			out[k] = merge(dm, um)
			continue
		}
		out[k] = v
	}
	return out
}
