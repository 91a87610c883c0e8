package render

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/provider"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// A Flux Kustomization builds its spec.path the way kustomize-controller
// does (fluxcd/pkg kustomize/kustomize_generator.go, Generator.
// GenerateManifest): it takes the path's kustomization file, or makes one
// listing the path's manifests and the folders below it that hold a
// kustomization, and adds to it the Kustomization's targetNamespace
// (namespace), namePrefix, nameSuffix, patches, patchesStrategicMerge,
// patchesJson6902 and components, then builds it. kustomize-controller
// writes that file into its copy of the source; meshlint serves it from
// memory in place of the real one (confinedFS.virtual) and writes nothing.
// The rest of the build is every other Kustomize build's: confined to the
// repository, offline, guarded.

// FluxBuild is a Flux Kustomization whose spec changes the build of its path.
type FluxBuild struct {
	Name string         // namespace/name, for messages
	Path string         // display path of spec.path
	Spec map[string]any // the decoded spec
	// Locate places a JSON pointer of the Flux Kustomization document in
	// the file users edit.
	Locate   func(pointer string) (string, loader.Range)
	Resource *finding.Resource // the Flux Kustomization, for notes about it
}

// fluxAdditions are the fields a Flux Kustomization adds to the
// kustomization of its path, and the patches that locate what they write.
type fluxAdditions struct {
	patches    []map[string]any // kustomize patch entries: {patch, target}
	components []string
	fields     map[string]string // namespace, namePrefix, nameSuffix
	sources    []*patchSource    // outermost (last applied) first
	partial    bool              // a component was left out: objects may be missing
}

// BuildFlux builds the path of a Flux Kustomization as kustomize-controller
// does, and returns its objects, located in the files they come from (a
// field a Flux patch wrote in that patch), and the notes and errors of the
// build. An entry that names something meshlint does not read (a patch
// file, a remote, absolute or out-of-repository component) is left out
// with a render-skipped note at the entry.
func BuildFlux(ctx context.Context, b FluxBuild, opts Options) (docs []*loader.Document, findings []finding.Problem) {
	goOffline()
	x, err := newExpander(ctx, opts)
	if err != nil {
		return nil, []finding.Problem{b.finding(finding.RenderFailed, "/spec", err.Error())}
	}
	defer func() {
		if r := recover(); r != nil {
			docs, findings = nil, append(findings, b.finding(finding.RenderFailed, "/spec/path",
				fmt.Sprintf("internal error while building the path %s of Flux Kustomization %s (please report it): %v", b.Path, b.Name, r)))
		}
	}()
	dir := filepath.FromSlash(b.Path)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(x.workDir, dir)
	}
	real, err := x.opts.Root.Resolve(dir)
	if err != nil {
		return nil, []finding.Problem{b.finding(finding.RenderSkipped, "/spec/path", fmt.Sprintf("the path %s of Flux Kustomization %s is not read: %v", b.Path, b.Name, err))}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, []finding.Problem{b.finding(finding.RenderFailed, "/spec/path", err.Error())}
	}
	// Paths stay as the input names them (findings show them so); the
	// file served from memory is keyed by its real path.
	add := x.fluxAdditions(b, dir, &findings)
	kfile, data, generated := x.fluxKustomization(b, dir, &findings)
	if kfile == "" {
		return nil, findings
	}
	merged, err := mergeKustomization(data, add)
	if err != nil {
		return nil, append(findings, b.finding(finding.RenderFailed, "/spec/path",
			fmt.Sprintf("Flux Kustomization %s does not build %s: its kustomization file cannot be read: %v", b.Name, b.Path, err)))
	}
	realFile := filepath.Join(real, filepath.Base(kfile))
	fsys := &buildFS{confinedFS: confinedFS{root: x.opts.Root, max: x.opts.Limits.MaxFileBytes, virtual: map[string][]byte{realFile: merged}},
		x: x, rootFile: realFile, rootPath: kfile, noted: map[string]bool{}, kustomizations: map[string]string{}}
	var made builtResources
	if err := runKustomize(fsys, dir, made.take); err != nil {
		if fsys.refused != nil && strings.Contains(err.Error(), "unable to find one of") {
			err = fsys.refused
		}
		return nil, append(findings, b.finding(finding.RenderFailed, "/spec/path",
			fmt.Sprintf("Flux Kustomization %s does not build %s as kustomize-controller would, so Flux cannot apply it: %s", b.Name, b.Path, x.relative(oneLine(err.Error())))))
	}
	// The guard's notes on the path's own kustomization are the build of
	// that root's (reported where it is built); its own left-out entries
	// still make this build partial.
	incomplete := ""
	if add.partial || len(fsys.notes) > 0 {
		incomplete = IncompleteBuild
	}
	patches := add.sources
	if !generated {
		chain, _ := x.chainPatches(dir)
		patches = append(patches, chain...)
	}
	out := x.builtDocuments(dir, x.display(kfile), kustomizeOrigin+b.Path, made, patches, incomplete)
	return out.docs, findings
}

