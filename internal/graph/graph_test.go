package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

// build loads YAML text as one file and resolves it.
func build(t *testing.T, text string, mutate ...func(*Settings)) *Graph {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{Kinds: ReadsKind, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("unexpected load problems: %+v", res.Problems)
	}
	s := DefaultSettings()
	for _, m := range mutate {
		m(&s)
	}
	g := Build(res.Documents, s)
	if len(g.Problems) > 0 {
		t.Fatalf("unexpected graph problems: %+v", g.Problems)
	}
	return g
}

func workload(t *testing.T, g *Graph, name string) *Workload {
	t.Helper()
	for _, w := range g.Workloads {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no workload %s", name)
	return nil
}

func pa(ns, name, spec string) string {
	return "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" + indent(spec, "  ") + "\n"
}

func deploy(ns, name, labels, annotations, extraSpec string) string {
	if annotations == "" {
		annotations = "{}"
	}
	return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n  template:\n    metadata:\n      labels: " + labels +
		"\n      annotations: " + annotations + "\n    spec:\n" + indent(extraSpec, "      ") + "\n      containers:\n        - name: app\n          ports:\n            - {name: metrics, containerPort: 9090}\n            - {name: http, containerPort: 8080}\n"
}

func namespace(name, labels string) string {
	return "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + ", labels: " + labels + "}\n"
}

func indent(s, prefix string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}

// docs/model.md#peer-authentication-scope: scope classification.
func TestClassifyScope(t *testing.T) {
	g := build(t, pa("istio-system", "mesh", "mtls: {mode: STRICT}")+
		pa("istio-system", "rooted-selector", "selector: {matchLabels: {app: a}}")+
		pa("shop", "ns", "mtls: {mode: STRICT}")+
		pa("shop", "empty-selector", "selector: {}")+
		pa("shop", "empty-match-labels", "selector: {matchLabels: {}}")+
		pa("shop", "wl", "selector: {matchLabels: {app: a}}"))
	want := map[string]Scope{"mesh": ScopeMesh, "rooted-selector": ScopeIgnored, "ns": ScopeNamespace,
		"empty-selector": ScopeNamespace, "empty-match-labels": ScopeNamespace, "wl": ScopeWorkload}
	for _, p := range g.PeerAuths {
		if p.Scope != want[p.Name] {
			t.Errorf("%s: scope %s, want %s", p.Name, p.Scope, want[p.Name])
		}
	}
	// The root namespace is a setting.
	g = build(t, pa("mesh-root", "mesh", "mtls: {mode: STRICT}"), func(s *Settings) { s.RootNamespace = "mesh-root" })
	if g.PeerAuths[0].Scope != ScopeMesh {
		t.Errorf("custom root namespace: scope %s, want mesh", g.PeerAuths[0].Scope)
	}
}

