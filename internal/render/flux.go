package render

import (
	"encoding/base64"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// A Flux HelmRelease whose chart is a path in a GitRepository (or Bucket)
// is rendered when that path is a chart directory relative to an input path,
// the working directory or the Git work tree holding the HelmRelease: the
// GitRepository is taken to be the repository being linted. Its values are
// spec.values over the valuesFrom ConfigMaps and Secrets found in the input,
// and its spec.postRenderers Kustomize patches are applied, as Flux does.
// Whatever cannot be resolved offline (a chart from a Helm or OCI
// repository, values from an object not in the input) is a render-skipped
// note, never a guess.

// releasePlan is a HelmRelease that can be rendered.
type releasePlan struct {
	doc      *loader.Document
	job      chartJob
	post     []*patchSource // spec.postRenderers patches, in order
	postSpec []map[string]any
	label    string // namespace/name
}

const fluxGroup = "helm.toolkit.fluxcd.io/"

// planReleases finds the HelmReleases among docs and works out how to
// render each; the chart directories they render are added to claimed, so
// they are not also rendered on their own with the chart's default values.
func (x *expander) planReleases(docs []*loader.Document, claimed map[string]bool) ([]*releasePlan, []finding.Problem) {
	var plans []*releasePlan
	var findings []finding.Problem
	var objects *objectIndex
	for _, d := range docs {
		if d.Kind != "HelmRelease" || !strings.HasPrefix(d.APIVersion, fluxGroup) {
			continue
		}
		if objects == nil {
			objects = x.indexObjects()
		}
		p, fs := x.planSafely(d, objects, claimed)
		findings = append(findings, fs...)
		if p != nil {
			plans = append(plans, p)
		}
	}
	return plans, findings
}

// objectIndex finds ConfigMaps and Secrets by namespace and name.
type objectIndex struct {
	byKey map[string]*loader.Document
}

// indexObjects indexes the ConfigMaps and Secrets of the input. It is built
// from all documents seen so far, which the expander keeps in x.known.
func (x *expander) indexObjects() *objectIndex {
	idx := &objectIndex{byKey: map[string]*loader.Document{}}
	for _, d := range x.known {
		if d.Kind != "ConfigMap" && d.Kind != "Secret" {
			continue
		}
		ns := d.Namespace
		if ns == "" {
			ns = x.opts.DefaultNamespace
		}
		key := d.Kind + "/" + ns + "/" + d.Name
		if _, dup := idx.byKey[key]; !dup {
			idx.byKey[key] = d
		}
	}
	return idx
}

func (idx *objectIndex) get(kind, ns, name string) *loader.Document {
	return idx.byKey[kind+"/"+ns+"/"+name]
}

// note is a render-skipped finding on a HelmRelease field.
func (x *expander) note(d *loader.Document, pointer, msg string) finding.Problem {
	file, r := d.Locate(pointer)
	return finding.Problem{Kind: finding.RenderSkipped, File: file, Line: r.Line, Column: r.Column, EndLine: r.EndLine, EndColumn: r.EndColumn,
		Path: pointer, Message: msg, Resource: resourceOf(d, x.opts.DefaultNamespace)}
}

func resourceOf(d *loader.Document, defaultNS string) *finding.Resource {
	ns := d.Namespace
	if ns == "" {
		ns = defaultNS
	}
	return &finding.Resource{APIVersion: d.APIVersion, Kind: d.Kind, Namespace: ns, Name: d.Name}
}

func (x *expander) planSafely(d *loader.Document, objects *objectIndex, claimed map[string]bool) (p *releasePlan, fs []finding.Problem) {
	defer func() {
		if r := recover(); r != nil {
			p, fs = nil, []finding.Problem{x.errorAt(d.File, 1, 1, fmt.Sprintf("internal error while reading HelmRelease %s (please report it): %v", d.Name, r))}
		}
	}()
	return x.planRelease(d, objects, claimed)
}

func (x *expander) planRelease(d *loader.Document, objects *objectIndex, claimed map[string]bool) (*releasePlan, []finding.Problem) {
	obj, ok := d.Decode()
	if !ok {
		return nil, nil
	}
	ns := d.Namespace
	if ns == "" {
		ns = x.opts.DefaultNamespace
	}
	label := ns + "/" + d.Name
	var notes []finding.Problem
	skip := func(pointer, why string) (*releasePlan, []finding.Problem) {
		return nil, append(notes, x.note(d, pointer, fmt.Sprintf("HelmRelease %s is not rendered: %s; its chart's resources are not linted", label, why)))
	}
	refuse := func(pointer, why string) (*releasePlan, []finding.Problem) {
		f := x.note(d, pointer, fmt.Sprintf("HelmRelease %s is not rendered: %s; its chart's resources are not linted", label, why))
		f.Kind = finding.RenderFailed
		return nil, append(notes, f)
	}
	if ref, ok := dig(obj, "spec", "chartRef").(map[string]any); ok {
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		return skip("/spec/chartRef", fmt.Sprintf("its chart comes from %s %s, which meshlint does not fetch (it works offline)", kind, name))
	}
	spec, _ := dig(obj, "spec", "chart", "spec").(map[string]any)
	chartPath, _ := spec["chart"].(string)
	src, _ := spec["sourceRef"].(map[string]any)
	srcKind, _ := src["kind"].(string)
	srcName, _ := src["name"].(string)
	srcNS, _ := src["namespace"].(string)
	if srcNS == "" {
		srcNS = ns
	}
	if chartPath == "" || src == nil {
		// Not a valid HelmRelease (Flux's schema requires both): nothing
		// to resolve, and nothing to say beyond what Flux says.
		return nil, nil
	}
	if srcKind != "GitRepository" {
		return skip("/spec/chart/spec/sourceRef", fmt.Sprintf("chart %s comes from %s %s/%s, which meshlint does not fetch (it works offline); vendor the chart and lint its directory, or point a GitRepository at a chart path in this repository", chartPath, srcKind, srcNS, srcName))
	}
	if leavesSource(chartPath) {
		return refuse("/spec/chart/spec/chart", fmt.Sprintf("chart path %s leaves the root of %s %s/%s; Flux resolves every chart path inside its source, so write it relative to the repository root", chartPath, srcKind, srcNS, srcName))
	}
	base, why := x.sourceRoot(d, srcNS, srcName)
	if base == "" {
		return skip("/spec/chart/spec/sourceRef", why)
	}
	dir := filepath.Join(base, filepath.FromSlash(chartPath))
	if !isFile(filepath.Join(dir, "Chart.yaml")) {
		return skip("/spec/chart/spec/chart", fmt.Sprintf("chart path %s of %s %s/%s is not a chart directory in %s", chartPath, srcKind, srcNS, srcName, x.display(base)))
	}
	if _, err := x.opts.Root.Resolve(dir); err != nil {
		return refuse("/spec/chart/spec/chart", fmt.Sprintf("chart path %s: %v", chartPath, err))
	}
	claimed[dir] = true

	job := chartJob{dir: dir, namespace: ns}
	if t, _ := dig(obj, "spec", "targetNamespace").(string); t != "" {
		job.namespace = t
	}
	job.release, _ = dig(obj, "spec", "releaseName").(string)
	if job.release == "" {
		job.release = d.Name
		if t, _ := dig(obj, "spec", "targetNamespace").(string); t != "" {
			job.release = t + "-" + d.Name
		}
	}
	for i, f := range list(spec["valuesFiles"]) {
		s, _ := f.(string)
		pointer := "/spec/chart/spec/valuesFiles/" + strconv.Itoa(i)
		if leavesSource(s) {
			return refuse(pointer, fmt.Sprintf("values file %s leaves the root of %s %s/%s; Flux resolves valuesFiles inside the source, so write it relative to the repository root", s, srcKind, srcNS, srcName))
		}
		p := x.resolveInSource(dir, chartPath, s)
		if p == "" {
			return skip(pointer, fmt.Sprintf("values file %s is not in the chart's source", s))
		}
		if _, err := x.opts.Root.Resolve(p); err != nil {
			return refuse(pointer, fmt.Sprintf("values file %s: %v", s, err))
		}
		job.valuesFiles = append(job.valuesFiles, p)
	}

	vals, valueNotes, stop := x.releaseValues(d, obj, objects, ns, label)
	notes = append(notes, valueNotes...)
	if stop != nil {
		return skip(stop.pointer, stop.why)
	}
	job.values = vals

	p := &releasePlan{doc: d, job: job, label: label}
	x.addPostRenderers(p, obj)
	return p, notes
}

// addPostRenderers reads the Kustomize post-renderers of a HelmRelease
// into its plan: their specs, to apply, and their patches, to locate the
// fields they write.
func (x *expander) addPostRenderers(p *releasePlan, obj map[string]any) {
	d := p.doc
	c := container{x: x, locate: d.Locate}
	for i, pr := range list(dig(obj, "spec", "postRenderers")) {
		k, ok := dig(pr, "kustomize").(map[string]any)
		if !ok {
			continue
		}
		base := "/spec/postRenderers/" + strconv.Itoa(i) + "/kustomize"
		p.postSpec = append(p.postSpec, k)
		var mine []*patchSource
		for j, e := range list(k["patches"]) {
			m, _ := e.(map[string]any)
			if s, ok := m["patch"].(string); ok {
				mine = append(mine, newPatch(selectorFrom(m["target"]), c.inline(base+"/patches/"+strconv.Itoa(j)+"/patch", s)))
			}
		}
		for j, e := range list(k["patchesStrategicMerge"]) {
			mine = append(mine, newPatch(nil, []patchDoc{c.field(base+"/patchesStrategicMerge/"+strconv.Itoa(j), e)}))
		}
		for j, e := range list(k["patchesJson6902"]) {
			m, _ := e.(map[string]any)
			mine = append(mine, newPatch(selectorFrom(m["target"]), []patchDoc{c.field(base+"/patchesJson6902/"+strconv.Itoa(j)+"/patch", m["patch"])}))
		}
		for j := len(mine) - 1; j >= 0; j-- { // later patches win
			p.post = append([]*patchSource{mine[j]}, p.post...)
		}
	}
}

// unresolved is why a HelmRelease cannot be rendered, at a field.
type unresolved struct{ pointer, why string }

// releaseValues merges a HelmRelease's values as helm-controller does: the
// valuesFrom ConfigMaps and Secrets found in the input, in order, then
// spec.values. A missing optional source is a note; a missing required
// one, or a value that does not parse, stops the rendering.
func (x *expander) releaseValues(d *loader.Document, obj map[string]any, objects *objectIndex, ns, label string) (map[string]any, []finding.Problem, *unresolved) {
	var notes []finding.Problem
	vals := map[string]any{}
	inline, _ := dig(obj, "spec", "values").(map[string]any)
	for i, e := range list(dig(obj, "spec", "valuesFrom")) {
		ref, _ := e.(map[string]any)
		pointer := "/spec/valuesFrom/" + strconv.Itoa(i)
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		key, _ := ref["valuesKey"].(string)
		if key == "" {
			key = "values.yaml"
		}
		target, _ := ref["targetPath"].(string)
		optional, _ := ref["optional"].(bool)
		raw, found := x.valuesFrom(objects, kind, ns, name, key)
		if !found {
			what := fmt.Sprintf("%s %s/%s (key %s)", kind, ns, name, key)
			if optional {
				notes = append(notes, x.note(d, pointer, fmt.Sprintf("HelmRelease %s is rendered without its optional values from %s, which is not in the input", label, what)))
				continue
			}
			return nil, notes, &unresolved{pointer, fmt.Sprintf("%s, which it takes values from, is not in the input (meshlint reads only ConfigMaps and Secrets in the input)", what)}
		}
		if target != "" {
			// As helm-controller: spec.values first, so that the value
			// set at targetPath overrides them.
			vals = mergeMaps(vals, copyMap(inline))
			literal, _ := ref["literal"].(bool)
			if err := replacePathValue(vals, target, raw, literal); err != nil {
				// The parser's error quotes the value, which may be a secret.
				return nil, notes, &unresolved{pointer, fmt.Sprintf("the value of %s %s/%s (key %s) cannot be set at targetPath %s: Flux parses it as helm --set does, and it is not valid there (set literal: true to take it verbatim)", kind, ns, name, key, target)}
			}
			continue
		}
		v, err := chartutil.ReadValues([]byte(raw))
		if err != nil {
			why := fmt.Sprintf("the values in %s %s/%s (key %s) are not valid YAML", kind, ns, name, key)
			if kind != "Secret" { // YAML errors quote the text, and a Secret's is secret
				why += ": " + err.Error()
			}
			return nil, notes, &unresolved{pointer, why}
		}
		vals = mergeMaps(vals, v)
	}
	if inline != nil {
		vals = mergeMaps(vals, inline)
	}
	return vals, notes, nil
}

// replacePathValue sets a valuesFrom value at its targetPath the way
// helm-controller does (fluxcd/pkg chartutil ReplacePathValue and
// ReplacePathLiteralValue): parsed as helm --set parses it, a quoted value
// as a string, or with literal: true taken verbatim, whatever commas,
// brackets or braces it holds.
func replacePathValue(vals map[string]any, path, value string, literal bool) error {
	if literal {
		escaper := strings.NewReplacer(`\`, `\\`, `,`, `\,`, `[`, `\[`, `]`, `\]`, `{`, `\{`, `}`, `\}`)
		return strvals.ParseIntoString(path+"="+escaper.Replace(value), vals)
	}
	single := strings.HasPrefix(value, "'") && strings.HasSuffix(value, "'")
	double := strings.HasPrefix(value, `"`) && strings.HasSuffix(value, `"`)
	if single || double {
		return strvals.ParseIntoString(path+"="+strings.Trim(value, `'"`), vals)
	}
	return strvals.ParseInto(path+"="+value, vals)
}

// leavesSource reports whether a path in a source climbs out of its root.
func leavesSource(p string) bool {
	c := path.Clean(strings.TrimLeft(filepath.ToSlash(p), "/"))
	return c == ".." || strings.HasPrefix(c, "../")
}

// valuesFrom reads a values key of a ConfigMap or Secret in the input.
func (x *expander) valuesFrom(objects *objectIndex, kind, ns, name, key string) (string, bool) {
	d := objects.get(kind, ns, name)
	if d == nil {
		return "", false
	}
	obj, ok := d.Decode()
	if !ok {
		return "", false
	}
	if s, ok := dig(obj, "data", key).(string); ok && kind == "ConfigMap" {
		return s, true
	}
	if kind == "Secret" {
		if s, ok := dig(obj, "stringData", key).(string); ok {
			return s, true
		}
		if s, ok := dig(obj, "data", key).(string); ok {
			if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s)); err == nil {
				return string(b), true
			}
		}
	}
	return "", false
}

