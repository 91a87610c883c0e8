package render

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// kustomizeSchema orders krusty builds around kustomize's OpenAPI schema,
// a package global (sigs.k8s.io/kustomize/kyaml/openapi: globalSchema,
// customSchema, kubernetesOpenAPIVersion; kubernetes-sigs/kustomize#4824).
// Every build sets it from its kustomizations (krusty.Kustomizer.Run and
// each base's target call openapi.SetSchema), and once parsed it is read
// without the package's lock. A build whose kustomizations say nothing of
// openapi: leaves the default in place, so such builds share the lock and
// run in parallel once the default is parsed (primeSchema); a build whose
// kustomizations set openapi: holds it alone, and puts the default back
// after, so that no other root sees its schema, whatever the order.
var kustomizeSchema sync.RWMutex

// schemaReady says whether the default schema is parsed, so that builds
// may share kustomizeSchema; written only while it is held alone.
var schemaReady bool

// primeSchema parses kustomize's default OpenAPI schema before builds run
// in parallel: kustomize parses it on first use, writing maps that other
// builds read without a lock (openapi.IsNamespaceScoped). It costs what
// one build that patches an object would spend on it anyway.
func primeSchema() {
	kustomizeSchema.Lock()
	defer kustomizeSchema.Unlock()
	if !schemaReady {
		openapi.Schema()
		schemaReady = true
	}
}

// runKustomize runs a build, offline (goOffline) and quiet (quietBuild):
// in parallel with other builds once the schema is primed and while its
// kustomizations leave the schema alone, else on its own. A build on a
// buildFS learns which it is as it reads each kustomization
// (buildFS.ReadFile): one that meets openapi: stops before the schema is
// set, and is built again on its own. Builds on other filesystems (Flux
// post-renderers, whose kustomization meshlint writes) run on their own.
func runKustomize(fs filesys.FileSystem, dir string, use func(resmap.ResMap) error) error {
	goOffline()
	defer quietBuild()()
	b, watched := fs.(*buildFS)
	if watched {
		mark := b.mark()
		if built, err := b.buildShared(dir, use); built {
			return err
		}
		b.rollback(mark)
		b.setsSchema = false
	}
	kustomizeSchema.Lock()
	defer kustomizeSchema.Unlock()
	err := build(fs, dir, use)
	if watched && b.setsSchema {
		openapi.ResetOpenAPI()
		if schemaReady {
			openapi.Schema()
		}
	}
	return err
}

// buildShared builds under the shared lock, unless the schema is not
// primed; built is false when the build must run on its own.
func (f *buildFS) buildShared(dir string, use func(resmap.ResMap) error) (built bool, err error) {
	kustomizeSchema.RLock()
	defer kustomizeSchema.RUnlock()
	if !schemaReady {
		return false, nil
	}
	f.shared, f.setsSchema = true, false
	defer func() { f.shared = false }()
	err = build(f, dir, use)
	return !f.setsSchema, err
}

func build(fs filesys.FileSystem, dir string, use func(resmap.ResMap) error) error {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, dir)
	if err != nil {
		return err
	}
	return use(m)
}

// errSetsSchema stops a shared build at a kustomization that sets
// openapi:, before kustomize sets the schema; runKustomize builds it again
// on its own.
var errSetsSchema = errors.New("the kustomization sets openapi:, built on its own")

// kustomizationFile is the kustomization file of dir, or "".
func (x *expander) kustomizationFile(dir string) string {
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if p := filepath.Join(dir, name); x.opts.Root.IsFile(p) {
			return p
		}
	}
	return ""
}

func isKustomizationName(name string) bool {
	return name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization"
}

// readKustomization decodes a kustomization file, once per run (the roots
// that share a base or component read it again and again); what it returns
// is only read.
func (x *expander) readKustomization(path string) (map[string]any, *loader.SourceDocument) {
	docs, err := x.originFile(path)
	if err != nil || len(docs) == 0 {
		return nil, nil
	}
	m, _ := docs[0].Value.(map[string]any)
	return m, docs[0]
}

