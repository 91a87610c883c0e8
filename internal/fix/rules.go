package fix

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fixers are the rules whose findings get fixes, with the function that
// computes them. Rules of choice get options only (none default).
var fixers = map[string]func(*Source, *yaml.Node, Target) []Fix{
	"plaintext-scrape-of-strict-port":  plaintextFix,
	"istio-tls-without-https":          httpsFix,
	"istio-tls-without-skip-verify":    skipVerifyFix,
	"port-level-mtls-on-service-port":  containerPortFix,
	"istio-certs-volume-not-memory":    memoryFix,
	"istio-annotations-misplaced":      moveAnnotationFix,
	"istio-certs-not-exported":         exportFix,
	"istio-certs-not-mounted":          mountFix,
	"prometheus-outbound-captured":     outboundFix,
	"podmonitor-under-strict":          podMonitorOptions,
	"permissive-exception-shared-port": sharedPortOptions,
	"prometheus-not-injected":          injectFix,
	"port-level-mtls-without-selector": selectorOptions,
}

// choices are the rules whose fixes are options that read nothing of the
// file (a choice is the user's to make): their fixes are the same wherever
// the object is and however it is written, so the file is not parsed for
// them (TestChoicesReadNothingOfTheFile).
var choices = map[string]bool{
	"podmonitor-under-strict":          true,
	"permissive-exception-shared-port": true,
	"port-level-mtls-without-selector": true,
}

// Fixable reports whether findings of a rule get fixes.
func Fixable(rule string) bool { _, ok := fixers[rule]; return ok }

// ForFile computes the fixes of the findings in one file. src is the file
// (Parse); the result has one entry per target, nil for a finding without
// a fix. Edits of a fix that cannot be computed safely are left out and the
// fix is offered as a description only, never applied by default.
func ForFile(src *Source, targets []Target) [][]Fix {
	out := make([][]Fix, len(targets))
	for i, t := range targets {
		f := fixers[t.Rule]
		if f == nil {
			continue
		}
		if t.Rendered {
			out[i] = renderedFixes(src, t, f)
			continue
		}
		if choices[t.Rule] {
			// no fix is default, so neither rule below changes one
			out[i] = f(nil, nil, t)
			continue
		}
		obj, err := src.object(t)
		if err != nil {
			out[i] = describeOnly(f(nil, nil, t), "the object's text could not be read back for an edit")
			continue
		}
		out[i] = layeredRule(environmentRule(f(src, obj, t), t.Hint), t, src)
	}
	return out
}

// layeredRule offers, never applies, a fix of one values file among several
// layered ones: a file after it may set again what the fix adds or changes.
func layeredRule(fs []Fix, t Target, src *Source) []Fix {
	if len(t.Layers) < 2 {
		return fs
	}
	why := fmt.Sprintf("the Prometheus is configured by the values files %s, layered in this order as helm -f lays them; the edit goes to %s, the last that sets the field, so check that no other file sets what it adds",
		strings.Join(t.Layers, ", "), src.File)
	if !src.Has(t.FieldPointer) {
		why = fmt.Sprintf("the Prometheus is configured by the values files %s, layered in this order as helm -f lays them; none sets the field, so the edit goes to the last, %s",
			strings.Join(t.Layers, ", "), src.File)
	}
	for i := range fs {
		if fs[i].Default {
			fs[i].Default, fs[i].NotDefault = false, why
		}
	}
	return fs
}

// LayerFor is the values file a fix of a layered Prometheus edits: the last
// that sets the field (its value is the one helm -f keeps), or the last file
// when none sets it. has reports whether a file sets a pointer.
func LayerFor(t Target, has func(file, pointer string) bool) string {
	for i := len(t.Layers) - 1; i >= 0; i-- {
		if has(t.Layers[i], t.FieldPointer) {
			return t.Layers[i]
		}
	}
	return t.Layers[len(t.Layers)-1]
}

