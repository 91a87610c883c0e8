// Package config reads meshlint's configuration file, .meshlint.yaml
// (README.md, "Configuration"). Every value keeps the line it was read from, so
// mistakes found later (an unknown rule id) can still name file:line.
//
// The file is strict: an unknown key or a value of the wrong type is an
// error naming the key and its line, never silently ignored, because a typo
// in a CI config would otherwise turn a check off without anyone noticing.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/confine"
)

// FileName is the file meshlint looks for in the current directory and its
// parents.
const FileName = ".meshlint.yaml"

// DateLayout is the layout of ignore[].expires.
const DateLayout = "2006-01-02"

// Setting is one scalar value of the file; Set is false when the key is
// absent, so defaults and flags can tell "not configured" from a zero value.
type Setting[T any] struct {
	Value T
	Set   bool
	Line  int
}

// Mesh holds the assumptions about the mesh (README.md, "Assumptions").
type Mesh struct {
	RootNamespace         Setting[string]
	DefaultMode           Setting[string] // STRICT, PERMISSIVE or DISABLE, upper-cased
	EnablePrometheusMerge Setting[bool]
	AssumeInjection       Setting[string] // auto, enabled, disabled or unknown
}

// Rule is the configuration of one rule under rules.<id>.
type Rule struct {
	ID       string
	Line     int
	Severity Setting[string] // error, warning or note
	Enabled  Setting[bool]
}

// Path is a path the file names, made relative to the file's directory.
type Path struct {
	Path    string // usable path: joined with the config file's directory
	Written string // as the file writes it, for messages
	Line    int
}

// Ignore is one ignore entry: findings of Rule on resources matching Kind,
// Namespace and Name (a path.Match glob) are accepted for Reason until
// Expires. Empty Kind, Namespace or Name match anything.
type Ignore struct {
	Rule      string
	Kind      string
	Namespace string
	Name      string
	Reason    string
	Expires   string // YYYY-MM-DD, "" for never; the entry holds through that day (UTC)
	File      string // display path of the config file
	Line      int    // line of the entry
	Column    int
}

// Config is a parsed .meshlint.yaml.
type Config struct {
	File      string // display path of the file
	Mesh      Mesh
	Namespace Setting[string]
	FailOn    Setting[string]
	Rules     []Rule // in file order
	Policies  []Path
	// PrometheusValues are kube-prometheus-stack or Big Bang values files
	// layered, like --prometheus-values, into the one Prometheus they
	// configure: prometheusValues written as a list of file names.
	PrometheusValues []Path
	// PrometheusServers are independent Prometheus servers, each from its
	// own layered values files: prometheusValues written as a list of
	// {files, release, namespace} objects.
	PrometheusServers []PrometheusServer
	Ignore            []Ignore
	Exclude           []Exclude // in file order
	// Environments are the meshes linted apart (environments.go); none
	// means they are found in the input's layout.
	Environments []Environment
	// Sources map GitRepositories of the input to directories of this
	// repository (sources.go).
	Sources []Source
}

// PrometheusServer is one Prometheus that values files configure.
type PrometheusServer struct {
	Files     []Path
	Release   Setting[string] // the Helm release; unset: the chart's default
	Namespace Setting[string] // unset: monitoring
	Line      int
}

// PrometheusValuesFiles are all the values files prometheusValues names,
// in either form.
func (c *Config) PrometheusValuesFiles() []Path {
	out := append([]Path{}, c.PrometheusValues...)
	for _, s := range c.PrometheusServers {
		out = append(out, s.Files...)
	}
	return out
}

// Exclude is one gitignore pattern of exclude:, relative to Base, the
// config file's directory.
type Exclude struct {
	Pattern string
	Base    string
	Line    int
}

// Error is one mistake in the file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Errors are all mistakes found in one file, in line order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return "invalid config: " + strings.Join(lines, "\n  ")
}

// MaxBytes bounds the config file: it holds settings, not data, and it
// may be a pull request's.
const MaxBytes = 1 << 20