// newExpander is an expander for one build outside Expand, with Expand's
// defaults.
func newExpander(ctx context.Context, opts Options) (*expander, error) {
	if opts.Limits == (loader.Limits{}) {
		opts.Limits = loader.DefaultLimits
	}
	if opts.Root == nil {
		return nil, fmt.Errorf("no repository root to confine the build to")
	}
	wd := opts.WorkDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("get working directory: %w", err)
		}
	}
	return &expander{ctx: ctx, opts: opts, workDir: wd, texts: map[string]string{}}, nil
}

func (b FluxBuild) finding(kind finding.Kind, pointer, msg string) finding.Problem {
	file, r := b.Locate(pointer)
	return finding.Problem{Kind: kind, File: file, Line: r.Line, Column: r.Column, EndLine: r.EndLine, EndColumn: r.EndColumn,
		Path: pointer, Message: msg, Resource: b.Resource}
}

// fluxAdditions reads what the spec adds to the build, leaving out (with a
// note) what meshlint does not read.
func (x *expander) fluxAdditions(b FluxBuild, dir string, notes *[]finding.Problem) fluxAdditions {
	add := fluxAdditions{fields: map[string]string{}}
	for _, f := range [][2]string{{"targetNamespace", "namespace"}, {"namePrefix", "namePrefix"}, {"nameSuffix", "nameSuffix"}} {
		if s, ok := b.Spec[f[0]].(string); ok && s != "" {
			add.fields[f[1]] = s
		}
	}
	c := container{x: x, locate: b.Locate}
	var sources []*patchSource
	for i, e := range list(b.Spec["patches"]) {
		pointer := "/spec/patches/" + strconv.Itoa(i)
		m, _ := e.(map[string]any)
		if p, set := m["path"]; set {
			*notes = append(*notes, b.finding(finding.RenderSkipped, pointer+"/path", fmt.Sprintf(
				"patch path %v of Flux Kustomization %s is not read: Flux takes inline patches only (spec.patches[].patch), and meshlint reads no file a Flux Kustomization names; the rest of %s is linted", p, b.Name, b.Path)))
			continue
		}
		text, _ := m["patch"].(string)
		if strings.TrimSpace(text) == "" {
			*notes = append(*notes, b.finding(finding.RenderSkipped, pointer, fmt.Sprintf(
				"patch %d of Flux Kustomization %s has no patch text, so it is not applied; write the patch under patch:", i, b.Name)))
			continue
		}
		entry := map[string]any{"patch": text}
		if t := fluxTarget(m["target"]); t != nil {
			entry["target"] = t
		}
		add.patches = append(add.patches, entry)
		sources = append(sources, newPatch(selectorFrom(m["target"]), c.inline(pointer+"/patch", text)))
	}
	// The fields of Flux's v1beta2 API, read by kustomize-controller still.
	for i, e := range list(b.Spec["patchesStrategicMerge"]) {
		pointer := "/spec/patchesStrategicMerge/" + strconv.Itoa(i)
		if obj, ok := e.(map[string]any); ok {
			if text, err := json.Marshal(obj); err == nil {
				add.patches = append(add.patches, map[string]any{"patch": string(text)})
				sources = append(sources, newPatch(nil, []patchDoc{c.field(pointer, obj)}))
			}
		}
	}
	for i, e := range list(b.Spec["patchesJson6902"]) {
		pointer := "/spec/patchesJson6902/" + strconv.Itoa(i)
		m, _ := e.(map[string]any)
		ops, ok := m["patch"].([]any)
		if !ok {
			continue
		}
		if text, err := json.Marshal(ops); err == nil {
			entry := map[string]any{"patch": string(text)}
			if t := fluxTarget(m["target"]); t != nil {
				entry["target"] = t
			}
			add.patches = append(add.patches, entry)
			sources = append(sources, newPatch(selectorFrom(m["target"]), []patchDoc{c.field(pointer+"/patch", ops)}))
		}
	}
	for i := len(sources) - 1; i >= 0; i-- { // later patches win
		add.sources = append(add.sources, sources[i])
	}
	add.components = x.fluxComponents(b, dir, &add.partial, notes)
	return add
}

// fluxComponents are the components of the spec that are folders of the
// repository, relative to the path as kustomize-controller reads them.
func (x *expander) fluxComponents(b FluxBuild, dir string, partial *bool, notes *[]finding.Problem) []string {
	ignoreMissing, _ := b.Spec["ignoreMissingComponents"].(bool)
	var out []string
	for i, e := range list(b.Spec["components"]) {
		pointer := "/spec/components/" + strconv.Itoa(i)
		s, _ := e.(string)
		if msg := x.refusal(dir, "component", s); msg != "" || strings.TrimSpace(s) == "" {
			if msg == "" {
				msg = fmt.Sprintf("component %d is not a path of a folder, so it is left out", i)
			}
			*partial = true
			*notes = append(*notes, b.finding(finding.RenderSkipped, pointer, fmt.Sprintf("Flux Kustomization %s: %s", b.Name, msg)))
			continue
		}
		if !x.opts.Root.IsDir(filepath.Join(dir, filepath.FromSlash(s))) {
			if ignoreMissing {
				continue // kustomize-controller leaves it out too
			}
			*partial = true
			*notes = append(*notes, b.finding(finding.RenderSkipped, pointer, fmt.Sprintf(
				"component %s of Flux Kustomization %s is not a folder of the repository (components are relative to spec.path %s), so Flux cannot build it; the rest of %s is linted", s, b.Name, b.Path, b.Path)))
			continue
		}
		out = append(out, s)
	}
	return out
}