// localDirs are the directories a kustomization builds on (resources, bases
// and components that are local directories inside the repository, and not
// read by Kustomize as remote references).
func (x *expander) localDirs(dir string, k map[string]any) []string {
	var out []string
	for _, key := range []string{"resources", "bases", "components"} {
		for _, e := range list(k[key]) {
			s, ok := e.(string)
			if !ok || s == "" || isRemoteRef(s) || filepath.IsAbs(s) {
				continue
			}
			p := filepath.Join(dir, filepath.FromSlash(s))
			if x.opts.Root.IsDir(p) {
				if abs, err := filepath.Abs(p); err == nil {
					out = append(out, abs)
				}
			}
		}
	}
	return out
}

// topRoots keeps the Kustomize roots that no other root in the input builds
// on (directly or through bases outside the input): an overlay's base is
// linted as the overlay builds it, not a second time on its own. Components
// are never built alone.
func (x *expander) topRoots(roots []loader.Root) ([]loader.Root, []loader.Skip) {
	used := map[string]string{} // abs dir -> root that uses it
	for _, r := range roots {
		abs, _ := filepath.Abs(r.Dir)
		seen := map[string]bool{abs: true}
		queue := []string{abs}
		for len(queue) > 0 && len(seen) < 10000 {
			dir := queue[0]
			queue = queue[1:]
			f := x.kustomizationFile(dir)
			if f == "" {
				continue
			}
			k, _ := x.readKustomization(f)
			for _, d := range x.localDirs(dir, k) {
				if !seen[d] {
					seen[d] = true
					queue = append(queue, d)
					if _, ok := used[d]; !ok {
						used[d] = r.Display
					}
				}
			}
		}
	}
	var keep []loader.Root
	var skipped []loader.Skip
	for _, r := range roots {
		abs, _ := filepath.Abs(r.Dir)
		if by, ok := used[abs]; ok {
			skipped = append(skipped, loader.Skip{File: r.File, Reason: "Kustomize base of " + by + ", linted as that root builds it"})
			continue
		}
		if k, _ := x.readKustomization(x.kustomizationFile(r.Dir)); k != nil && k["kind"] == "Component" {
			skipped = append(skipped, loader.Skip{File: r.File, Reason: "Kustomize component, linted through the kustomizations that use it"})
			continue
		}
		keep = append(keep, r)
	}
	return keep, skipped
}

// buildFS is the filesystem of a build: confinedFS, except that the
// kustomization files it serves are adjusted for an offline, in-process
// build: the root's turns on origin annotations, and helm chart inflation
// (which runs the helm binary) and every entry the guard refuses (remote,
// absolute, leaving the repository) are left out, each with a
// render-skipped note.
type buildFS struct {
	confinedFS
	x        *expander
	rootFile string // the root's kustomization file, in its real directory
	rootPath string // the root's kustomization file, as the input names it
	notes    []finding.Problem
	noted    map[string]bool
	// kustomizations maps the real path of each kustomization file
	// Kustomize looked up (through CleanedAbs, which resolves links) to the
	// path it was looked up as: a kustomization.yaml that is a link to
	// notes.txt is read as notes.txt, and is still a kustomization.
	kustomizations map[string]string
	// served are the kustomization files served, as looked up, in order;
	// dropped the patch entries left out of a partial root (partial.go).
	served  []string
	dropped map[string]bool
	// refused is the first kustomization file the build could not be
	// served (it leaves the repository, or names what the guard refuses in
	// a way it cannot remove): Kustomize then only says it found none.
	refused error
	// shared is set while the build shares kustomizeSchema; setsSchema
	// once a kustomization it read sets openapi: (runKustomize).
	shared, setsSchema bool
}

// buildMark is how far a build had got: what a shared attempt stopped at
// openapi: added is taken back before the build runs again on its own.
type buildMark struct {
	notes, served int
	noted         map[string]bool
	refused       error
}

func (f *buildFS) mark() buildMark {
	return buildMark{notes: len(f.notes), served: len(f.served), noted: maps.Clone(f.noted), refused: f.refused}
}

func (f *buildFS) rollback(m buildMark) {
	f.notes, f.served, f.noted, f.refused = f.notes[:m.notes], f.served[:m.served], m.noted, m.refused
}