// docs/model.md#peer-authentication-precedence, docs/model.md#mtls-mode-resolution:
// mode resolution.
func TestEffectiveMode(t *testing.T) {
	cases := []struct {
		name     string
		policies string
		port     int
		mode     Mode
		level    string
		settings func(*Settings)
	}{
		{"no policy: Istio default", "", 9090, ModePermissive, "default", nil},
		{"no policy: --mesh-mtls", "", 9090, ModeStrict, "default", func(s *Settings) { s.MeshDefaultMode = ModeStrict }},
		{"mesh STRICT", pa("istio-system", "default", "mtls: {mode: STRICT}"), 9090, ModeStrict, "mesh", nil},
		{"mesh UNSET means PERMISSIVE even with --mesh-mtls", pa("istio-system", "default", "mtls: {}"), 9090, ModePermissive, "mesh",
			func(s *Settings) { s.MeshDefaultMode = ModeStrict }},
		{"namespace overrides mesh", pa("istio-system", "default", "mtls: {mode: STRICT}") + pa("shop", "default", "mtls: {mode: PERMISSIVE}"), 9090, ModePermissive, "namespace", nil},
		{"namespace UNSET inherits mesh", pa("istio-system", "default", "mtls: {mode: STRICT}") + pa("shop", "default", "mtls: {mode: UNSET}"), 9090, ModeStrict, "mesh", nil},
		{"workload overrides namespace", pa("shop", "default", "mtls: {mode: STRICT}") + pa("shop", "wl", "selector: {matchLabels: {app: cart}}\nmtls: {mode: DISABLE}"), 9090, ModeDisable, "workload", nil},
		{"workload selector not matching", pa("shop", "default", "mtls: {mode: STRICT}") + pa("shop", "wl", "selector: {matchLabels: {app: other}}\nmtls: {mode: DISABLE}"), 9090, ModeStrict, "namespace", nil},
		{"port entry, int key", pa("shop", "default", "mtls: {mode: STRICT}") + pa("shop", "wl", "selector: {matchLabels: {app: cart}}\nportLevelMtls:\n  9090: {mode: PERMISSIVE}"), 9090, ModePermissive, "port", nil},
		{"port entry, quoted key", pa("shop", "default", "mtls: {mode: STRICT}") + pa("shop", "wl", "selector: {matchLabels: {app: cart}}\nportLevelMtls:\n  \"9090\": {mode: PERMISSIVE}"), 9090, ModePermissive, "port", nil},
		{"port entry for another port: other ports inherit", pa("shop", "default", "mtls: {mode: STRICT}") + pa("shop", "wl", "selector: {matchLabels: {app: cart}}\nportLevelMtls:\n  9090: {mode: PERMISSIVE}"), 8080, ModeStrict, "namespace", nil},
		{"port entry UNSET inherits the workload mode", pa("shop", "default", "mtls: {mode: PERMISSIVE}") + pa("shop", "wl", "selector: {matchLabels: {app: cart}}\nmtls: {mode: STRICT}\nportLevelMtls:\n  9090: {mode: UNSET}"), 9090, ModeStrict, "workload", nil},
		{"port entry UNSET credits the inherited level", pa("shop", "default", "mtls: {mode: STRICT}") + pa("shop", "wl", "selector: {matchLabels: {app: cart}}\nportLevelMtls:\n  9090: {mode: UNSET}"), 9090, ModeStrict, "namespace", nil},
		{"port entries on a namespace policy are ignored", pa("shop", "default", "mtls: {mode: STRICT}\nportLevelMtls:\n  9090: {mode: PERMISSIVE}"), 9090, ModeStrict, "namespace", nil},
		{"selector policy in the root namespace is ignored", pa("istio-system", "wl", "selector: {matchLabels: {app: cart}}\nmtls: {mode: STRICT}"), 9090, ModePermissive, "default", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			muts := []func(*Settings){}
			if c.settings != nil {
				muts = append(muts, c.settings)
			}
			g := build(t, namespace("shop", "{istio-injection: enabled}")+deploy("shop", "cart", "{app: cart}", "", "")+c.policies, muts...)
			d := g.EffectiveMode(workload(t, g, "cart"), c.port)
			if d.Mode != c.mode || d.Level != c.level {
				t.Errorf("got %s at level %s (%s), want %s at level %s", d.Mode, d.Level, d.Explain(), c.mode, c.level)
			}
		})
	}
}

// In ambient, istiod exempts the port entries of a workload policy that
// inherits STRICT only when one of them is PERMISSIVE (istio
// pilot/pkg/serviceregistry/ambient/authorization.go); DISABLE alone stays
// STRICT, DISABLE beside PERMISSIVE is exempted.
func TestEffectiveModeAmbientDisableEntries(t *testing.T) {
	wl := func(ports string) string {
		return pa("shop", "default", "mtls: {mode: STRICT}") + pa("shop", "wl", "selector: {matchLabels: {app: cart}}\nportLevelMtls:\n"+indent(ports, "  "))
	}
	cases := []struct {
		name      string
		policies  string
		nsLabels  string
		mode      Mode
		level     string
		wantsNote bool
	}{
		{"ambient, only DISABLE entries: stays STRICT", wl("9090: {mode: DISABLE}"), "{istio.io/dataplane-mode: ambient}", ModeStrict, "namespace", true},
		{"ambient, DISABLE beside PERMISSIVE: exempted", wl("9090: {mode: DISABLE}\n8080: {mode: PERMISSIVE}"), "{istio.io/dataplane-mode: ambient}", ModePermissive, "port", false},
		{"ambient, DISABLE under an explicit STRICT workload mode: exempted", pa("shop", "wl", "selector: {matchLabels: {app: cart}}\nmtls: {mode: STRICT}\nportLevelMtls:\n  9090: {mode: DISABLE}"), "{istio.io/dataplane-mode: ambient}", ModePermissive, "port", false},
		{"sidecar, only DISABLE entries: DISABLE", wl("9090: {mode: DISABLE}"), "{istio-injection: enabled}", ModeDisable, "port", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := build(t, namespace("shop", c.nsLabels)+deploy("shop", "cart", "{app: cart}", "", "")+c.policies)
			d := g.EffectiveMode(workload(t, g, "cart"), 9090)
			if d.Mode != c.mode || d.Level != c.level || (d.Note != "") != c.wantsNote {
				t.Errorf("got %s at level %s (%s), want %s at level %s, note %v", d.Mode, d.Level, d.Explain(), c.mode, c.level, c.wantsNote)
			}
		})
	}
}

