package lint

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/engine"
	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/loader"
)

// fixHints are the facts of one mesh model that fixes need beyond the
// finding's own file, kept from the graph before it is released.
type fixHints struct {
	proms    map[int]fix.Prom  // by Prometheus resource id
	scrapes  map[[2]int][]int  // (monitor, endpoint) -> Prometheus resource ids
	ports    map[string][]int  // "resource\x00pointer" of a portLevelMtls key -> container ports
	certDirs map[int][]certDir // by Prometheus resource id
}

// certDir is a directory a Prometheus's monitors read Istio certs from.
type certDir struct {
	dir     string
	mounted bool
}

func newFixHints(g *graph.Graph, facts *graph.Facts) *fixHints {
	h := &fixHints{proms: map[int]fix.Prom{}, scrapes: map[[2]int][]int{}, ports: map[string][]int{}, certDirs: map[int][]certDir{}}
	for _, p := range g.Prometheus {
		ph := promHint(p)
		if d := g.Resources[p.Resource].Doc; !d.IsDerived() && d.Origin == "" {
			ph.File, ph.DocStart, ph.Prefix = d.File, d.StartLine, d.Prefix
		}
		h.proms[p.Resource] = ph
	}
	if facts == nil {
		return h
	}
	for _, s := range facts.Scrapes {
		if s.Prometheus != nil {
			k := [2]int{s.Monitor, s.Endpoint}
			h.scrapes[k] = append(h.scrapes[k], s.Prometheus.Resource)
		}
	}
	for _, pa := range facts.PeerAuthentications {
		for _, e := range pa.PortLevel {
			for _, m := range e.ServicePortMisuse {
				k := strconv.Itoa(pa.Resource) + "\x00" + e.Pointer
				h.ports[k] = append(h.ports[k], m.ContainerPort)
			}
		}
	}
	for _, p := range facts.Prometheuses {
		// only the directories: the fact's users list every monitor
		for _, d := range p.CertDirs {
			h.certDirs[p.Resource] = append(h.certDirs[p.Resource], certDir{d.Dir, d.Mounted})
		}
	}
	return h
}

// promHint is what a fix needs of a Prometheus: where its container sees
// the certs its sidecar exports (only when the export is complete), whether
// it denies monitors file TLS, and an Istio scrape class.
func promHint(p *graph.Prometheus) fix.Prom {
	out := fix.Prom{Name: p.Namespace + "/" + p.Name, FileTLSDenied: p.ArbitraryFSDeny}
	ce := p.ExportedCerts()
	if ce.OutputCerts != "" {
		for _, um := range ce.UserMounts {
			if !graph.SamePath(um.MountPath, ce.OutputCerts) || p.Volume(um.Name) == nil {
				continue
			}
			for _, vm := range p.VolumeMounts {
				if vm.Name == um.Name && vm.MountPath != "" && out.CertDir == "" {
					out.CertDir = vm.MountPath
				}
			}
		}
	}
	for _, sc := range p.ScrapeClasses {
		for _, f := range sc.TLS.Files {
			if f.Field == "caFile" && graph.IsIstioCertFile(f.Path, p.CertDirs()) && out.IstioClass == "" && sc.TLS.InsecureSkipVerify {
				out.IstioClass = sc.Name
			}
		}
	}
	return out
}

