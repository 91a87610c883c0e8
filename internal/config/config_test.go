package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/confine"
)

const full = `# every key the README documents
mesh:
  rootNamespace: istio-config
  defaultMode: strict
  enablePrometheusMerge: false
  assumeInjection: enabled
namespace: apps
failOn: warning
rules:
  istio-certs-volume-not-memory: {severity: error}
  monitor-selects-nothing: {enabled: false}
policies: [./policies/extra, /abs/policies]
ignore:
  - {rule: plaintext-scrape-of-strict-port, kind: ServiceMonitor, namespace: gitlab, name: gitlab-*, reason: "scraped through merged metrics", expires: 2027-01-31}
  - rule: podmonitor-under-strict
    reason: "quoted date"
    expires: "2026-06-30"
`

func TestParseFullFile(t *testing.T) {
	c, err := Parse([]byte(full), "conf/.meshlint.yaml", "conf")
	if err != nil {
		t.Fatal(err)
	}
	if c.Mesh.RootNamespace.Value != "istio-config" || c.Mesh.RootNamespace.Line != 3 {
		t.Errorf("rootNamespace = %+v", c.Mesh.RootNamespace)
	}
	if c.Mesh.DefaultMode.Value != "STRICT" {
		t.Errorf("defaultMode = %q, want it upper-cased", c.Mesh.DefaultMode.Value)
	}
	if !c.Mesh.EnablePrometheusMerge.Set || c.Mesh.EnablePrometheusMerge.Value {
		t.Errorf("enablePrometheusMerge = %+v, want set to false", c.Mesh.EnablePrometheusMerge)
	}
	if c.Mesh.AssumeInjection.Value != "enabled" || c.Namespace.Value != "apps" || c.FailOn.Value != "warning" {
		t.Errorf("assumeInjection %q namespace %q failOn %q", c.Mesh.AssumeInjection.Value, c.Namespace.Value, c.FailOn.Value)
	}
	if len(c.Rules) != 2 || c.Rules[0].ID != "istio-certs-volume-not-memory" || c.Rules[0].Severity.Value != "error" ||
		c.Rules[1].Enabled.Value || !c.Rules[1].Enabled.Set || c.Rules[1].Line != 11 {
		t.Errorf("rules = %+v", c.Rules)
	}
	wantPolicies := []string{filepath.Join("conf", "policies", "extra"), "/abs/policies"}
	if len(c.Policies) != 2 || c.Policies[0].Path != wantPolicies[0] || c.Policies[1].Path != wantPolicies[1] {
		t.Errorf("policies = %+v, want %v", c.Policies, wantPolicies)
	}
	if len(c.Ignore) != 2 {
		t.Fatalf("ignore = %+v", c.Ignore)
	}
	ig := c.Ignore[0]
	if ig.Rule != "plaintext-scrape-of-strict-port" || ig.Kind != "ServiceMonitor" || ig.Namespace != "gitlab" ||
		ig.Name != "gitlab-*" || ig.Expires != "2027-01-31" || ig.Line != 14 || ig.File != "conf/.meshlint.yaml" {
		t.Errorf("ignore[0] = %+v", ig)
	}
	if c.Ignore[1].Expires != "2026-06-30" || c.Ignore[1].Line != 15 {
		t.Errorf("ignore[1] = %+v", c.Ignore[1])
	}
}

func TestParseEmptyFile(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "ignore:\nrules:\n"} {
		c, err := Parse([]byte(text), ".meshlint.yaml", ".")
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if c.Namespace.Set || len(c.Ignore) != 0 || len(c.Rules) != 0 {
			t.Errorf("%q: got settings from an empty file: %+v", text, c)
		}
	}
}