// A mode that rests on no mesh-wide policy in the input names its source,
// whether Istio's default or a setting.
func TestMeshModeAssumption(t *testing.T) {
	text := namespace("shop", "{istio-injection: enabled}") + deploy("shop", "cart", "{app: cart}", "", "")
	for _, c := range []struct {
		name string
		mut  func(*Settings)
		want string
	}{
		{"Istio default", func(*Settings) {}, "Istio's default PERMISSIVE applies; if the mesh sets another mode, pass --mesh-mtls"},
		{"flag", func(s *Settings) {
			s.MeshDefaultMode, s.MeshModeExplicit, s.MeshModeSource = ModeStrict, true, "--mesh-mtls"
		}, "the mesh is STRICT as --mesh-mtls declares"},
		{"config", func(s *Settings) {
			s.MeshDefaultMode, s.MeshModeExplicit, s.MeshModeSource = ModeDisable, true, "mesh.defaultMode in the config file"
		}, "the mesh is DISABLE as mesh.defaultMode in the config file declares"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := build(t, text, c.mut)
			if d := g.EffectiveMode(workload(t, g, "cart"), 9090); !strings.Contains(d.Assumed, c.want) {
				t.Errorf("assumption %q does not contain %q", d.Assumed, c.want)
			}
		})
	}
	g := build(t, text+pa("istio-system", "default", "mtls: {mode: STRICT}"))
	if d := g.EffectiveMode(workload(t, g, "cart"), 9090); d.Assumed != "" {
		t.Errorf("a mesh-wide policy in the input leaves nothing assumed, got %q", d.Assumed)
	}
}

// docs/model.md#peer-authentication-precedence: several policies at one level are ambiguous; the name sorting first
// is the best guess.
func TestAmbiguousPolicies(t *testing.T) {
	g := build(t, deploy("shop", "cart", "{app: cart}", "", "")+
		pa("shop", "zeta", "mtls: {mode: PERMISSIVE}")+pa("shop", "alpha", "mtls: {mode: STRICT}"))
	d := g.EffectiveMode(workload(t, g, "cart"), 9090)
	if d.Mode != ModeStrict || d.Policy.Name != "alpha" || len(d.Ambiguous) != 1 || d.Ambiguous[0].Name != "zeta" {
		t.Errorf("got %s from %s with %d ambiguous", d.Mode, d.Policy.Name, len(d.Ambiguous))
	}
	if !strings.Contains(d.Explain(), "best guess") {
		t.Errorf("explanation does not mention the ambiguity: %s", d.Explain())
	}
}