// Discover returns the config file in dir or its nearest parent holding
// one, up to the repository dir belongs to (confine.RepositoryRoot: the
// nearest directory holding .git, else dir itself), or "" when there is
// none. A .meshlint.yaml above the repository is not the repository's, and
// a linted pull request must not pick one up from the machine.
func Discover(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", FileName, err)
	}
	top, err := confine.RepositoryRoot(dir)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", FileName, err)
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // RepositoryRoot answers with real paths
	}
	for {
		p := filepath.Join(dir, FileName)
		info, err := os.Lstat(p)
		switch {
		case err == nil && !info.IsDir():
			return p, nil // a link or a FIFO too: Load refuses it, by name
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("find %s: %w", FileName, err)
		}
		parent := filepath.Dir(dir)
		if dir == top || parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Load reads and checks the config file at path through root (nil: read
// anywhere), at most MaxBytes; display is how messages name it. A file that
// is not regular, leaves the root or is too large is refused before a byte
// is read, and no message quotes its content.
func Load(root *confine.Root, path, display string) (*Config, error) {
	c, err := LoadPartial(root, path, display)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// LoadPartial is Load that, when the file has mistakes, also returns what
// could be read of it (see ParsePartial).
func LoadPartial(root *confine.Root, path, display string) (*Config, error) {
	if root == nil {
		root = confine.Unconfined()
	}
	data, err := root.ReadFile(path, MaxBytes, "")
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", display, err)
	}
	return ParsePartial(data, display, filepath.Dir(path))
}

// CheckPaths refuses the policies and prometheusValues entries whose real
// path leaves root: they are written in the file, which may be a pull
// request's, not typed by the user.
func (c *Config) CheckPaths(root *confine.Root) error {
	var errs Errors
	check := func(key string, paths []Path) {
		for i, p := range paths {
			if _, err := root.Resolve(p.Path); err != nil {
				errs = append(errs, &Error{File: c.File, Line: p.Line, Msg: fmt.Sprintf("%s[%d] %q: %v; name it on the command line instead if you trust it", key, i, p.Written, err)})
			}
		}
	}
	check("policies", c.Policies)
	check("prometheusValues", c.PrometheusValues)
	for i, s := range c.PrometheusServers {
		check(fmt.Sprintf("prometheusValues[%d].files", i), s.Files)
	}
	check("sources", sourcePaths(c.Sources))
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Parse reads a config file's bytes. Relative policy paths are joined with
// dir, the directory holding the file.
func Parse(data []byte, display, dir string) (*Config, error) {
	c, err := ParsePartial(data, display, dir)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ParsePartial is Parse that, when the file has mistakes, returns its Errors
// together with the keys that could be read, so that a caller can name the
// mistakes found only later (rule ids unknown to the compiled rules) in the
// same message. A file that is not YAML has no partial config.
func ParsePartial(data []byte, display, dir string) (*Config, error) {
	p := &parser{file: display, dir: dir, cfg: &Config{File: display}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(err)
		return nil, Errors{{File: display, Line: line, Msg: "not valid YAML: " + msg}}
	}
	if len(doc.Content) > 0 {
		p.root(doc.Content[0])
	}
	if len(p.errs) > 0 {
		sortErrors(p.errs)
		return p.cfg, p.errs
	}
	return p.cfg, nil
}

func sortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Line < es[j].Line })
}

// Merge joins two lists of mistakes in one file into one, in line order.
func (es Errors) Merge(more Errors) Errors {
	out := append(append(Errors{}, es...), more...)
	sortErrors(out)
	return out
}

// CheckRuleIDs reports rule ids the file names that no loaded rule has. It
// runs once the engine knows the built-in and --policy rules.
func (c *Config) CheckRuleIDs(known func(id string) bool) error {
	var errs Errors
	for _, r := range c.Rules {
		if !known(r.ID) {
			errs = append(errs, &Error{File: c.File, Line: r.Line, Msg: fmt.Sprintf("rules.%s: unknown rule %q (see 'meshlint rules')", r.ID, r.ID)})
		}
	}
	for i, ig := range c.Ignore {
		if !known(ig.Rule) {
			errs = append(errs, &Error{File: c.File, Line: ig.Line, Msg: fmt.Sprintf("ignore[%d].rule: unknown rule %q (see 'meshlint rules')", i, ig.Rule)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Expired reports whether the entry no longer applies on the UTC date of
// now. An entry expiring 2027-01-31 still holds on that day.
func (ig *Ignore) Expired(now time.Time) bool {
	return ig.Expires != "" && now.UTC().Format(DateLayout) > ig.Expires
}

// Matches reports whether the entry covers a finding of rule on the named
// resource. A finding without a resource matches only an entry that names
// no kind, namespace or name.
func (ig *Ignore) Matches(rule, kind, namespace, name string) bool {
	if ig.Rule != rule {
		return false
	}
	if ig.Kind != "" && ig.Kind != kind {
		return false
	}
	if ig.Namespace != "" && ig.Namespace != namespace {
		return false
	}
	if ig.Name != "" {
		ok, _ := path.Match(ig.Name, name) // validated when parsed
		return ok
	}
	return true
}

// Scope describes what the entry covers, for messages: "ServiceMonitor
// shop/web", "resources in namespace gitlab", "any resource".
func (ig *Ignore) Scope() string {
	what := ig.Kind
	if what == "" {
		what = "resource"
	}
	switch {
	case ig.Namespace != "" && ig.Name != "":
		return what + " " + ig.Namespace + "/" + ig.Name
	case ig.Name != "":
		return what + " named " + ig.Name
	case ig.Namespace != "":
		return what + "s in namespace " + ig.Namespace
	case ig.Kind != "":
		return "every " + ig.Kind
	}
	return "any resource"
}