// noteKey identifies a render-skipped note: a kustomization read twice in
// a build notes each entry once.
func noteKey(display string, line, col int) string {
	return display + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

// refuse records why a kustomization file was not served.
func (f *buildFS) refuse(err error) {
	if f.refused == nil {
		f.refused = err
	}
}

func (f *buildFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	d, name, err := f.confinedFS.CleanedAbs(path)
	if !isKustomizationName(filepath.Base(path)) {
		return d, name, err
	}
	if errors.Is(err, confine.ErrRefused) {
		f.refuse(fmt.Errorf("%s: %w", f.x.display(path), err))
	}
	if err == nil && name != "" {
		if abs, aerr := filepath.Abs(path); aerr == nil {
			f.kustomizations[d.Join(name)] = abs
		}
	}
	return d, name, err
}

func (f *buildFS) ReadFile(path string) ([]byte, error) {
	data, err := f.confinedFS.ReadFile(path)
	if err != nil {
		return data, err
	}
	logical, ok := f.kustomizations[path]
	if !ok {
		if !isKustomizationName(filepath.Base(path)) {
			return data, nil
		}
		logical = path
	}
	if !slices.Contains(f.served, logical) {
		f.served = append(f.served, logical)
	}
	abs, _ := filepath.Abs(logical)
	var k *servedKustomization
	if abs != f.rootFile && len(f.dropped) == 0 {
		k = f.x.servedOnce(logical, data, func() *servedKustomization { return f.serve(logical, abs, data) })
	} else {
		k = f.serve(logical, abs, data)
	}
	for _, n := range k.notes {
		f.note(n)
	}
	if k.setsSchema {
		f.setsSchema = true
		if f.shared {
			return nil, fmt.Errorf("%s: %w", path, errSetsSchema)
		}
	}
	if k.err != nil {
		err = fmt.Errorf("%s: %w", f.x.display(logical), k.err)
		f.refuse(err)
		return nil, err
	}
	return slices.Clone(k.data), nil
}

// servedKustomization is a kustomization file as a build is served it:
// adjusted (adjust), with the render-skipped notes on what was left out,
// and checked as Kustomize decodes it (checkDecoded).
type servedKustomization struct {
	once       sync.Once
	text       string // as read
	data       []byte // as served
	notes      []finding.Problem
	setsSchema bool
	err        error
}

// serve adjusts and checks the kustomization file at path (abs).
func (f *buildFS) serve(path, abs string, data []byte) *servedKustomization {
	k := &servedKustomization{}
	k.data = f.adjust(path, abs, data, &k.notes)
	k.setsSchema, k.err = f.x.checkDecoded(filepath.Dir(path), k.data)
	return k
}

// servedOnce is serve for a kustomization that is not the root of the
// build and has no patch left out (so not adjusted for one build): a base
// or component shared by many roots is adjusted and checked once per run,
// while its text stays the same.
func (x *expander) servedOnce(path string, data []byte, serve func() *servedKustomization) *servedKustomization {
	v, _ := x.served.LoadOrStore(path, &servedKustomization{text: string(data)})
	k := v.(*servedKustomization)
	if k.text != string(data) {
		return serve()
	}
	k.once.Do(func() {
		made := serve()
		k.data, k.notes, k.setsSchema, k.err = made.data, made.notes, made.setsSchema, made.err
	})
	return k
}

// note adds a render-skipped note, once per position.
func (f *buildFS) note(p finding.Problem) {
	key := noteKey(p.File, p.Line, p.Column)
	if f.noted[key] {
		return
	}
	f.noted[key] = true
	f.notes = append(f.notes, p)
}

// adjust is the kustomization file at path (abs) as the build is served
// it, and the notes on what it left out.
func (f *buildFS) adjust(path, abs string, data []byte, notes *[]finding.Problem) []byte {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data // kustomize reports it
	}
	m := doc.Content[0]
	display := f.x.display(path)
	if abs == f.rootFile {
		display = f.x.display(f.rootPath)
	}
	note := func(n *yaml.Node, msg string) {
		*notes = append(*notes, finding.Problem{Kind: finding.RenderSkipped, File: display, Line: n.Line, Column: n.Column,
			EndLine: n.Line, EndColumn: n.Column + len(n.Value), Message: msg})
	}
	changed := false
	dir := filepath.Dir(path)
	for i := 0; i+1 < len(m.Content); {
		k, v := m.Content[i], m.Content[i+1]
		if helm := helmField(k.Value); helm != "" {
			if helm != "helmGlobals" {
				note(k, fmt.Sprintf("%s in %s are inflated by running the helm binary, which meshlint does not do; the rest of the kustomization is linted, and the charts can be linted as chart directories or through a HelmRelease", k.Value, display))
			}
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			changed = true
			continue
		}
		changed = f.dropPatches(path, k.Value, v) || changed
		changed = f.x.guardNode(dir, k.Value, v, note) || changed
		i += 2
	}
	if abs == f.rootFile {
		changed = addOriginAnnotations(m) || changed
	}
	if !changed {
		return data
	}
	out, err := yaml.Marshal(m)
	if err != nil {
		return data
	}
	return out
}