// In a cluster export (uid and resourceVersion set) the creation times are
// the API server's: the oldest policy wins whatever its name, and nothing is
// ambiguous. A timestamp in a Git manifest decides nothing.
func TestClusterExportOrdersPolicies(t *testing.T) {
	exported := func(name, mode, created string) string {
		return "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: " + name +
			", namespace: shop, uid: 0b6a-" + name + ", resourceVersion: \"42\", creationTimestamp: \"" + created + "\"}\nspec:\n  mtls: {mode: " + mode + "}\n"
	}
	g := build(t, deploy("shop", "cart", "{app: cart}", "", "")+
		exported("zeta", "PERMISSIVE", "2024-01-01T10:00:00Z")+exported("alpha", "STRICT", "2024-02-01T10:00:00Z"))
	d := g.EffectiveMode(workload(t, g, "cart"), 9090)
	if d.Mode != ModePermissive || d.Policy.Name != "zeta" || len(d.Ambiguous) != 0 {
		t.Errorf("cluster export: got %s from %s with %d ambiguous, want PERMISSIVE from the older zeta, none ambiguous", d.Mode, d.Policy.Name, len(d.Ambiguous))
	}
	git := strings.ReplaceAll(exported("zeta", "PERMISSIVE", "2024-01-01T10:00:00Z"), "uid: 0b6a-zeta, resourceVersion: \"42\", ", "") +
		strings.ReplaceAll(exported("alpha", "STRICT", "2024-02-01T10:00:00Z"), "uid: 0b6a-alpha, resourceVersion: \"42\", ", "")
	g = build(t, deploy("shop", "cart", "{app: cart}", "", "")+git)
	d = g.EffectiveMode(workload(t, g, "cart"), 9090)
	if d.Policy.Name != "alpha" || len(d.Ambiguous) != 1 {
		t.Errorf("git manifests: got %s with %d ambiguous, want the name order's alpha and one ambiguous", d.Policy.Name, len(d.Ambiguous))
	}
	conflicts := g.Facts().PeerAuthReview.Conflicts
	if len(conflicts) != 1 || conflicts[0].FromCluster || !conflicts[0].TimestampWritten {
		t.Errorf("git manifests with timestamps: conflicts %+v, want one not from a cluster with a written timestamp", conflicts)
	}
}

// docs/model.md#injection-webhooks, docs/model.md#injection-decision,
// docs/model.md#ambient-enrollment: injection.
func TestDecideInjection(t *testing.T) {
	cases := []struct {
		name        string
		ns          string // Namespace manifest, or "" for none
		labels      string
		annotations string
		spec        string
		settings    func(*Settings)
		want        Dataplane
	}{
		{"istio-injection=enabled", namespace("shop", "{istio-injection: enabled}"), "{app: cart}", "", "", nil, DataplaneSidecar},
		{"istio-injection=enabled, pod label false", namespace("shop", "{istio-injection: enabled}"), "{app: cart, sidecar.istio.io/inject: \"false\"}", "", "", nil, DataplaneNone},
		{"istio-injection=enabled, pod annotation false", namespace("shop", "{istio-injection: enabled}"), "{app: cart}", "{sidecar.istio.io/inject: \"false\"}", "", nil, DataplaneNone},
		{"label true wins over annotation false", namespace("shop", "{istio-injection: enabled}"), "{app: cart, sidecar.istio.io/inject: \"true\"}", "{sidecar.istio.io/inject: \"false\"}", "", nil, DataplaneSidecar},
		{"istio-injection=disabled beats pod label true", namespace("shop", "{istio-injection: disabled}"), "{app: cart, sidecar.istio.io/inject: \"true\"}", "", "", nil, DataplaneNone},
		{"istio-injection wins over istio.io/rev", namespace("shop", "{istio-injection: disabled, istio.io/rev: canary}"), "{app: cart}", "", "", nil, DataplaneNone},
		{"istio.io/rev on the namespace", namespace("shop", "{istio.io/rev: canary}"), "{app: cart}", "", "", nil, DataplaneSidecar},
		{"unlabeled namespace", namespace("shop", "{}"), "{app: cart}", "", "", nil, DataplaneNone},
		{"unlabeled namespace, pod label true", namespace("shop", "{}"), "{app: cart, sidecar.istio.io/inject: \"true\"}", "", "", nil, DataplaneSidecar},
		{"unlabeled namespace, pod label istio.io/rev", namespace("shop", "{}"), "{app: cart, istio.io/rev: canary}", "", "", nil, DataplaneSidecar},
		{"unlabeled namespace, annotation true cannot opt in", namespace("shop", "{}"), "{app: cart}", "{sidecar.istio.io/inject: \"true\"}", "", nil, DataplaneNone},
		{"hostNetwork", namespace("shop", "{istio-injection: enabled}"), "{app: cart}", "", "hostNetwork: true", nil, DataplaneNone},
		{"ambient namespace", namespace("shop", "{istio.io/dataplane-mode: ambient}"), "{app: cart}", "", "", nil, DataplaneAmbient},
		{"ambient namespace, pod opts out", namespace("shop", "{istio.io/dataplane-mode: ambient}"), "{app: cart, istio.io/dataplane-mode: none}", "", "", nil, DataplaneNone},
		{"sidecar wins over ambient", namespace("shop", "{istio-injection: enabled, istio.io/dataplane-mode: ambient}"), "{app: cart}", "", "", nil, DataplaneSidecar},
		{"pod label ambient", namespace("shop", "{}"), "{app: cart, istio.io/dataplane-mode: ambient}", "", "", nil, DataplaneAmbient},
		{"no Namespace manifest, no Istio evidence", "", "{app: cart}", "", "", nil, DataplaneUnknown},
		{"no Namespace manifest, a PeerAuthentication names it", pa("shop", "default", "mtls: {mode: STRICT}"), "{app: cart}", "", "", nil, DataplaneSidecar},
		{"no Namespace manifest, --assume-injection=enabled", "", "{app: cart}", "", "", func(s *Settings) { s.AssumeInjection = "enabled" }, DataplaneSidecar},
		{"no Namespace manifest, --assume-injection=disabled", pa("shop", "default", "mtls: {mode: STRICT}"), "{app: cart}", "", "", func(s *Settings) { s.AssumeInjection = "disabled" }, DataplaneNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			muts := []func(*Settings){}
			if c.settings != nil {
				muts = append(muts, c.settings)
			}
			g := build(t, c.ns+deploy("shop", "cart", c.labels, c.annotations, c.spec), muts...)
			inj := workload(t, g, "cart").Injection
			if inj.Dataplane != c.want {
				t.Errorf("got %s (%s), want %s", inj.Dataplane, inj.Reason, c.want)
			}
		})
	}
	// Ignored system namespaces.
	g := build(t, namespace("kube-system", "{istio-injection: enabled}")+deploy("kube-system", "dns", "{app: dns}", "", ""))
	if d := workload(t, g, "dns").Injection.Dataplane; d != DataplaneNone {
		t.Errorf("kube-system: got %s, want none", d)
	}
	// The assumption is stated.
	g = build(t, pa("shop", "default", "mtls: {mode: STRICT}")+deploy("shop", "cart", "{app: cart}", "", ""))
	if a := workload(t, g, "cart").Injection.Assumed; !strings.Contains(a, "PeerAuthentication shop/default") {
		t.Errorf("assumption not explained: %q", a)
	}
}