// TestParseErrors checks that every mistake names the file, the line and
// the key.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"unknown top-level key", "namespace: a\nfailon: error\n",
			`.meshlint.yaml:2: unknown key "failon" (want one of mesh, namespace, failOn, rules, policies, prometheusValues, ignore`},
		{"unknown nested key", "mesh:\n  rootNamespace: x\n  rootNamspace: y\n",
			`.meshlint.yaml:3: unknown key "mesh.rootNamspace"`},
		{"wrong type bool", "mesh:\n  enablePrometheusMerge: \"yes\"\n",
			`.meshlint.yaml:2: mesh.enablePrometheusMerge: want true or false, got string "yes"`},
		{"wrong type string", "namespace: [a, b]\n",
			`.meshlint.yaml:1: namespace: want a string, got a list`},
		{"number for a string", "namespace: 42\n",
			`.meshlint.yaml:1: namespace: want a string, got number 42`},
		{"bad enum", "\nfailOn: critical\n",
			`.meshlint.yaml:2: failOn: "critical" is not one of error, warning, note, none`},
		{"bad mode", "mesh: {defaultMode: MUTUAL}\n",
			`.meshlint.yaml:1: mesh.defaultMode: "MUTUAL" is not one of STRICT, PERMISSIVE, DISABLE`},
		{"bad severity", "rules:\n  a:\n    severity: fatal\n",
			`.meshlint.yaml:3: rules.a.severity: "fatal" is not one of error, warning, note`},
		{"unknown rule key", "rules:\n  a: {severity: error, level: 3}\n",
			`.meshlint.yaml:2: unknown key "rules.a.level" (want one of severity, enabled)`},
		{"rules not a mapping", "rules: [a]\n",
			`.meshlint.yaml:1: rules: want a mapping of rule ids, got a list`},
		{"empty rule", "rules:\n  a:\n",
			`.meshlint.yaml:2: rules.a: empty`},
		{"policies not a list", "policies: ./p\n",
			`.meshlint.yaml:1: policies: want a list of directories, got string "./p"`},
		{"ignore without reason", "ignore:\n  - {rule: a, name: x}\n",
			`.meshlint.yaml:2: ignore[0]: reason is required`},
		{"ignore with empty reason", "ignore:\n  - rule: a\n    reason: \"  \"\n",
			`.meshlint.yaml:3: ignore[0].reason: must not be empty`},
		{"ignore without rule", "ignore:\n  - {reason: why}\n",
			`.meshlint.yaml:2: ignore[0]: rule is required`},
		{"ignore unknown key", "ignore:\n  - rule: a\n    reason: r\n    namespaces: x\n",
			`.meshlint.yaml:4: unknown key "ignore[0].namespaces"`},
		{"ignore bad date", "ignore:\n  - {rule: a, reason: r, expires: 31/01/2027}\n",
			`.meshlint.yaml:2: ignore[0].expires: want a date such as 2027-01-31, got "31/01/2027"`},
		{"ignore impossible date", "ignore:\n  - {rule: a, reason: r, expires: 2027-02-30}\n",
			`ignore[0].expires: want a date such as 2027-01-31, got "2027-02-30"`},
		{"ignore bad glob", "ignore:\n  - {rule: a, reason: r, name: \"web-[\"}\n",
			`.meshlint.yaml:2: ignore[0].name: "web-[" is not a valid glob`},
		{"ignore entry not a mapping", "ignore:\n  - a\n",
			`.meshlint.yaml:2: ignore[0]: want a mapping`},
		{"duplicate key", "namespace: a\nnamespace: b\n",
			`.meshlint.yaml:2: namespace: given twice (first on line 1)`},
		{"top level list", "- a\n",
			`.meshlint.yaml:1: the file: want a mapping, got a list`},
		{"exclude not a list", "exclude: testdata/\n",
			`.meshlint.yaml:1: exclude: want a list of gitignore patterns`},
		{"exclude empty pattern", "exclude:\n  - testdata/\n  - \"\"\n",
			`.meshlint.yaml:3: exclude[1]: exclude pattern "" is empty`},
		{"exclude comment", "exclude:\n  - \"#x\"\n",
			`.meshlint.yaml:2: exclude[0]: exclude pattern "#x" starts with '#'`},
		{"exclude number", "exclude:\n\n  - 3\n",
			`.meshlint.yaml:3: exclude[0]: want a string, got`},
		{"syntax error", "mesh:\n  rootNamespace: [\n",
			`.meshlint.yaml:2: not valid YAML:`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.text), ".meshlint.yaml", ".")
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T is not config.Errors: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}

func TestParseReportsEveryError(t *testing.T) {
	_, err := Parse([]byte("failon: x\nnamespace: 1\nmesh:\n  nope: 1\n"), "c.yaml", ".")
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 3 {
		t.Fatalf("want 3 errors, got %v", err)
	}
	for i, want := range []int{1, 2, 4} {
		if errs[i].Line != want {
			t.Errorf("error %d on line %d, want %d (errors are in line order)", i, errs[i].Line, want)
		}
	}
}

