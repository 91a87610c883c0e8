package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/loader"
	"github.com/meshlint/meshlint/internal/report"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/confine"
)

// initMaxFileBytes bounds each file init reads: values files and manifests
// worth describing are far smaller, and a larger one is skipped.
const initMaxFileBytes = 8 << 20

// schemaURL is where editors fetch the config file's JSON Schema.
const schemaURL = "https://raw.githubusercontent.com/meshlint/meshlint/main/schema/meshlint.schema.json"

// initFindings is what init learned from the tree, with where it learned it.
type initFindings struct {
	rootNamespace string // "" when nothing names it
	rootSource    string // "PeerAuthentication istio-system/default in platform/mesh-mtls.yaml"
	meshMode      string // mode of the mesh-wide PeerAuthentication, if any
	values        []string
	valuesShape   map[string]string
	policies      []string
	environments  []lint.FoundEnvironment // the layout's, as a lint finds them
}

// runInit is `meshlint init [DIR]`: it writes DIR/.meshlint.yaml from what
// it finds below DIR, and never overwrites a file that exists.
func runInit(args []string, env Env) error {
	fs := pflag.NewFlagSet("meshlint init", pflag.ContinueOnError)
	fs.SetOutput(env.Stdout) // only --help prints through it
	fs.Usage = func() {
		fmt.Fprint(env.Stdout, "Usage: meshlint init [DIR]\n\nWrite DIR/.meshlint.yaml (default: the current directory) from the environments, Prometheus values files,\nmesh-wide PeerAuthentication and Rego rules found below DIR, each key commented. An existing file is never overwritten.\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	if fs.NArg() > 1 {
		return usagef("init takes at most one directory")
	}
	dir := "."
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("init: %s is not a directory", dir)
	}
	target := filepath.Join(dir, config.FileName)
	if _, err := os.Lstat(target); err == nil {
		return fmt.Errorf("init: %s exists; meshlint init never overwrites it (edit it, or remove it and run init again)", target)
	}
	found, err := scanForInit(dir, env.Stderr)
	if err != nil {
		return err
	}
	if found.environments, err = initEnvironments(dir); err != nil {
		return fmt.Errorf("init: find the environments of %s: %w", dir, err)
	}
	if err := writeNewFile(target, renderInitConfig(found)); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	fmt.Fprintf(env.Stderr, "meshlint: wrote %s (%d environments, %d Prometheus values files, %d policy directories, root namespace %s)\n",
		report.Sanitize(target), len(found.environments), len(found.values), len(found.policies), orDefaultString(found.rootNamespace, "not found: istio-system assumed"))
	return nil
}

func orDefaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// scanForInit walks dir (hidden directories, vendor and node_modules
// skipped, symbolic links never followed) and reads each YAML file through
// a root confined to dir.
func scanForInit(dir string, stderr io.Writer) (*initFindings, error) {
	root := confine.New([]string{dir}, nil)
	found := &initFindings{valuesShape: map[string]string{}}
	policyDirs := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(name, ".") || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		ext := filepath.Ext(name)
		if ext != ".yaml" && ext != ".yml" && ext != ".rego" {
			return nil
		}
		data, err := root.ReadFile(p, initMaxFileBytes, "init's limit")
		if err != nil {
			fmt.Fprintf(stderr, "meshlint: init skipped %s: %v\n", rel, err)
			return nil
		}
		if ext == ".rego" {
			if !strings.HasSuffix(name, "_test.rego") && bytes.Contains(data, []byte("package meshlint.rules.")) {
				policyDirs[path2dir(rel)] = true
			}
			return nil
		}
		found.readYAML(rel, data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("init: walk %s: %w", dir, err)
	}
	for d := range policyDirs {
		found.policies = append(found.policies, d)
	}
	sort.Strings(found.policies)
	sort.Strings(found.values)
	return found, nil
}

func path2dir(rel string) string {
	if d := filepath.ToSlash(filepath.Dir(rel)); d != "." {
		return d
	}
	return "."
}

// readYAML looks at each document of a file: a Prometheus values file, or
// the mesh-wide PeerAuthentication. A document that does not parse is not
// init's business; the lint reports it.
func (f *initFindings) readYAML(rel string, data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; i < 1000; i++ {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return
		}
		if shape := prometheusValuesShape(doc); shape != "" && i == 0 {
			f.values = append(f.values, rel)
			f.valuesShape[rel] = shape
			return
		}
		f.readMeshPolicy(rel, doc)
	}
}