// docs/model.md#uncaptured-ports: capture.
func TestCaptured(t *testing.T) {
	w := &Workload{Annotations: map[string]string{}}
	for _, p := range []int{15020, 15021, 15090} {
		if ok, _ := w.Captured(p); ok {
			t.Errorf("port %d must never be captured", p)
		}
	}
	if ok, _ := w.Captured(9090); !ok {
		t.Error("9090 is captured by default")
	}
	w.Annotations["traffic.sidecar.istio.io/excludeInboundPorts"] = "8080, 9090"
	if ok, _ := w.Captured(9090); ok {
		t.Error("excluded port is captured")
	}
	w.Annotations = map[string]string{"traffic.sidecar.istio.io/includeInboundPorts": "8080"}
	if ok, _ := w.Captured(9090); ok {
		t.Error("port outside includeInboundPorts is captured")
	}
	if ok, _ := w.Captured(8080); !ok {
		t.Error("port in includeInboundPorts is not captured")
	}
	w.Annotations = map[string]string{"traffic.sidecar.istio.io/includeInboundPorts": ""}
	if ok, _ := w.Captured(8080); ok {
		t.Error(`includeInboundPorts "" captures nothing`)
	}
	w.Annotations = map[string]string{"status.sidecar.istio.io/port": "15999"}
	if ok, _ := w.Captured(15999); ok {
		t.Error("a custom status port is never captured")
	}
	if ok, _ := w.Captured(15020); !ok {
		t.Error("15020 is an ordinary port when the status port moved")
	}
}