// renderedFixes are the fixes of an object that a Kustomize or Flux build
// made from a plain YAML file: edits of the file's document of that kind and
// name, never applied by default (a patch elsewhere may set the field
// again). A Helm template gets the edits that touch only its literal lines
// (templateFixes); another file with template actions, or without that
// document, gets the description only.
func renderedFixes(src *Source, t Target, f func(*Source, *yaml.Node, Target) []Fix) []Fix {
	const why = "the field comes from a Helm template, Kustomize build or values file: edit its source"
	if src != nil && t.Template != nil && strings.Contains(string(src.Text), "{{") {
		return templateFixes(src, t, f)
	}
	if src == nil || t.Kind == "" || strings.Contains(string(src.Text), "{{") {
		return describeOnly(f(nil, nil, t), why)
	}
	obj := src.byIdentity(t.Kind, t.Name)
	if obj == nil {
		return describeOnly(f(nil, nil, t), why)
	}
	fs := environmentRule(f(src, obj, t), t.Hint)
	for i := range fs {
		if fs[i].Default {
			fs[i].Default = false
			fs[i].NotDefault = "the object is built from this file by Kustomize or Flux; check that no patch sets this field before applying"
		}
	}
	return fs
}

// describeOnly drops the edits of fixes that could not be placed.
func describeOnly(fs []Fix, why string) []Fix {
	for i := range fs {
		fs[i].Edits = nil
		if fs[i].Default {
			fs[i].Default, fs[i].NotDefault = false, why
		}
	}
	return fs
}

// EnvironmentRule is the rule ForFile applies across environments, for
// fixes computed before the environments that have the finding were known
// (h.Environments, h.FileEnvironments): it leaves fixes that are not default
// as they are.
func EnvironmentRule(fs []Fix, h Hint) []Fix { return environmentRule(fs, h) }

// environmentRule keeps a fix default only when every environment whose
// input holds the file has the finding: a base's monitor that is STRICT in
// prod and PERMISSIVE in dev must not be changed for both.
func environmentRule(fs []Fix, h Hint) []Fix {
	if len(h.Environments) == 0 {
		return fs
	}
	have := map[string]bool{}
	for _, e := range h.Environments {
		have[e] = true
	}
	var without []string
	for _, e := range h.FileEnvironments {
		if !have[e] {
			without = append(without, e)
		}
	}
	if len(without) == 0 {
		return fs
	}
	for i := range fs {
		if fs[i].Default {
			fs[i].Default = false
			fs[i].NotDefault = fmt.Sprintf("the file is shared by environments %s and %s, but only %s has this finding; the change may be wrong in %s",
				strings.Join(h.Environments, ", "), strings.Join(without, ", "), strings.Join(h.Environments, ", "), strings.Join(without, ", "))
		}
	}
	return fs
}

// one is a single fix: default when its edits could be computed, else the
// description alone with why.
func one(desc string, edits []Edit, err error) []Fix {
	if err != nil {
		why := "no safe text edit: " + err.Error()
		if errors.Is(err, errNoEdit) {
			why = "the field is written in a way meshlint does not edit (" + strings.TrimSuffix(err.Error(), ": "+errNoEdit.Error()) + "); edit it by hand"
		}
		return []Fix{{Description: desc, NotDefault: why}}
	}
	edits, err = combine(edits)
	if err != nil {
		return one(desc, nil, err)
	}
	return []Fix{{Description: desc, Default: true, Edits: edits}}
}