// resolveInSource resolves a valuesFiles entry: a path in the source, like
// the chart path (so relative to the source root the chart path was
// resolved against).
func (x *expander) resolveInSource(chartDir, chartPath, file string) string {
	root := chartDir
	for _, tok := range strings.Split(filepath.ToSlash(filepath.Clean(chartPath)), "/") {
		if tok != "." && tok != "" {
			root = filepath.Dir(root)
		}
	}
	p := filepath.Join(root, filepath.FromSlash(file))
	if isFile(p) {
		return p
	}
	return ""
}

// releaseBatch renders a HelmRelease's chart with its values and applies
// its post-renderers.
func (x *expander) releaseBatch(p *releasePlan) batch {
	co := x.renderChart(p.job)
	origin := fmt.Sprintf("rendered from Helm chart %s for HelmRelease %s", x.display(p.job.dir), p.label)
	b := batch{findings: co.findings}
	var docs []*loader.Document
	for _, o := range co.outputs {
		ds, problems := loader.ParseRendered(x.templateRendered(o, origin, p.job.namespace), x.opts.Limits, x.opts.Kinds)
		docs = append(docs, ds...)
		b.problems = append(b.problems, problems...)
	}
	if len(p.postSpec) == 0 || len(docs) == 0 {
		b.docs = docs
		return b
	}
	post, err := x.postRender(p, docs, origin+", with its postRenderers")
	if err != nil {
		file, r := p.doc.Locate("/spec/postRenderers")
		b.findings = append(b.findings, finding.Problem{Kind: finding.RenderFailed, File: file, Line: r.Line, Column: r.Column,
			EndLine: r.EndLine, EndColumn: r.EndColumn, Path: "/spec/postRenderers", Resource: resourceOf(p.doc, x.opts.DefaultNamespace),
			Message: fmt.Sprintf("the postRenderers of HelmRelease %s do not apply: %s; the chart is linted without them", p.label, x.relative(oneLine(err.Error())))})
		b.docs = docs
		return b
	}
	b.docs = post
	return b
}