// docs/model.md#label-selectors: label selectors.
func TestLabelSelector(t *testing.T) {
	labels := map[string]string{"app": "cart", "tier": "web"}
	cases := []struct {
		sel  any
		want bool
	}{
		{nil, false},
		{map[string]any{}, true},
		{map[string]any{"matchLabels": map[string]any{"app": "cart"}}, true},
		{map[string]any{"matchLabels": map[string]any{"app": "other"}}, false},
		{expr("app", "In", "cart", "x"), true},
		{expr("app", "In", "x"), false},
		{expr("app", "NotIn", "x"), true},
		{expr("missing", "NotIn", "x"), true},
		{expr("app", "NotIn", "cart"), false},
		{expr("tier", "Exists"), true},
		{expr("missing", "Exists"), false},
		{expr("missing", "DoesNotExist"), true},
		{expr("app", "DoesNotExist"), false},
	}
	for _, c := range cases {
		sel, err := parseLabelSelector(c.sel, "/s")
		if err != nil {
			t.Fatalf("%v: %v", c.sel, err)
		}
		if got := sel.Matches(labels); got != c.want {
			t.Errorf("%v (%s): got %v, want %v", c.sel, sel, got, c.want)
		}
	}
	if _, err := parseLabelSelector(map[string]any{"matchExpressions": []any{map[string]any{"key": "a", "operator": "Like"}}}, "/s"); err == nil {
		t.Error("unknown operator accepted")
	}
	if _, err := parseLabelSelector([]any{"app"}, "/s"); err == nil {
		t.Error("a list accepted as a selector")
	}
}

func expr(key, op string, values ...string) map[string]any {
	vs := make([]any, len(values))
	for i, v := range values {
		vs[i] = v
	}
	return map[string]any{"matchExpressions": []any{map[string]any{"key": key, "operator": op, "values": vs}}}
}

const monitorApp = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
        - name: app
          ports:
            - {name: metrics, containerPort: 9090}
            - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {svc: cart}}
spec:
  selector: {app: cart}
  ports:
    - {name: web, port: 80, targetPort: http}
    - {name: prom, port: 8081, targetPort: 9090}
    - {port: 7000}