func TestAliasesResolve(t *testing.T) {
	c, err := Parse([]byte("x: &ns apps\n"), ".meshlint.yaml", ".")
	if err == nil {
		t.Fatalf("unknown key x accepted: %+v", c)
	}
	c, err = Parse([]byte("mesh: {rootNamespace: &ns apps}\nnamespace: *ns\n"), ".meshlint.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	if c.Namespace.Value != "apps" {
		t.Errorf("namespace = %q", c.Namespace.Value)
	}
}

func TestCheckRuleIDs(t *testing.T) {
	c, err := Parse([]byte("rules:\n  known: {enabled: false}\n  typo-rule: {severity: note}\nignore:\n  - {rule: other-typo, reason: r}\n"), "c.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckRuleIDs(func(id string) bool { return id == "known" })
	if err == nil {
		t.Fatal("unknown rule ids accepted")
	}
	for _, want := range []string{`c.yaml:3: rules.typo-rule: unknown rule "typo-rule"`, `c.yaml:5: ignore[0].rule: unknown rule "other-typo"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestIgnoreExpiry(t *testing.T) {
	ig := Ignore{Expires: "2027-01-31"}
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for now, want := range map[string]bool{
		"2027-01-30 12:00": false,
		"2027-01-31 23:59": false, // holds through its last day
		"2027-02-01 00:00": true,
		"2030-01-01 00:00": true,
	} {
		if got := ig.Expired(day(now)); got != want {
			t.Errorf("Expired(%s) = %v, want %v", now, got, want)
		}
	}
	if (&Ignore{}).Expired(day("2999-01-01 00:00")) {
		t.Error("an entry without expires expired")
	}
}

func TestIgnoreMatches(t *testing.T) {
	ig := Ignore{Rule: "r", Kind: "ServiceMonitor", Namespace: "gitlab", Name: "gitlab-*"}
	cases := []struct {
		rule, kind, ns, name string
		want                 bool
	}{
		{"r", "ServiceMonitor", "gitlab", "gitlab-redis", true},
		{"r", "ServiceMonitor", "gitlab", "gitlab", false},
		{"r", "PodMonitor", "gitlab", "gitlab-redis", false},
		{"r", "ServiceMonitor", "other", "gitlab-redis", false},
		{"s", "ServiceMonitor", "gitlab", "gitlab-redis", false},
	}
	for _, c := range cases {
		if got := ig.Matches(c.rule, c.kind, c.ns, c.name); got != c.want {
			t.Errorf("Matches(%s %s %s/%s) = %v, want %v", c.rule, c.kind, c.ns, c.name, got, c.want)
		}
	}
	any := Ignore{Rule: "r"}
	if !any.Matches("r", "", "", "") || !any.Matches("r", "Deployment", "a", "b") {
		t.Error("an entry with only a rule should match every finding of that rule")
	}
}

func TestDiscoverFromSubdirectory(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	// Discovery stops at the repository: mark root as one.
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A directory named like the file is not a config file.
	if err := os.Mkdir(filepath.Join(root, "a", "b", FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Discover(sub)
	if err != nil {
		t.Fatal(err)
	}
	if got != "" {
		t.Fatalf("found %s before any config file exists", got)
	}
	want := filepath.Join(root, "a", FileName)
	if err := os.WriteFile(want, []byte("namespace: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err = Discover(sub); err != nil || got != want {
		t.Fatalf("Discover(%s) = %q, %v; want %q", sub, got, err, want)
	}
	// The nearest one wins.
	nearer := filepath.Join(sub, FileName)
	if err := os.WriteFile(nearer, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ = Discover(sub); got != nearer {
		t.Fatalf("Discover = %q, want the nearest %q", got, nearer)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	_, err := Load(nil, filepath.Join(t.TempDir(), "missing.yaml"), "missing.yaml")
	if err == nil || !strings.Contains(err.Error(), "read config missing.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func TestIgnoreScope(t *testing.T) {
	for ig, want := range map[Ignore]string{
		{Kind: "ServiceMonitor", Namespace: "shop", Name: "web"}: "ServiceMonitor shop/web",
		{Namespace: "shop", Name: "web-*"}:                       "resource shop/web-*",
		{Kind: "PodMonitor", Name: "web"}:                        "PodMonitor named web",
		{Namespace: "gitlab"}:                                    "resources in namespace gitlab",
		{Kind: "ServiceMonitor"}:                                 "every ServiceMonitor",
		{}:                                                       "any resource",
	} {
		if got := ig.Scope(); got != want {
			t.Errorf("%+v.Scope() = %q, want %q", ig, got, want)
		}
	}
}

// TestDiscoverStopsAtTheRepository: a .meshlint.yaml above the repository
// of the working directory is the machine's, not the repository's.
func TestDiscoverStopsAtTheRepository(t *testing.T) {
	outer := t.TempDir()
	if err := os.WriteFile(filepath.Join(outer, FileName), []byte("failOn: none\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(outer, "repo")
	sub := filepath.Join(repo, "deploy")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Discover(sub); err != nil || got != "" {
		t.Fatalf("Discover(%s) = %q, %v; want nothing: the file above the repository is not its", sub, got, err)
	}
	// Without a .git, only the directory itself is searched.
	plain := filepath.Join(outer, "plain", "sub")
	if err := os.MkdirAll(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Discover(plain); err != nil || got != "" {
		t.Fatalf("Discover(%s) = %q, %v; want nothing outside a repository", plain, got, err)
	}
}

// TestLoadRefusesHostileFiles: a config file that is a link leaving the
// root, a link to a device, a FIFO or too large is refused by name, without
// blocking and without quoting what it holds.
func TestLoadRefusesHostileFiles(t *testing.T) {
	const canary = "CANARYconfigq9: x\n"
	outside := filepath.Join(t.TempDir(), "canary.yaml")
	if err := os.WriteFile(outside, []byte(canary), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, make := range map[string]func(p string) error{
		"link to a file outside": func(p string) error { return os.Symlink(outside, p) },
		"link to /dev/zero":      func(p string) error { return os.Symlink("/dev/zero", p) },
		"fifo":                   func(p string) error { return mkfifo(p) },
		"too large": func(p string) error {
			return os.WriteFile(p, []byte("# "+strings.Repeat("x", MaxBytes)+"\n"), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, FileName)
			if err := make(p); err != nil {
				t.Skip(err)
			}
			root := confine.New([]string{dir}, nil)
			_, err := Load(root, p, FileName)
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), "read config "+FileName+": ") || strings.Contains(err.Error(), "CANARY") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// TestCheckPathsKeepsEntriesInside: policies and prometheusValues written in
// the file must stay in the root.
func TestCheckPathsKeepsEntriesInside(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo", "sub")
	if err := os.MkdirAll(filepath.Join(dir, "policies"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse([]byte("policies: [./policies, ../../outside]\nprometheusValues: [/etc/passwd]\n"), FileName, dir)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.CheckPaths(confine.New([]string{filepath.Dir(dir)}, nil))
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("err = %v, want the two entries outside", err)
	}
	if !strings.Contains(errs[0].Error(), FileName+":1: policies[1] \"../../outside\": leaves the repository") ||
		!strings.Contains(errs[1].Error(), FileName+":2: prometheusValues[0] \"/etc/passwd\": leaves the repository") {
		t.Errorf("errors: %v", err)
	}
}

func TestParsePartialKeepsWhatItCouldRead(t *testing.T) {
	c, err := ParsePartial([]byte("failon: x\nnamespace: apps\nrules:\n  typo-rule: {severity: note}\n"), "c.yaml", ".")
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || c == nil {
		t.Fatalf("config %+v, error %v; want the partial config and 1 error", c, err)
	}
	if c.Namespace.Value != "apps" || len(c.Rules) != 1 || c.Rules[0].ID != "typo-rule" {
		t.Errorf("partial config %+v lacks the keys that parsed", c)
	}
	if c, err := Parse([]byte("failon: x\n"), "c.yaml", "."); c != nil || err == nil {
		t.Errorf("Parse returned config %+v, error %v; want nil and the error", c, err)
	}
	if c, err := ParsePartial([]byte("a: [\n"), "c.yaml", "."); c != nil || err == nil {
		t.Errorf("not YAML: config %+v, error %v; want nil and the error", c, err)
	}
}

// TestExcludeKeepsOrderAndBase: patterns keep the file's order and line,
// anchored to the directory of the config file.
func TestExcludeKeepsOrderAndBase(t *testing.T) {
	c, err := Parse([]byte("exclude:\n  - testdata/\n  - \"!testdata/keep.yaml\"\n"), "repo/.meshlint.yaml", "repo")
	if err != nil {
		t.Fatal(err)
	}
	want := []Exclude{{"testdata/", "repo", 2}, {"!testdata/keep.yaml", "repo", 3}}
	if !slices.Equal(c.Exclude, want) {
		t.Errorf("exclude %+v, want %+v", c.Exclude, want)
	}
}