// prometheusValuesShape recognises the values files --prometheus-values
// reads when they configure a Prometheus: kube-prometheus-stack values with
// prometheus.prometheusSpec, or Big Bang umbrella values with
// monitoring.values.prometheus (or .upstream.prometheus). Manifests
// (apiVersion and kind) are never values files.
func prometheusValuesShape(doc map[string]any) string {
	if doc["apiVersion"] != nil && doc["kind"] != nil {
		return ""
	}
	if mon, ok := doc["monitoring"].(map[string]any); ok {
		if values, ok := mon["values"].(map[string]any); ok {
			if values["prometheus"] != nil {
				return "Big Bang umbrella values"
			}
			if up, ok := values["upstream"].(map[string]any); ok && up["prometheus"] != nil {
				return "Big Bang umbrella values"
			}
		}
	}
	if prom, ok := doc["prometheus"].(map[string]any); ok && prom["prometheusSpec"] != nil {
		return "kube-prometheus-stack values"
	}
	return ""
}

// readMeshPolicy takes the root namespace from a mesh-wide
// PeerAuthentication: one without a workload selector in a namespace named
// like Istio's (istio-system, istio-config). A namespace-wide policy looks
// the same in any other namespace, so only the name tells them apart.
func (f *initFindings) readMeshPolicy(rel string, doc map[string]any) {
	if doc["kind"] != "PeerAuthentication" || !strings.HasPrefix(fmt.Sprint(doc["apiVersion"]), "security.istio.io/") {
		return
	}
	meta, _ := doc["metadata"].(map[string]any)
	spec, _ := doc["spec"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	if !strings.HasPrefix(ns, "istio") || !dnsLabel.MatchString(ns) || hasSelectorLabels(spec) || f.rootNamespace != "" {
		return
	}
	f.rootNamespace = ns
	f.rootSource = fmt.Sprintf("PeerAuthentication %s/%s in %s", ns, name, rel)
	if mtls, ok := spec["mtls"].(map[string]any); ok {
		f.meshMode, _ = mtls["mode"].(string)
	}
}

// dnsLabel is a Kubernetes namespace name; nothing else is written into the
// file unquoted.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func hasSelectorLabels(spec map[string]any) bool {
	sel, _ := spec["selector"].(map[string]any)
	labels, _ := sel["matchLabels"].(map[string]any)
	return len(labels) > 0
}

// renderInitConfig writes the starter file: every key with a comment that
// says what it does and why it has this value.
func renderInitConfig(f *initFindings) []byte {
	var b strings.Builder
	b.WriteString("# yaml-language-server: $schema=" + schemaURL + "\n")
	b.WriteString("# meshlint configuration, written by 'meshlint init'. Flags typed on the command line win over it;\n")
	b.WriteString("# 'meshlint --help' and the README describe every key.\n\n")
	b.WriteString("# What the mesh runs on that manifests on disk do not say.\nmesh:\n")
	if f.rootNamespace != "" {
		fmt.Fprintf(&b, "  # Istio's root namespace (meshConfig.rootNamespace), taken from the mesh-wide\n  # %s.\n", f.rootSource)
		fmt.Fprintf(&b, "  rootNamespace: %s\n", f.rootNamespace)
	} else {
		b.WriteString("  # Istio's root namespace (meshConfig.rootNamespace). No mesh-wide PeerAuthentication was\n  # found, so this is Istio's default; change it if your mesh uses another.\n")
		b.WriteString("  rootNamespace: istio-system\n")
	}
	b.WriteString("  # Mesh-wide mTLS mode assumed when no mesh-level PeerAuthentication is in the input:\n")
	if f.meshMode != "" {
		fmt.Fprintf(&b, "  # the mesh-wide policy found sets %s, so this applies only to runs that leave it out.\n", yamlComment(f.meshMode))
	} else {
		b.WriteString("  # PERMISSIVE is Istio's default; say STRICT if the mesh-wide policy lives elsewhere.\n")
	}
	b.WriteString("  defaultMode: PERMISSIVE\n")
	b.WriteString("  # Injection of namespaces whose Namespace manifest is not in the input: auto (injected when an\n")
	b.WriteString("  # Istio resource is in the namespace), enabled, disabled or unknown.\n")
	b.WriteString("  assumeInjection: auto\n\n")
	b.WriteString("# Lowest severity that makes meshlint exit 1: error, warning, note or none.\n")
	b.WriteString("failOn: error\n")
	writeInitList(&b, "prometheusValues", f.values, func(p string) string { return f.valuesShape[p] },
		"kube-prometheus-stack or Big Bang values files, read as the Prometheus they configure\n# (like --prometheus-values); paths are relative to this file.",
		"No kube-prometheus-stack or Big Bang values file with a Prometheus was found; list yours here\n# (like --prometheus-values) if Prometheus is configured through Helm values.")
	writeInitList(&b, "policies", f.policies, func(string) string { return "" },
		"Directories of extra Rego rules (like --policy); paths are relative to this file.",
		"No directory of meshlint Rego rules was found; list yours here (like --policy).")
	writeInitEnvironments(&b, f.environments)
	b.WriteString("\n# Per-rule severity or enabled, e.g.:\n# rules:\n#   monitor-selects-nothing: {enabled: false}\n")
	b.WriteString("# Accepted findings, each with a reason and optionally an expiry date, e.g.:\n")
	b.WriteString("# ignore:\n#   - {rule: plaintext-scrape-of-strict-port, namespace: legacy, reason: \"scraped through merged metrics\", expires: 2027-01-31}\n")
	return []byte(b.String())
}