// fluxTarget is a Flux patch target as a kustomize one (same field names).
func fluxTarget(v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for _, k := range []string{"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"} {
		if s, ok := m[k].(string); ok && s != "" {
			out[k] = s
		}
	}
	return out
}

// fluxKustomization is the real path of the kustomization file the build
// reads (the path's own, or the one kustomize-controller would make, then
// generated is true) and its content.
func (x *expander) fluxKustomization(b FluxBuild, dir string, notes *[]finding.Problem) (kfile string, data []byte, generated bool) {
	if f := x.kustomizationFile(dir); f != "" {
		k, err := x.opts.Root.ReadFile(f, x.opts.Limits.MaxFileBytes, "--max-file-size")
		if err != nil {
			*notes = append(*notes, b.finding(finding.RenderFailed, "/spec/path", fmt.Sprintf("Flux Kustomization %s: %v", b.Name, err)))
			return "", nil, false
		}
		return f, k, false
	}
	resources := x.fluxManifests(b, dir, notes)
	if len(resources) == 0 {
		return "", nil, true
	}
	k, err := yaml.Marshal(map[string]any{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources})
	if err != nil {
		return "", nil, true
	}
	return filepath.Join(dir, "kustomization.yaml"), k, true
}

// fluxManifests are what kustomize-controller's generator lists in a path
// without a kustomization file (scanManifests): the folders below it that
// hold one, not looked into, and the .yaml and .yml files that decode as
// Kubernetes objects. A file that does not is a note: Flux fails on it.
// Hidden files and folders are left out, as Flux's default ignore rules do.
func (x *expander) fluxManifests(b FluxBuild, dir string, notes *[]finding.Problem) []string {
	fsys := confinedFS{root: x.opts.Root, max: x.opts.Limits.MaxFileBytes}
	rf := provider.NewDefaultDepProvider().GetResourceFactory()
	var out []string
	_ = fsys.Walk(dir, func(p string, info fs.FileInfo, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(info.Name(), ".") {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if info.IsDir() {
			if x.kustomizationFile(p) != "" {
				out = append(out, "./"+filepath.ToSlash(rel))
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := fsys.ReadFile(p)
		if err == nil {
			_, err = rf.SliceFromBytes(data)
		}
		if err != nil {
			*notes = append(*notes, b.finding(finding.RenderSkipped, "/spec/path", fmt.Sprintf(
				"%s is left out of the build of Flux Kustomization %s: it does not decode as Kubernetes objects (%s), and kustomize-controller fails on such a file", x.display(p), b.Name, x.relative(oneLine(err.Error())))))
			return nil
		}
		out = append(out, "./"+filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out
}

// mergeKustomization adds a Flux Kustomization's fields to a kustomization
// file, as kustomize-controller does: patches and components appended,
// namespace, namePrefix and nameSuffix set.
func mergeKustomization(data []byte, add fluxAdditions) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var m *yaml.Node
	switch {
	case doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode:
		m = doc.Content[0]
	case doc.Kind == 0: // an empty file
		m = &yaml.Node{Kind: yaml.MappingNode}
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{m}}
	default:
		return nil, fmt.Errorf("it is not a mapping")
	}
	value := func(key string) *yaml.Node {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i+1]
			}
		}
		return nil
	}
	set := func(key string, v any) error {
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			return err
		}
		if old := value(key); old != nil {
			*old = n
			return nil
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &n)
		return nil
	}
	appendTo := func(key string, items []any) error {
		if len(items) == 0 {
			return nil
		}
		if old := value(key); old != nil && old.Kind == yaml.SequenceNode {
			for _, it := range items {
				var n yaml.Node
				if err := n.Encode(it); err != nil {
					return err
				}
				old.Content = append(old.Content, &n)
			}
			return nil
		}
		return set(key, items)
	}
	for _, k := range []string{"namespace", "namePrefix", "nameSuffix"} {
		if v, ok := add.fields[k]; ok {
			if err := set(k, v); err != nil {
				return nil, err
			}
		}
	}
	var patches, components []any
	for _, p := range add.patches {
		patches = append(patches, p)
	}
	for _, c := range add.components {
		components = append(components, c)
	}
	if err := appendTo("patches", patches); err != nil {
		return nil, err
	}
	if err := appendTo("components", components); err != nil {
		return nil, err
	}
	return yaml.Marshal(&doc)
}