// helmField is the helm field a kustomization key names (matched as
// encoding/json matches field names), or "".
func helmField(key string) string {
	for _, h := range []string{"helmCharts", "helmChartInflationGenerator", "helmGlobals"} {
		if strings.EqualFold(key, h) {
			return h
		}
	}
	return ""
}

// addOriginAnnotations turns on the origin annotations of the root's
// kustomization, which tell each built resource's file.
func addOriginAnnotations(m *yaml.Node) bool {
	var meta *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "buildMetadata" && m.Content[i+1].Kind == yaml.SequenceNode {
			meta = m.Content[i+1]
		}
	}
	if meta == nil {
		meta = &yaml.Node{Kind: yaml.SequenceNode}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"}, meta)
	}
	for _, e := range meta.Content {
		if e.Value == "originAnnotations" {
			return false
		}
	}
	meta.Content = append(meta.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "originAnnotations"})
	return true
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// buildKustomization builds a Kustomize root in process, on the real
// filesystem, with plugins, helm and the network off.
func (x *expander) buildKustomization(root loader.Root) (out batch) {
	dir, _ := filepath.Abs(root.Dir)
	kfile := x.kustomizationFile(dir)
	defer func() {
		if r := recover(); r != nil {
			out = batch{findings: []finding.Problem{x.errorAt(root.File, 1, 1,
				fmt.Sprintf("internal error while building Kustomize root %s (please report it): %v", root.Display, r))}}
		}
	}()
	// Kustomize asks for the root's kustomization in the real directory.
	rootFile := kfile
	if rd, err := x.opts.Root.Resolve(dir); err == nil && kfile != "" {
		rootFile = filepath.Join(rd, filepath.Base(kfile))
	}
	fs := &buildFS{confinedFS: confinedFS{root: x.opts.Root, max: x.opts.Limits.MaxFileBytes, stats: &x.stats}, x: x, rootFile: rootFile, rootPath: kfile,
		noted: map[string]bool{}, kustomizations: map[string]string{}}
	var made builtResources
	err := runKustomize(fs, dir, made.take)
	// A partial root (the guard left entries out) is built again without
	// each patch that then matches nothing.
	partial := len(fs.notes) > 0
	for drops := 0; err != nil && partial && drops < maxPatchDrops && fs.dropUnmatchedPatch(err); drops++ {
		made = builtResources{}
		err = runKustomize(fs, dir, made.take)
	}
	out.findings = append(out.findings, fs.notes...)
	if err != nil && fs.refused != nil && strings.Contains(err.Error(), "unable to find one of") {
		err = fs.refused
	}
	if err != nil {
		out.findings = append(out.findings, x.kustomizeError(root, kfile, err))
		return out
	}

	if partial {
		built := make([]map[string]any, 0, len(made.resources))
		for _, r := range made.resources {
			if obj, err := r.Map(); err == nil {
				built = append(built, obj)
			}
		}
		out.findings = append(out.findings, fs.unmatchedTargets(built)...)
	}
	patches, consumed := x.chainPatches(dir)
	out.consumed = consumed
	incomplete := ""
	if partial {
		incomplete = IncompleteBuild
	}
	out.add(x.builtDocuments(dir, root.File, kustomizeOrigin+root.Display, made, patches, incomplete))
	return out
}