func writeInitList(b *strings.Builder, key string, items []string, note func(string) string, found, missing string) {
	b.WriteString("\n")
	if len(items) == 0 {
		fmt.Fprintf(b, "# %s\n# %s: []\n", missing, key)
		return
	}
	fmt.Fprintf(b, "# %s\n%s:\n", found, key)
	for _, it := range items {
		line := "  - " + strconv.Quote(it)
		if n := note(it); n != "" {
			line += "   # " + n
		}
		b.WriteString(line + "\n")
	}
}

// yamlComment keeps text from a manifest on one comment line.
func yamlComment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// writeNewFile writes data to path atomically and never over an existing
// file: the data goes to a temporary file beside it, which is then linked
// into place (a link fails if path exists), so a reader never sees half a
// file and a file created meanwhile is not clobbered.
func writeNewFile(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".meshlint.yaml.tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists; meshlint init never overwrites it", path)
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// initEnvironments finds the environments of the tree below dir as a lint
// of dir would (reading only below it), with paths relative to dir.
func initEnvironments(dir string) ([]lint.FoundEnvironment, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	settings := graph.DefaultSettings()
	opts := lint.Options{Paths: []string{abs}, WorkDir: abs, Settings: settings, Limits: loader.DefaultLimits,
		Root: confine.New([]string{abs}, nil)}
	opts.Render.Root = opts.Root
	return lint.FindEnvironments(context.Background(), opts)
}

// writeInitEnvironments writes the environments found, commented out: a
// lint finds them the same way on every run, so the block is there to read
// and to edit when the layout says something else than the clusters do.
func writeInitEnvironments(b *strings.Builder, envs []lint.FoundEnvironment) {
	if len(envs) == 0 {
		b.WriteString("\n# Environments (the meshes linted apart, one per cluster): none found, so the tree is\n")
		b.WriteString("# linted as one mesh. Declare them if it holds several, e.g.:\n")
		b.WriteString("# environments:\n#   - {name: dev, paths: [overlays/dev]}\n#   - {name: prod, paths: [overlays/prod]}\n")
		return
	}
	b.WriteString("\n# Environments (the meshes linted apart, one per cluster) found in the layout. meshlint finds\n")
	b.WriteString("# them like this on every run; uncomment and edit to name them or to change what each holds\n")
	b.WriteString("# (path globs relative to this file; shared paths may appear in several).\n# environments:\n")
	for _, e := range envs {
		paths := make([]string, len(e.Paths))
		for i, p := range e.Paths {
			paths[i] = strconv.Quote(p)
		}
		fmt.Fprintf(b, "#   - name: %s   # %s\n#     paths: [%s]\n", strconv.Quote(e.Name), yamlComment(e.How), strings.Join(paths, ", "))
	}
}