// target is a finding as the fix computation sees it, or nil for a rule
// without fixes.
// file is where the finding is placed.
func (h *fixHints) target(r *graph.Resource, rf engine.RawFinding, file string) *fix.Target {
	if h == nil || !fix.Fixable(rf.Rule.ID) {
		return nil
	}
	t := &fix.Target{Rule: rf.Rule.ID, Pointer: rf.Pointer, DocStart: r.Doc.StartLine, Prefix: r.Doc.Prefix,
		Rendered: file != r.Doc.File || r.Doc.Origin != "", Kind: r.Kind, Name: r.Name}
	if r.Doc.IsDerived() {
		// A Prometheus a values file configures: its spec is a mapping of
		// the file. Of layered files, attachFixes picks the one to edit.
		t.SpecPointer = r.Doc.FilePointer("/spec")
		if files := r.Doc.SourceFiles(); len(files) > 1 {
			t.Layers, t.FieldPointer = files, r.Doc.FilePointer(rf.Pointer)
			t.Rendered = r.Doc.Origin != "" || t.SpecPointer == ""
		} else {
			t.Rendered = t.Rendered || t.SpecPointer == ""
		}
	}
	if d := r.Doc; t.Rendered && !d.IsDerived() {
		if _, ok := d.TemplateLine(d.StartLine); ok {
			// the line map counts lines of the whole rendered output, the
			// document's text starts at its StartLine
			t.Template = &fix.Template{Text: []byte(d.Text()), Line: func(l int) int {
				tl, _ := d.TemplateLine(d.StartLine - 1 + l)
				return tl
			}}
		}
	}
	if tok := strings.Split(rf.Pointer, "/"); len(tok) > 3 && (tok[2] == "endpoints" || tok[2] == "podMetricsEndpoints") {
		if ep, err := strconv.Atoi(tok[3]); err == nil {
			seen := map[int]bool{} // one fact per target: a Prometheus comes once per port
			for _, id := range h.scrapes[[2]int{rf.Resource, ep}] {
				if !seen[id] {
					seen[id] = true
					t.Hint.Prometheuses = append(t.Hint.Prometheuses, h.proms[id])
				}
			}
		}
	}
	t.Hint.ContainerPorts = h.ports[strconv.Itoa(rf.Resource)+"\x00"+rf.Pointer]
	if len(rf.Related) > 0 && rf.Rule.ID == "istio-annotations-misplaced" {
		t.Hint.PodMetadataPointer = rf.Related[0].Pointer
	}
	for _, d := range h.certDirs[rf.Resource] {
		if !d.mounted || rf.Rule.ID == "istio-certs-not-exported" {
			t.Hint.CertDirs = append(t.Hint.CertDirs, d.dir)
		}
	}
	return t
}

// fileFixes computes fixes in the per-file pass that places findings
// (builder.placeFile): the file read once for both, its node tree parsed
// once for all its fixes.
type fileFixes struct {
	src  *fix.Source
	hash string
}

// inPass is the fixes of the finding t placed in file, computed from the
// pass's read of it; nil when they are left to attachFixes: a finding
// placed in another file (a template, a Kustomize base), one in a values
// file or a layered one, or a file the pass did not read. The rule across
// environments (a fix in a shared file is default only when right in all of
// them) needs the merged findings, and attachFixes applies it.
func (ff *fileFixes) inPass(p *loader.FilePass, t *fix.Target, file string) []fix.Fix {
	if t.Rendered || len(t.Layers) > 1 || t.SpecPointer != "" || file != p.File {
		return nil
	}
	if ff.src == nil {
		text := p.Bytes()
		if text == nil {
			return nil
		}
		// plain block YAML's nodes come from the block scan, the rest
		// from yaml.v3
		ff.src = fix.ParseScanned(p.File, text, p.BlockNodes)
	}
	fs := fix.ForFile(ff.src, []fix.Target{*t})[0]
	for k := range fs {
		for e := range fs[k].Edits {
			if ff.hash == "" {
				ff.hash = fix.Hash(ff.src.Text) // only files with an edit
			}
			fs[k].Edits[e].Hash = ff.hash
		}
	}
	return fs
}