`

func monitor(kind, ns, spec string) string {
	return "---\napiVersion: monitoring.coreos.com/v1\nkind: " + kind + "\nmetadata: {name: m, namespace: " + ns + ", labels: {team: a}}\nspec:\n" + indent(spec, "  ") + "\n"
}

func targetPorts(g *Graph) []int {
	var out []int
	for _, m := range g.Monitors {
		for i := range m.Endpoints {
			for _, t := range g.Targets(m, &m.Endpoints[i]) {
				out = append(out, t.Port)
			}
		}
	}
	return out
}

// docs/model.md#servicemonitor-ports, docs/model.md#podmonitor-ports,
// docs/model.md#service-selector, docs/model.md#service-target-port: monitor targets.
func TestTargets(t *testing.T) {
	cases := []struct {
		name    string
		monitor string
		want    []int
	}{
		{"ServiceMonitor port names a Service port; named targetPort resolves", monitor("ServiceMonitor", "shop", "selector: {matchLabels: {svc: cart}}\nendpoints: [{port: web}]"), []int{8080}},
		{"numbered targetPort", monitor("ServiceMonitor", "shop", "selector: {matchLabels: {svc: cart}}\nendpoints: [{port: prom}]"), []int{9090}},
		{"port is a name, never a number", monitor("ServiceMonitor", "shop", "selector: {matchLabels: {svc: cart}}\nendpoints: [{port: \"8081\"}]"), nil},
		{"targetPort matches the container port", monitor("ServiceMonitor", "shop", "selector: {matchLabels: {svc: cart}}\nendpoints: [{targetPort: metrics}]"), []int{9090}},
		{"selector matches Service labels, not pod labels", monitor("ServiceMonitor", "shop", "selector: {matchLabels: {app: cart}}\nendpoints: [{port: web}]"), nil},
		{"own namespace only by default", monitor("ServiceMonitor", "monitoring", "selector: {matchLabels: {svc: cart}}\nendpoints: [{port: web}]"), nil},
		{"matchNames", monitor("ServiceMonitor", "monitoring", "selector: {matchLabels: {svc: cart}}\nnamespaceSelector: {matchNames: [shop]}\nendpoints: [{port: web}]"), []int{8080}},
		{"any", monitor("ServiceMonitor", "monitoring", "selector: {matchLabels: {svc: cart}}\nnamespaceSelector: {any: true}\nendpoints: [{port: web}]"), []int{8080}},
		{"PodMonitor port names a container port", monitor("PodMonitor", "shop", "selector: {matchLabels: {app: cart}}\npodMetricsEndpoints: [{port: metrics}]"), []int{9090}},
		{"PodMonitor portNumber", monitor("PodMonitor", "shop", "selector: {matchLabels: {app: cart}}\npodMetricsEndpoints: [{portNumber: 8080}]"), []int{8080}},
		{"PodMonitor portNumber not declared", monitor("PodMonitor", "shop", "selector: {matchLabels: {app: cart}}\npodMetricsEndpoints: [{portNumber: 1234}]"), nil},
		{"relabelings decide: unresolved", monitor("PodMonitor", "shop", "selector: {matchLabels: {app: cart}}\npodMetricsEndpoints: [{relabelings: [{action: keep, sourceLabels: [a]}]}]"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := build(t, monitorApp+c.monitor)
			got := targetPorts(g)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("targets %v, want %v", got, c.want)
			}
		})
	}
	// An empty Service selector selects no pods.
	g := build(t, monitorApp+"---\napiVersion: v1\nkind: Service\nmetadata: {name: ext, namespace: shop, labels: {svc: ext}}\nspec:\n  ports: [{name: web, port: 80}]\n"+
		monitor("ServiceMonitor", "shop", "selector: {matchLabels: {svc: ext}}\nendpoints: [{port: web}]"))
	if got := targetPorts(g); len(got) != 0 {
		t.Errorf("selectorless Service: targets %v", got)
	}
}

func prometheus(spec string) string {
	return "---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: monitoring}\nspec:\n" + indent(spec, "  ") + "\n"
}

// docs/model.md#monitor-selection: which Prometheus selects which monitor; null and empty differ.
func TestSelects(t *testing.T) {
	cases := []struct {
		name, spec, monitorNS string
		want                  bool
	}{
		{"null selector selects nothing", "serviceMonitorNamespaceSelector: {}", "shop", false},
		{"empty selector, null namespace selector: own namespace only", "serviceMonitorSelector: {}", "shop", false},
		{"empty selector, own namespace", "serviceMonitorSelector: {}", "monitoring", true},
		{"empty selector, empty namespace selector", "serviceMonitorSelector: {}\nserviceMonitorNamespaceSelector: {}", "shop", true},
		{"label selector matches", "serviceMonitorSelector: {matchLabels: {team: a}}\nserviceMonitorNamespaceSelector: {}", "shop", true},
		{"label selector misses", "serviceMonitorSelector: {matchLabels: {team: b}}\nserviceMonitorNamespaceSelector: {}", "shop", false},
		{"namespace selector by labels", "serviceMonitorSelector: {}\nserviceMonitorNamespaceSelector: {matchLabels: {monitored: \"yes\"}}", "shop", true},
		{"namespace selector by the name label", "serviceMonitorSelector: {}\nserviceMonitorNamespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}", "shop", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := build(t, namespace("shop", "{monitored: \"yes\"}")+namespace("monitoring", "{}")+prometheus(c.spec)+
				monitor("ServiceMonitor", c.monitorNS, "selector: {}\nendpoints: [{port: web}]"))
			if got := g.Selects(g.Prometheus[0], g.Monitors[0]); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// docs/model.md#scrape-classes: scrape class TLS merge.
func TestEffectiveTLS(t *testing.T) {
	classes := `scrapeClasses:
  - name: istio
    default: true
    tlsConfig:
      caFile: /etc/istio-certs/root-cert.pem
      certFile: /etc/istio-certs/cert-chain.pem
      keyFile: /etc/istio-certs/key.pem
      insecureSkipVerify: true
  - name: plain`
	cases := []struct {
		name, endpoint, class string
		wantFiles             int
		wantSkip              bool
		wantClass             string
	}{
		{"no tlsConfig: the default class wholesale", "{port: web}", "", 3, true, "istio"},
		{"own tlsConfig: files filled field by field, skip verify stays the monitor's", "{port: web, tlsConfig: {caFile: /own/ca.crt}}", "", 3, false, "istio"},
		{"a Secret CA blocks the class caFile", "{port: web, tlsConfig: {ca: {secret: {name: s, key: ca}}}}", "", 2, false, "istio"},
		{"a named class without TLS", "{port: web}", "plain", 0, false, "plain"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := "selector: {}\nendpoints: [" + c.endpoint + "]"
			if c.class != "" {
				spec = "scrapeClass: " + c.class + "\n" + spec
			}
			g := build(t, prometheus("serviceMonitorSelector: {}\n"+classes)+monitor("ServiceMonitor", "monitoring", spec))
			m := g.Monitors[0]
			tls, class, known := EffectiveTLS(m, &m.Endpoints[0], g.Prometheus[0])
			if len(tls.Files) != c.wantFiles || tls.InsecureSkipVerify != c.wantSkip || class != c.wantClass || !known {
				t.Errorf("files %d skip %v class %q known %v; want %d %v %q", len(tls.Files), tls.InsecureSkipVerify, class, known, c.wantFiles, c.wantSkip, c.wantClass)
			}
		})
	}
}

// docs/model.md#peer-authentication-validation: invalid PeerAuthentications become problems, not guesses.
func TestInvalidPeerAuthentication(t *testing.T) {
	for _, spec := range []string{"portLevelMtls:\n  abc: {mode: STRICT}", "portLevelMtls:\n  0: {mode: STRICT}", "portLevelMtls:\n  70000: {mode: STRICT}", "mtls: {mode: BLAH}", "portLevelMtls: [9090]"} {
		dir := t.TempDir()
		text := pa("shop", "bad", "selector: {matchLabels: {app: a}}\n"+spec)
		if err := os.WriteFile(filepath.Join(dir, "in.yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := loader.Load([]string{dir}, loader.Options{Kinds: ReadsKind, WorkDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		g := Build(res.Documents, DefaultSettings())
		if len(g.Problems) != 1 || len(g.PeerAuths) != 0 {
			t.Errorf("%q: problems %+v, policies %d", spec, g.Problems, len(g.PeerAuths))
		}
	}
}

// A PeerAuthentication without metadata.namespace lands in --namespace only
// when applied without -n or outside a Helm release: a mode that rests on
// where it lands says so, and one it cannot touch does not.
func TestFloatingPolicyAssumption(t *testing.T) {
	floating := func(name, spec string) string {
		return "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: " + name + "}\nspec:\n" + indent(spec, "  ") + "\n"
	}
	floatingDeploy := strings.Replace(deploy("default", "cart", "{app: cart}", "", ""), ", namespace: default", "", 1)
	cases := []struct {
		name, input string
		want        string // substring of the assumption; "" for none about a namespace-less policy
	}{
		{"selects the workload from another namespace",
			deploy("shop", "cart", "{app: cart}", "", "") + floating("cart-strict", "selector: {matchLabels: {app: cart}}\nmtls: {mode: STRICT}"),
			"PeerAuthentication default/cart-strict has no metadata.namespace and is taken to be in namespace default (--namespace); in namespace shop it would make this port STRICT"},
		{"namespace-wide, from another namespace",
			deploy("shop", "cart", "{app: cart}", "", "") + floating("ns-strict", "mtls: {mode: STRICT}"),
			"in namespace shop it would make this port STRICT"},
		{"selects another workload", deploy("shop", "cart", "{app: cart}", "", "") + floating("other", "selector: {matchLabels: {app: other}}\nmtls: {mode: STRICT}"), ""},
		{"would not change the mode", deploy("shop", "cart", "{app: cart}", "", "") + floating("cart-permissive", "selector: {matchLabels: {app: cart}}\nmtls: {mode: PERMISSIVE}"), ""},
		{"outranked by the workload's own policy",
			deploy("shop", "cart", "{app: cart}", "", "") + pa("shop", "own", "selector: {matchLabels: {app: cart}}\nmtls: {mode: PERMISSIVE}") + floating("ns-strict", "mtls: {mode: STRICT}"), ""},
		{"decides the mode", floatingDeploy + floating("ns-strict", "mtls: {mode: STRICT}"),
			"PeerAuthentication default/ns-strict has no metadata.namespace and is taken to be in namespace default (--namespace)"},
		{"written in the default namespace", deploy("default", "cart", "{app: cart}", "", "") + pa("default", "ns-strict", "mtls: {mode: STRICT}"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := build(t, namespace("shop", "{istio-injection: enabled}")+c.input)
			d := g.EffectiveMode(workload(t, g, "cart"), 9090)
			// The mesh-wide default may be assumed as well (no mesh-wide
			// policy is in these inputs); only the floating policy's part
			// is this test's.
			if c.want == "" && strings.Contains(d.Assumed, "no metadata.namespace") || !strings.Contains(d.Assumed, c.want) {
				t.Errorf("assumption %q, want %q (%s)", d.Assumed, c.want, d.Explain())
			}
		})
	}
}