const sourceAnnotation = "meshlint.io/render-source"

// postRender applies the Kustomize post-renderers of a HelmRelease to its
// rendered documents, in memory, as Flux does. Each object is tagged with
// an annotation so that its output can be traced to its template, and a
// field written by a post-renderer patch is located in the HelmRelease.
func (x *expander) postRender(p *releasePlan, docs []*loader.Document, origin string) ([]*loader.Document, error) {
	stream, err := taggedStream(docs)
	if err != nil {
		return nil, err
	}
	fs := filesys.MakeFsInMemory()
	if err := fs.WriteFile("/resources.yaml", []byte(stream)); err != nil {
		return nil, err
	}
	var ks []string
	for _, k := range p.postSpec {
		y, err := postRendererKustomization(k)
		if err != nil {
			return nil, err
		}
		ks = append(ks, y)
	}
	// Each post-renderer applies to the previous one's output.
	var out []map[string]any
	for i, k := range ks {
		if err := fs.WriteFile("/kustomization.yaml", []byte(k)); err != nil {
			return nil, err
		}
		var y []byte
		err := runKustomize(fs, "/", func(m resmap.ResMap) error {
			if i+1 < len(ks) { // the text is the next post-renderer's input
				var err error
				if y, err = m.AsYaml(); err != nil {
					return err
				}
			}
			out = nil
			for _, r := range m.Resources() {
				obj, err := r.Map()
				if err != nil {
					return err
				}
				out = append(out, obj)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if i+1 == len(ks) {
			break
		}
		if err := fs.WriteFile("/resources.yaml", y); err != nil {
			return nil, err
		}
	}
	var result []*loader.Document
	for _, obj := range out {
		var orig *loader.Document
		if meta, ok := obj["metadata"].(map[string]any); ok {
			if anns, ok := meta["annotations"].(map[string]any); ok {
				if s, ok := anns[sourceAnnotation].(string); ok {
					if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(docs) {
						orig = docs[i]
					}
				}
				delete(anns, sourceAnnotation)
				if len(anns) == 0 {
					delete(meta, "annotations")
				}
			}
		}
		y, err := sigsyaml.Marshal(obj)
		if err != nil {
			return nil, err
		}
		var mine []*patchSource
		for _, ps := range p.post {
			if ps.applies(obj) {
				mine = append(mine, ps)
			}
		}
		file, hr := p.doc.Locate("")
		if orig != nil {
			file = orig.File
		}
		ds, _ := loader.ParseRendered(loader.Rendered{File: file, Text: string(y), Origin: origin, Namespace: p.job.namespace,
			Line: func(int) int { return hr.Line },
			Locate: func(d *loader.Document, pointer string, _ loader.Range) (string, loader.Range) {
				if o, ok := d.Decode(); ok {
					for _, ps := range mine {
						if f, r, ok := ps.writes(o, pointer); ok {
							return f, r
						}
					}
				}
				if orig != nil {
					return orig.Locate(pointer)
				}
				return p.doc.Locate("/spec/postRenderers")
			}}, x.opts.Limits, x.opts.Kinds)
		result = append(result, ds...)
	}
	return result, nil
}

// taggedStream is docs as one YAML stream for kustomize, each object
// annotated with its index in docs (sourceAnnotation), so that the
// post-rendered objects can be traced back to their templates.
func taggedStream(docs []*loader.Document) (string, error) {
	var stream strings.Builder
	for i, d := range docs {
		obj, ok := d.Decode()
		if !ok {
			continue
		}
		obj = copyMap(obj)
		meta, _ := obj["metadata"].(map[string]any)
		if meta == nil {
			continue
		}
		anns, _ := meta["annotations"].(map[string]any)
		if anns == nil {
			anns = map[string]any{}
			meta["annotations"] = anns
		}
		anns[sourceAnnotation] = strconv.Itoa(i)
		y, err := sigsyaml.Marshal(obj)
		if err != nil {
			return "", err
		}
		stream.WriteString("---\n")
		stream.Write(y)
	}
	return stream.String(), nil
}

// postRendererKustomization is the kustomization.yaml of one Kustomize
// post-renderer of a HelmRelease, over resources.yaml.
func postRendererKustomization(k map[string]any) (string, error) {
	kz := map[string]any{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": []any{"resources.yaml"}}
	// Flux gives strategic-merge and JSON 6902 patches as objects;
	// kustomize reads them as patch text.
	patches := append([]any{}, list(k["patches"])...)
	for _, e := range list(k["patchesStrategicMerge"]) {
		j, err := sigsyaml.Marshal(e)
		if err != nil {
			return "", err
		}
		patches = append(patches, map[string]any{"patch": string(j)})
	}
	for _, e := range list(k["patchesJson6902"]) {
		j, err := sigsyaml.Marshal(dig(e, "patch"))
		if err != nil {
			return "", err
		}
		entry := map[string]any{"patch": string(j)}
		if t := dig(e, "target"); t != nil {
			entry["target"] = t
		}
		patches = append(patches, entry)
	}
	if len(patches) > 0 {
		kz["patches"] = patches
	}
	if v, ok := k["images"]; ok {
		kz["images"] = v
	}
	y, err := sigsyaml.Marshal(kz)
	if err != nil {
		return "", err
	}
	return string(y), nil
}

// gitRoot is the Git work tree holding a document's file, or "".
func (x *expander) gitRoot(d *loader.Document) string {
	file := d.File
	if !filepath.IsAbs(file) {
		file = filepath.Join(x.workDir, filepath.FromSlash(file))
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		if exists(filepath.Join(dir, ".git")) {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// maxGitFileBytes bounds the .git files read for remotes: a hostile
// checkout can make .git/config a FIFO, /dev/zero or a huge file.
const maxGitFileBytes = 1 << 20

// gitRemotes reads the remote URLs of a work tree from .git/config, their
// credentials removed. .git may lie outside the linted tree (a worktree's
// gitdir), so the reads are not confined to the Root, but they are bounded
// and of regular files only; all that is kept of them is the remote URLs.
func gitRemotes(root string) []string {
	files := confine.Unconfined()
	gitDir := filepath.Join(root, ".git")
	if data, err := files.ReadFile(gitDir, maxGitFileBytes, ""); err == nil { // a worktree or submodule: "gitdir: <path>"
		if rest, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:"); ok {
			gitDir = strings.TrimSpace(rest)
			if !filepath.IsAbs(gitDir) {
				gitDir = filepath.Join(root, gitDir)
			}
			if common, err := files.ReadFile(filepath.Join(gitDir, "commondir"), maxGitFileBytes, ""); err == nil {
				gitDir = filepath.Join(gitDir, strings.TrimSpace(string(common)))
			}
		}
	}
	data, err := files.ReadFile(filepath.Join(gitDir, "config"), maxGitFileBytes, "")
	if err != nil {
		return nil
	}
	var out []string
	inRemote := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			inRemote = strings.HasPrefix(line, "[remote ")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && inRemote && strings.TrimSpace(k) == "url" {
			out = append(out, withoutUserinfo(strings.TrimSpace(v)))
		}
	}
	return out
}

// withoutUserinfo drops the user and password of a URL
// (https://gitlab-ci-token:TOKEN@host/...), which a CI checkout's remote
// carries and no message may show. An scp-like address (git@host:path)
// keeps its user, which is no secret; anything else before an @ goes.
func withoutUserinfo(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		if at := strings.LastIndex(u, "@"); at >= 0 && strings.Contains(u[:at], ":") {
			return u[at+1:] // user:password@host:path
		}
		return u
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		rest = rest[at+1:]
	}
	return scheme + "://" + rest
}

// normalizeGitURL reduces the spellings of one repository's URL to
// host/path: https://github.com/a/b.git, git@github.com:a/b and
// ssh://git@GitHub.com:22/a/b/ are the same repository. The host is
// compared without case, user information and port; the path with its
// case, without a trailing .git or /. A URL of no host (a local path) is
// kept as written, without trailing slashes.
func normalizeGitURL(u string) string {
	u = strings.TrimSpace(u)
	var host, path string
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		host, path, _ = strings.Cut(rest, "/")
		if at := strings.LastIndex(host, "@"); at >= 0 {
			host = host[at+1:]
		}
		if h, port, ok := strings.Cut(host, ":"); ok && !strings.Contains(port, ":") {
			host = h
		}
	} else if colon := strings.Index(u, ":"); colon > 0 && (strings.Index(u, "/") < 0 || colon < strings.Index(u, "/")) {
		host, path = u[:colon], u[colon+1:] // scp-like [user@]host:path
		if at := strings.LastIndex(host, "@"); at >= 0 {
			host = host[at+1:]
		}
	} else {
		return strings.TrimRight(u, "/")
	}
	if q := strings.IndexAny(path, "?#"); q >= 0 {
		path = path[:q]
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	return strings.ToLower(host) + "/" + strings.TrimRight(path, "/")
}