// builtResources is what a Kustomize build made: each resource, the origin
// Kustomize recorded for it, and its YAML without origin annotations.
type builtResources struct {
	resources []*resource.Resource
	origins   []*resource.Origin
	texts     []string
}

func (b *builtResources) take(m resmap.ResMap) error {
	b.resources = m.Resources()
	for _, r := range b.resources {
		o, _ := r.GetOrigin()
		b.origins = append(b.origins, o)
	}
	if err := m.RemoveOriginAnnotations(); err != nil {
		return err
	}
	for _, r := range b.resources {
		y, err := r.AsYAML()
		if err != nil {
			return err
		}
		b.texts = append(b.texts, string(y))
	}
	return nil
}

// builtDocuments are the documents of a build of the root in dir: each
// located in the file it came from (fallback when Kustomize does not say),
// a field a patch wrote in that patch.
func (x *expander) builtDocuments(dir, fallback, origin string, built builtResources, patches []*patchSource, incomplete string) (out batch) {
	for i, r := range built.resources {
		obj, _ := r.Map()
		file, src := x.originOf(dir, built.origins[i], obj)
		if file != "" {
			out.consumed = append(out.consumed, file)
		}
		display := fallback
		if file != "" {
			display = x.display(file)
		}
		var mine []*patchSource
		for _, p := range patches {
			if p.applies(obj) {
				mine = append(mine, p)
			}
		}
		docs, problems := loader.ParseRendered(loader.Rendered{File: display, Text: built.texts[i], Origin: origin,
			Line: func(int) int { return 1 },
			Locate: func(d *loader.Document, pointer string, _ loader.Range) (string, loader.Range) {
				if len(mine) > 0 {
					if o, ok := d.Decode(); ok {
						for _, p := range mine {
							if f, rr, ok := p.writes(o, pointer); ok {
								return f, rr
							}
						}
					}
				}
				if src != nil {
					return display, src(pointer)
				}
				return display, loader.Range{Line: 1, Column: 1, EndLine: 1, EndColumn: 1}
			}}, x.opts.Limits, x.opts.Kinds)
		for _, d := range docs {
			d.Incomplete = incomplete
		}
		out.docs = append(out.docs, docs...)
		out.problems = append(out.problems, problems...)
	}
	return out
}

// originOf finds the file a built resource came from and the document in
// it that holds the resource, by kind and name (kustomize records the file,
// not the document).
func (x *expander) originOf(rootDir string, o *resource.Origin, obj map[string]any) (string, func(string) loader.Range) {
	if o == nil || o.Repo != "" {
		return "", nil
	}
	rel := o.Path
	generator := ""
	if rel == "" && o.ConfiguredIn != "" {
		rel = o.ConfiguredIn // made by a generator of that kustomization
		if k := o.ConfiguredBy.Kind; k != "" {
			generator = "/" + strings.ToLower(k[:1]) + k[1:] // ConfigMapGenerator -> /configMapGenerator
		}
	}
	if rel == "" {
		return "", nil
	}
	file := filepath.Join(rootDir, filepath.FromSlash(rel))
	docs, err := x.originFile(file)
	if err != nil || len(docs) == 0 {
		return file, nil
	}
	lookup := func(d *loader.SourceDocument) func(string) loader.Range {
		return func(p string) loader.Range { r, _ := d.Lookup(p); return r }
	}
	if generator != "" {
		return file, func(string) loader.Range { r, _ := docs[0].Lookup(generator); return r }
	}
	kind, _ := obj["kind"].(string)
	name, _ := dig(obj, "metadata", "name").(string)
	var byKind *loader.SourceDocument
	for _, d := range docs {
		dk, _ := dig(d.Value, "kind").(string)
		dn, _ := dig(d.Value, "metadata", "name").(string)
		if dk != kind {
			continue
		}
		if dn != "" && strings.Contains(name, dn) {
			return file, lookup(d)
		}
		if byKind == nil {
			byKind = d
		}
	}
	if byKind != nil {
		return file, lookup(byKind)
	}
	return file, lookup(docs[0])
}