// combine joins the edits of one fix that change the same place: blocks
// inserted at one point, or given as the value of one empty key, go one
// after the other. Any other overlap (two inline insertions into one {},
// crossing ranges) cannot be written safely.
func combine(edits []Edit) ([]Edit, error) {
	es := append([]Edit(nil), edits...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Start.Offset < es[j].Start.Offset })
	var out []Edit
	for _, e := range es {
		if n := len(out); n > 0 && e.File == out[n-1].File {
			last := &out[n-1]
			switch {
			case e == *last:
				continue
			case e.Start == last.Start && e.End == last.End && blockText(last.New) && blockText(e.New):
				last.New += e.New
				continue
			case e.Start.Offset < last.End.Offset || e.Start.Offset == last.Start.Offset:
				return nil, fmt.Errorf("two changes at line %d: %w", e.Start.Line, errNoEdit)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// blockText is text of whole lines: starting or ending a line.
func blockText(s string) bool {
	return strings.HasSuffix(s, "\n") || strings.HasPrefix(s, "\n") || strings.HasPrefix(s, "\r\n")
}

// parent is the pointer without its last token, and that token.
func parent(p string) (string, string) {
	i := strings.LastIndex(p, "/")
	if i < 0 {
		return "", p
	}
	tok := strings.ReplaceAll(strings.ReplaceAll(p[i+1:], "~1", "/"), "~0", "~")
	return p[:i], tok
}

// holder is the mapping a field belongs in: the rules point at the field
// when it is written, else at the mapping it would go in.
func holder(pointer, key string) string {
	if p, last := parent(pointer); last == key {
		return p
	}
	return pointer
}

// setOrInsert sets key of the mapping at mapPointer to value, adding the
// key when it is missing.
func setOrInsert(src *Source, obj *yaml.Node, mapPointer, key, value string) ([]Edit, error) {
	if src == nil {
		return nil, errNoEdit
	}
	m, err := lookup(obj, mapPointer)
	if err == nil && m.Kind != yaml.MappingNode && !emptyValue(m) {
		return nil, fmt.Errorf("%s is not a mapping: %w", mapPointer, errNoEdit)
	}
	if err == nil && m.Kind == yaml.MappingNode {
		if k := keyNode(m, key); k >= 0 {
			e, err := src.setScalar(m.Content[k+1], value, flowStyle(m))
			return []Edit{e}, err
		}
	}
	e, err := src.ensure(obj, splitPointer(mapPointer), []string{key + ": " + value})
	return []Edit{e}, err
}

func httpsFix(src *Source, obj *yaml.Node, t Target) []Fix {
	const desc = "set scheme: https, so the Istio TLS settings are used"
	ep := holder(t.Pointer, "scheme")
	if without := classOnly(obj, ep, t.Hint.Prometheuses); len(without) > 0 {
		// The TLS comes from a scrape class; a Prometheus without one
		// would then scrape https with no Istio certs.
		return []Fix{{Description: desc, NotDefault: fmt.Sprintf("the Istio TLS comes from a scrape class, and Prometheus %s, which also selects this monitor, has none; give the endpoint its own tlsConfig or use one Prometheus", strings.Join(without, ", "))}}
	}
	edits, err := setOrInsert(src, obj, ep, "scheme", "https")
	return one(desc, edits, err)
}

// classOnly names the selecting Prometheus servers without an Istio scrape
// class, when the endpoint has no tlsConfig of its own; nil otherwise.
func classOnly(obj *yaml.Node, ep string, proms []Prom) []string {
	if obj == nil || len(proms) < 2 {
		return nil
	}
	if m, err := lookup(obj, ep); err != nil || m.Kind != yaml.MappingNode || keyNode(m, "tlsConfig") >= 0 {
		return nil
	}
	var without []string
	for _, p := range proms {
		if p.IstioClass == "" {
			without = append(without, p.Name)
		}
	}
	sort.Strings(without)
	return without
}

func skipVerifyFix(src *Source, obj *yaml.Node, t Target) []Fix {
	edits, err := setOrInsert(src, obj, holder(t.Pointer, "insecureSkipVerify"), "insecureSkipVerify", "true")
	return one("set insecureSkipVerify: true in the endpoint's tlsConfig (Istio certificates carry a SPIFFE identity, not the pod address)", edits, err)
}

// istioTLS is the endpoint tlsConfig of Istio's recipe for certs mounted at
// dir (https://istio.io/latest/docs/ops/integrations/prometheus/#tls-settings).
func istioTLS(dir string) []string {
	dir = strings.TrimSuffix(dir, "/")
	return []string{
		"tlsConfig:",
		"  caFile: " + dir + "/root-cert.pem",
		"  certFile: " + dir + "/cert-chain.pem",
		"  keyFile: " + dir + "/key.pem",
		"  insecureSkipVerify: true",
	}
}

func plaintextFix(src *Source, obj *yaml.Node, t Target) []Fix {
	ep := holder(t.Pointer, "scheme")
	proms := t.Hint.Prometheuses
	if len(proms) == 0 {
		return []Fix{{Description: "scrape over https with Istio's certs (scheme: https and a tlsConfig with caFile, certFile, keyFile under the directory where Prometheus mounts them, and insecureSkipVerify: true)",
			NotDefault: "no Prometheus in the input selects this monitor, so the cert directory is not known"}}
	}
	dirs, classes, denied := map[string]bool{}, map[string]bool{}, []string{}
	var missing []string
	for _, p := range proms {
		switch {
		case p.FileTLSDenied:
			denied = append(denied, p.Name)
			classes[p.IstioClass] = true
		case p.CertDir == "":
			missing = append(missing, p.Name)
		default:
			dirs[p.CertDir] = true
		}
	}
	if len(denied) > 0 {
		return deniedFileTLS(src, obj, t, denied, classes, len(denied) == len(proms))
	}
	if len(missing) > 0 || len(dirs) != 1 {
		why := fmt.Sprintf("Prometheus %s exports no Istio certs to its prometheus container; fix its istio-certs-not-exported finding first", strings.Join(missing, ", "))
		if len(missing) == 0 {
			why = "the Prometheus servers selecting this monitor mount the Istio certs at different paths: " + strings.Join(sortedKeys(dirs), ", ")
		}
		return []Fix{{Description: "scrape over https with Istio's certs from the directory where the selecting Prometheus mounts them, and insecureSkipVerify: true", NotDefault: why}}
	}
	dir := sortedKeys(dirs)[0]
	desc := fmt.Sprintf("scrape over https with the Istio certs Prometheus %s mounts at %s (scheme: https, tlsConfig, insecureSkipVerify: true)", promNames(proms), dir)
	edits, err := tlsEdits(src, obj, ep, istioTLS(dir))
	return one(desc, edits, err)
}

// tlsEdits sets scheme: https on the endpoint and adds the lines (a
// tlsConfig) when the endpoint has none: an existing tlsConfig is the
// user's and is not rewritten.
func tlsEdits(src *Source, obj *yaml.Node, ep string, lines []string) ([]Edit, error) {
	if src == nil {
		return nil, errNoEdit
	}
	m, err := lookup(obj, ep)
	if err != nil {
		return nil, err
	}
	if m.Kind != yaml.MappingNode {
		return nil, errNoEdit
	}
	if len(lines) > 0 && keyNode(m, "tlsConfig") >= 0 {
		return nil, fmt.Errorf("the endpoint already has a tlsConfig: %w", errNoEdit)
	}
	var edits []Edit
	if k := keyNode(m, "scheme"); k >= 0 {
		e, err := src.setScalar(m.Content[k+1], "https", flowStyle(m))
		if err != nil {
			return nil, err
		}
		edits = append(edits, e)
	} else {
		lines = append([]string{"scheme: https"}, lines...)
	}
	if len(lines) > 0 {
		e, err := src.insertInto(m, indentUnit(obj), lines)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e)
	}
	return edits, nil
}

// deniedFileTLS: a Prometheus with arbitraryFSAccessThroughSMs.deny rejects
// a monitor naming cert files; an Istio scrape class carries them instead.
func deniedFileTLS(src *Source, obj *yaml.Node, t Target, denied []string, classes map[string]bool, all bool) []Fix {
	ep := holder(t.Pointer, "scheme")
	if all && len(classes) == 1 && !classes[""] {
		class := sortedKeys(classes)[0]
		desc := fmt.Sprintf("use the Istio scrape class %q of Prometheus %s (spec.scrapeClass) and scheme: https; it denies cert files in monitors (arbitraryFSAccessThroughSMs)", class, strings.Join(denied, ", "))
		edits, err := tlsEdits(src, obj, ep, nil)
		if err == nil {
			var e Edit
			e, err = classEdit(src, obj, class)
			edits = append(edits, e)
		}
		return one(desc, edits, err)
	}
	why := fmt.Sprintf("Prometheus %s denies cert files in monitors (arbitraryFSAccessThroughSMs) and has no Istio scrape class to use", strings.Join(denied, ", "))
	return []Fix{
		{Description: "add a scrape class with Istio's tlsConfig to the Prometheus and name it in this monitor's spec.scrapeClass, with scheme: https", NotDefault: why},
		{Description: "allow file TLS in the Prometheus (arbitraryFSAccessThroughSMs.deny: false) and give this endpoint Istio's tlsConfig with scheme: https", NotDefault: why},
		{Description: "add a PERMISSIVE portLevelMtls exception for the metrics port, so Prometheus scrapes it over plaintext", NotDefault: why},
	}
}

func classEdit(src *Source, obj *yaml.Node, class string) (Edit, error) {
	spec, err := lookup(obj, "/spec")
	if err != nil {
		return Edit{}, err
	}
	if k := keyNode(spec, "scrapeClass"); k >= 0 {
		return src.setScalar(spec.Content[k+1], class, flowStyle(spec))
	}
	return src.ensure(obj, []string{"spec"}, []string{"scrapeClass: " + class})
}

func containerPortFix(src *Source, obj *yaml.Node, t Target) []Fix {
	ports := uniqueInts(t.Hint.ContainerPorts)
	if len(ports) == 0 {
		return nil
	}
	if len(ports) > 1 {
		var fs []Fix
		for _, p := range ports {
			fs = append(fs, Fix{Description: fmt.Sprintf("key the portLevelMtls entry on container port %d", p),
				NotDefault: "the Service port resolves to several container ports; pick the one that serves metrics"})
		}
		return fs
	}
	desc := fmt.Sprintf("key the portLevelMtls entry on container port %d, which Istio matches", ports[0])
	if src == nil {
		return one(desc, nil, errNoEdit)
	}
	pl, tok := parent(t.Pointer)
	m, err := lookup(obj, pl)
	if err != nil || m.Kind != yaml.MappingNode {
		return one(desc, nil, errNoEdit)
	}
	if keyNode(m, strconv.Itoa(ports[0])) >= 0 {
		return []Fix{{Description: desc + " (remove this entry: one for that port exists)", NotDefault: "an entry for the container port exists already; decide which mode is meant"}}
	}
	k := keyNode(m, tok)
	if k < 0 {
		return one(desc, nil, errNoEdit)
	}
	text := strconv.Itoa(ports[0])
	if m.Content[k].Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		q := "\""
		if m.Content[k].Style&yaml.SingleQuotedStyle != 0 {
			q = "'"
		}
		text = q + text + q
	}
	e, err := src.setScalar(m.Content[k], text, flowStyle(m))
	return one(desc, []Edit{e}, err)
}

func memoryFix(src *Source, obj *yaml.Node, t Target) []Fix {
	dir := holder(t.Pointer, "medium")
	if _, last := parent(dir); last != "emptyDir" {
		return []Fix{{Description: "keep the Istio certs in an emptyDir volume with medium: Memory", NotDefault: "the volume is not an emptyDir; replacing its source is a choice"}}
	}
	edits, err := setOrInsert(src, obj, dir, "medium", "Memory")
	if err != nil && src != nil {
		if v, lerr := lookup(obj, dir); lerr == nil && emptyValue(v) {
			vol, _ := parent(dir)
			var e Edit
			if e, err = src.ensure(obj, append(splitPointer(vol), "emptyDir"), []string{"medium: Memory"}); err == nil {
				edits = []Edit{e}
			}
		}
	}
	return one("set medium: Memory on the cert volume's emptyDir, so the workload key stays in memory", edits, err)
}

func moveAnnotationFix(src *Source, obj *yaml.Node, t Target) []Fix {
	toks := splitPointer(t.Pointer)
	if len(toks) != 3 || toks[0] != "metadata" {
		return nil
	}
	field, key := toks[1], toks[2]
	dest := t.Hint.PodMetadataPointer
	desc := fmt.Sprintf("move %s %s to %s/%s", field, key, strings.TrimPrefix(strings.ReplaceAll(dest, "/", "."), "."), field)
	if src == nil || dest == "" {
		return one(desc, nil, errNoEdit)
	}
	edits, err := moveKey(src, obj, field, key, append(splitPointer(dest), field))
	return one(desc, edits, err)
}

// moveKey moves metadata.<field>.<key>, its text copied line for line, to
// the mapping at dest (created when missing).
func moveKey(src *Source, obj *yaml.Node, field, key string, dest []string) ([]Edit, error) {
	meta := child(obj, "metadata")
	if meta == nil || meta.Kind != yaml.MappingNode {
		return nil, errNoEdit
	}
	fi := keyNode(meta, field)
	if fi < 0 {
		return nil, errNoEdit
	}
	m := meta.Content[fi+1]
	ki := keyNode(m, key)
	if ki < 0 || m.Kind != yaml.MappingNode || flowStyle(m) {
		return nil, fmt.Errorf("%s is written inline: %w", field, errNoEdit)
	}
	if d, err := lookup(obj, "/"+strings.Join(dest, "/")); err == nil && d.Kind == yaml.MappingNode && keyNode(d, key) >= 0 {
		return nil, fmt.Errorf("the pod metadata already has %s: %w", key, errNoEdit)
	}
	first, last := src.keyLines(m, ki)
	base := m.Content[ki].Column - 1
	var lines []string
	for l := first; l <= last; l++ {
		text := src.lineText(l)
		if indentOf(text) < base && !blank(text) {
			return nil, errNoEdit
		}
		if len(text) >= base {
			text = text[base:]
		}
		lines = append(lines, rawLine+text)
	}
	del, err := src.deleteKey([]*yaml.Node{meta, m}, []int{fi, ki})
	if err != nil {
		return nil, err
	}
	ins, err := src.ensure(obj, dest, lines)
	if err != nil {
		return nil, err
	}
	return []Edit{del, ins}, nil
}

func outboundFix(src *Source, obj *yaml.Node, t Target) []Fix {
	const key = "traffic.sidecar.istio.io/includeOutboundIPRanges"
	desc := "set the pod annotation " + key + ": \"\", so the sidecar does not capture Prometheus's scrapes"
	if src == nil {
		return one(desc, nil, errNoEdit)
	}
	ann := podAnnotationsPointer(obj, t.Pointer)
	edits, err := setOrInsert(src, obj, ann, key, `""`)
	return one(desc, edits, err)
}

// podAnnotationsPointer is the pointer of the pod annotations mapping a
// Prometheus finding points at or into.
func podAnnotationsPointer(obj *yaml.Node, p string) string {
	const ann = "/annotations"
	if i := strings.Index(p, ann); i >= 0 {
		return p[:i+len(ann)]
	}
	return "/spec/podMetadata/annotations"
}

// promNames lists the Prometheus servers of a hint.
func promNames(ps []Prom) string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func uniqueInts(in []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Ints(out)
	return out
}

// cleanDir is a directory path as mount paths compare.
func cleanDir(d string) string { return path.Clean(d) }