// attachFixes gives the findings their fixes. Those the per-file pass
// computed (fileFixes; their Fixes are set) get the rule across
// environments; the others are computed here, one pass per file: the
// file is read once (through the run's confinement) and every fixable
// finding in it gets its fixes from its node tree. It returns how many
// findings had their fixes from the pass, and how many here (--stats).
func attachFixes(findings []finding.Finding, opts Options, envs []Environment) (inPass, after int) {
	sources := map[string]*fix.Source{}
	source := func(file string) *fix.Source {
		if sources[file] == nil {
			sources[file] = fix.Parse(file, readForFix(file, opts))
		}
		return sources[file]
	}
	holders := map[string][]string{}
	for _, e := range envs {
		for _, f := range e.Files {
			holders[f] = append(holders[f], e.Name)
		}
	}
	byFile := map[string][]int{}
	var files []string
	for i := range findings {
		t := findings[i].FixTarget
		if t == nil {
			continue
		}
		if findings[i].Fixes != nil {
			inPass++
			findings[i].Fixes = fix.EnvironmentRule(findings[i].Fixes, fix.Hint{Environments: findings[i].Environments, FileEnvironments: holders[findings[i].File]})
			continue
		}
		file := findings[i].File
		if len(t.Layers) > 1 && !t.Rendered {
			// the file helm -f takes the field from
			file = fix.LayerFor(*t, func(f, p string) bool { return source(f).Has(p) })
		}
		if byFile[file] == nil {
			files = append(files, file)
		}
		byFile[file] = append(byFile[file], i)
		after++
	}
	for _, file := range files {
		// not kept in sources: a large run holds one file's nodes at a time
		src := fix.Parse(file, readForFix(file, opts))
		text := src.Text
		targets := make([]fix.Target, len(byFile[file]))
		for j, i := range byFile[file] {
			targets[j] = *findings[i].FixTarget
			if text == nil {
				targets[j].Rendered = true
			}
			targets[j].Hint.Environments = findings[i].Environments
			targets[j].Hint.FileEnvironments = holders[file]
		}
		hash := fix.Hash(text)
		for j, fs := range fix.ForFile(src, targets) {
			for k := range fs {
				for e := range fs[k].Edits {
					fs[k].Edits[e].Hash = hash
				}
			}
			findings[byFile[file][j]].Fixes = fs
		}
	}
	addExports(findings, source, holders)
	return inPass, after
}

// addExports gives a plaintext scrape whose Prometheus exports no Istio
// certs the fix that adds the export too, across the two files.
func addExports(findings []finding.Finding, source func(string) *fix.Source, holders map[string][]string) {
	for i := range findings {
		f := &findings[i]
		t := f.FixTarget
		if t == nil || t.Rule != "plaintext-scrape-of-strict-port" || len(t.Hint.Prometheuses) != 1 || t.Hint.Prometheuses[0].File == "" {
			continue
		}
		if len(f.Fixes) == 1 && f.Fixes[0].Default {
			continue
		}
		hint := *t
		hint.Hint.Environments = f.Environments
		hint.Hint.FileEnvironments = holders[f.File]
		mon, prom := source(f.File), source(t.Hint.Prometheuses[0].File)
		fs := fix.ScrapeWithExport(mon, hint, prom)
		if fs == nil {
			continue
		}
		for k := range fs {
			for e := range fs[k].Edits {
				fs[k].Edits[e].Hash = fix.Hash(source(fs[k].Edits[e].File).Text)
			}
		}
		f.Fixes = fs
	}
}

// readForFix reads a finding's file again, confined as every read of the
// run; nil when it cannot be read (standard input, a file gone), and the
// fixes are then described only.
func readForFix(file string, opts Options) []byte {
	if file == "-" || file == "" {
		return nil
	}
	p := filepath.FromSlash(file)
	if !filepath.IsAbs(p) && opts.WorkDir != "" {
		p = filepath.Join(opts.WorkDir, p)
	}
	max := opts.Limits.MaxFileBytes
	if max <= 0 {
		max = 64 << 20
	}
	if opts.Root != nil {
		text, err := opts.Root.ReadFile(p, max, "--max-file-size")
		if err != nil {
			return nil
		}
		return text
	}
	info, err := os.Stat(p)
	if err != nil || !info.Mode().IsRegular() || info.Size() > max {
		return nil
	}
	text, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	return text
}