// originFile is a source file of built resources, read once per run.
// Its documents are only read: the lookups of many rendered documents
// share them.
type originFile struct {
	once sync.Once
	docs []*loader.SourceDocument
	err  error
}

// originFile reads and indexes the source file at path, or returns what an
// earlier call for the same path read.
func (x *expander) originFile(path string) ([]*loader.SourceDocument, error) {
	v, _ := x.origins.LoadOrStore(path, &originFile{})
	o := v.(*originFile)
	o.once.Do(func() { o.docs, o.err = loader.ReadSource(x.opts.Root, path, x.opts.Limits) })
	return o.docs, o.err
}

// chainPatches collects the patches of the root's kustomization and of the
// kustomizations it builds on, outermost first (an outer patch is applied
// last, so it has the last word), and the patch files they read.
func (x *expander) chainPatches(root string) ([]*patchSource, []string) {
	var patches []*patchSource
	var files []string
	seen := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 && len(seen) < 10000 {
		dir := queue[0]
		queue = queue[1:]
		step := x.chainStep(dir)
		patches = append(patches, step.patches...)
		files = append(files, step.files...)
		for _, d := range step.dirs {
			if !seen[d] {
				seen[d] = true
				queue = append(queue, d)
			}
		}
	}
	return patches, files
}

// chainStep is what one kustomization adds to the chain of every root
// built on it: its patches (later ones first), the patch files it reads,
// and the directories it builds on. Bases and components shared by many
// roots are read and their patches parsed once per run.
type chainStep struct {
	once    sync.Once
	patches []*patchSource
	files   []string
	dirs    []string
}

func (x *expander) chainStep(dir string) *chainStep {
	v, _ := x.steps.LoadOrStore(dir, &chainStep{})
	step := v.(*chainStep)
	step.once.Do(func() {
		kf := x.kustomizationFile(dir)
		if kf == "" {
			return
		}
		k, src := x.readKustomization(kf)
		if k == nil {
			return
		}
		display := x.display(kf)
		c := container{x: x, locate: func(p string) (string, loader.Range) {
			r, _ := src.Lookup(p)
			return display, r
		}}
		ps := x.kustomizationPatches(dir, k, c)
		for i := len(ps) - 1; i >= 0; i-- { // later patches of one kustomization win
			step.patches = append(step.patches, ps[i])
		}
		step.files = x.patchFiles(dir, k)
		step.dirs = x.localDirs(dir, k)
	})
	return step
}

// kustomizeError is a render-error at the kustomization entry the error
// names (a missing base or file), else at the kustomization file.
func (x *expander) kustomizeError(root loader.Root, kfile string, err error) finding.Problem {
	msg := oneLine(err.Error())
	f := x.errorAt(root.File, 1, 1, fmt.Sprintf("Kustomize root %s does not build: %s", root.Display, msg))
	k, src := x.readKustomization(kfile)
	if k == nil || src == nil {
		return f
	}
	for _, key := range []string{"resources", "bases", "components", "patchesStrategicMerge", "configurations", "crds"} {
		for i, e := range list(k[key]) {
			if s, ok := e.(string); ok && s != "" && strings.Contains(msg, s) {
				r, _ := src.Lookup("/" + key + "/" + strconv.Itoa(i))
				f.Line, f.Column, f.EndLine, f.EndColumn = r.Line, r.Column, r.EndLine, r.EndColumn
				dir := filepath.Dir(kfile)
				if p := filepath.Join(dir, filepath.FromSlash(s)); x.refusal(dir, key, s) == "" && !x.opts.Root.IsFile(p) && !x.opts.Root.IsDir(p) {
					f.Message = fmt.Sprintf("Kustomize root %s does not build: %s entry %s is neither a file nor a directory", root.Display, key, s)
				}
				return f
			}
		}
	}
	for _, key := range []string{"patches", "patchesJson6902"} {
		for i, e := range list(k[key]) {
			if p, ok := dig(e, "path").(string); ok && p != "" && strings.Contains(msg, p) {
				r, _ := src.Lookup("/" + key + "/" + strconv.Itoa(i))
				f.Line, f.Column, f.EndLine, f.EndColumn = r.Line, r.Column, r.EndLine, r.EndColumn
				return f
			}
		}
	}
	return f
}
