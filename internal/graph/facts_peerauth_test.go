package graph

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
	"github.com/meshlint/meshlint/internal/loader"
)

// buildFiles loads several files (name -> text) as one input, so that tests
// can tell documents of one file from documents of another.
func buildFiles(t *testing.T, files map[string]string, mutate ...func(*Settings)) *Graph {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	for _, m := range mutate {
		m(&s)
	}
	return Build(res.Documents, s)
}

func namespaceDoc(name, labels string) string {
	return "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + ", labels: " + labels + "}\n"
}

func policyFactNamed(t *testing.T, f *Facts, name string) PolicyFact {
	t.Helper()
	for _, p := range f.PeerAuthReview.Policies {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no policy fact %s", name)
	return PolicyFact{}
}

func TestInvalidPeerAuthenticationValuesAreTheirOwnRule(t *testing.T) {
	g := buildFiles(t, map[string]string{"in.yaml": pa("shop", "typo", "mtls: {mode: strict}") +
		pa("shop", "key", "selector: {matchLabels: {app: a}}\nportLevelMtls: {metrics: {mode: PERMISSIVE}}") +
		pa("shop", "typed", "mtls: {mode: [STRICT]}") +
		pa("shop", "ok", "mtls: {mode: STRICT}")})
	kinds := map[string]finding.Kind{}
	for _, p := range g.Problems {
		kinds[g.Resources[p.Resource].Name] = p.Kind
	}
	want := map[string]finding.Kind{"typo": finding.InvalidPeerAuthentication, "key": finding.InvalidPeerAuthentication, "typed": finding.Unreadable}
	for name, kind := range want {
		if got, ok := kinds[name]; !ok || got != kind {
			t.Errorf("problem of %s: kind %d (reported %v), want %d", name, got, ok, kind)
		}
	}
	if len(g.PeerAuths) != 1 || g.PeerAuths[0].Name != "ok" {
		t.Errorf("rejected policies must stay out of the graph; have %d", len(g.PeerAuths))
	}
}

func TestPolicyFactSelectorAndPortLevel(t *testing.T) {
	g := buildFiles(t, map[string]string{"in.yaml": pa("shop", "braces", "selector: {}\nmtls: {mode: STRICT}") +
		pa("shop", "empty-labels", "selector: {matchLabels: {}}") +
		pa("shop", "nil-selector", "selector:\nmtls: {mode: STRICT}") +
		pa("shop", "empty-ports", "selector: {matchLabels: {app: a}}\nportLevelMtls: {}")})
	f := g.Facts()
	for name, want := range map[string]SelectorFact{
		"shop/braces":       {Present: true, Empty: true, Pointer: "/spec/selector"},
		"shop/empty-labels": {Present: true, Empty: true, Pointer: "/spec/selector/matchLabels"},
		"shop/nil-selector": {},
	} {
		if got := policyFactNamed(t, f, name).Selector; got != want {
			t.Errorf("%s selector = %+v, want %+v", name, got, want)
		}
	}
	if got := policyFactNamed(t, f, "shop/empty-ports").PortLevel; !got.Present || !got.Empty {
		t.Errorf("empty portLevelMtls = %+v", got)
	}
}

func TestPortCheckFacts(t *testing.T) {
	g := buildFiles(t, map[string]string{"in.yaml": namespaceDoc("shop", "{istio-injection: enabled}") +
		pa("shop", "default", "mtls: {mode: STRICT}") +
		deploy("shop", "cart", "{app: cart}", `{traffic.sidecar.istio.io/excludeInboundPorts: "8080"}`, "") +
		paService("shop", "cart", "{app: cart}", "{name: http, port: 80, targetPort: 8080}") +
		pa("shop", "cart", "selector: {matchLabels: {app: cart}}\nportLevelMtls:\n  9090: {mode: PERMISSIVE}\n  8080: {mode: PERMISSIVE}\n  9091: {mode: PERMISSIVE}\n  15020: {mode: PERMISSIVE}")})
	f := g.Facts()
	p := policyFactNamed(t, f, "shop/cart")
	if len(p.Workloads.Selected) != 1 || !p.Workloads.Evident {
		t.Fatalf("selection = %+v", p.Workloads)
	}
	byPort := map[int]PortCheckFact{}
	for _, pc := range p.Ports {
		byPort[pc.Port] = pc
	}
	if pc := byPort[9090]; len(pc.DeclaredOn) != 1 || len(pc.TargetedBy) != 0 || pc.Captured != 1 || !pc.BaseStrict || len(pc.ScrapedBy) != 0 {
		t.Errorf("9090 = %+v", pc)
	}
	if pc := byPort[8080]; len(pc.TargetedBy) != 1 || len(pc.Uncaptured) != 1 || pc.Captured != 0 {
		t.Errorf("8080 = %+v", pc)
	}
	if pc := byPort[9091]; len(pc.DeclaredOn) != 0 || len(pc.Undeclared) != 1 || !strings.Contains(pc.Undeclared[0], "declares 8080, 9090") {
		t.Errorf("9091 = %+v", pc)
	}
	if pc := byPort[15020]; !pc.IstioPort {
		t.Errorf("15020 = %+v", pc)
	}
}

func TestSelectsNothingNeedsEvidence(t *testing.T) {
	policy := pa("shop", "kart", "selector: {matchLabels: {app: kart}}\nmtls: {mode: STRICT}")
	cart := deploy("shop", "cart", "{app: cart}", "", "")
	cases := []struct {
		name, text string
		evident    bool
	}{
		{"namespace and workloads", namespaceDoc("shop", "{}") + cart + policy, true},
		{"no Namespace manifest", cart + policy, false},
		{"no workload", namespaceDoc("shop", "{}") + policy, false},
		{"operator resource", namespaceDoc("shop", "{}") + cart + policy + "---\napiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata: {name: k, namespace: shop}\n", false},
		{"Gateway API gateway", namespaceDoc("shop", "{}") + cart + policy + "---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\n", false},
		{"Istio gateway config", namespaceDoc("shop", "{}") + cart + policy + "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\n", true},
		{"HelmRelease into it", namespaceDoc("shop", "{}") + cart + policy + "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: r, namespace: flux-system}\nspec: {targetNamespace: shop}\n", false},
		{"Argo Application into it", namespaceDoc("shop", "{}") + cart + policy + "---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a, namespace: argocd}\nspec: {destination: {namespace: shop}}\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := buildFiles(t, map[string]string{"in.yaml": c.text}).Facts()
			if got := policyFactNamed(t, f, "shop/kart").Workloads.Evident; got != c.evident {
				t.Errorf("evident = %v, want %v", got, c.evident)
			}
		})
	}
}

func TestConflicts(t *testing.T) {
	g := buildFiles(t, map[string]string{
		"a.yaml": pa("shop", "default", "mtls: {mode: STRICT}") + pa("shop", "zz-empty", "selector: {}\nmtls: {mode: PERMISSIVE}") +
			deploy("shop", "cart", "{app: cart}", "", "") +
			pa("shop", "cart-a", "selector: {matchLabels: {app: cart}}\nportLevelMtls: {9090: {mode: PERMISSIVE}}") +
			pa("shop", "cart-b", "selector: {matchLabels: {app: cart}}\nportLevelMtls: {9091: {mode: PERMISSIVE}}"),
		// The same object rendered twice is one object.
		"b.yaml": pa("shop", "default", "mtls: {mode: STRICT}"),
		// Policies without metadata.namespace meet only those of their own file.
		"c.yaml": "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: one}\nspec: {mtls: {mode: STRICT}}\n",
		"d.yaml": "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: two}\nspec: {mtls: {mode: DISABLE}}\n",
	})
	f := g.Facts()
	if len(f.PeerAuthReview.Conflicts) != 2 {
		t.Fatalf("conflicts = %+v", f.PeerAuthReview.Conflicts)
	}
	ns, wl := f.PeerAuthReview.Conflicts[0], f.PeerAuthReview.Conflicts[1]
	if ns.Level != "namespace" || ns.Winner.Name != "shop/default" || len(ns.Others) != 1 || !ns.Others[0].EmptySelector ||
		ns.Others[0].Pointer != "/spec/selector" || !ns.Differ {
		t.Errorf("namespace conflict = %+v", ns)
	}
	if wl.Level != "workload" || wl.Winner.Name != "shop/cart-a" || wl.Where != "Deployment shop/cart" || !wl.Differ ||
		!strings.Contains(wl.Difference, "{9091: PERMISSIVE}") {
		t.Errorf("workload conflict = %+v", wl)
	}
}

func TestProxylessStrict(t *testing.T) {
	g := buildFiles(t, map[string]string{"in.yaml": namespaceDoc("mon", "{istio-injection: enabled}") +
		pa("mon", "default", "mtls: {mode: STRICT}") +
		deploy("mon", "node-exporter", "{app: ne}", "", "hostNetwork: true") +
		deploy("mon", "grafana", "{app: grafana}", "", "") +
		namespaceDoc("legacy", "{}") + pa("legacy", "default", "mtls: {mode: STRICT}") +
		deploy("legacy", "old", "{app: old}", "", "") +
		namespaceDoc("tools", "{}") + deploy("tools", "runner", "{app: runner}", "", "") +
		pa("istio-system", "default", "mtls: {mode: STRICT}")})
	f := g.Facts()
	got := map[string]ProxylessStrictFact{}
	for _, p := range f.PeerAuthReview.ProxylessStrict {
		got[p.Workload] = p
	}
	if ne := got["Deployment mon/node-exporter"]; ne.Level != "namespace" || !ne.NamespaceMeshed || ne.Pointer != "/spec/template/spec/hostNetwork" || ne.Ports != "8080, 9090" {
		t.Errorf("node-exporter = %+v", ne)
	}
	if _, ok := got["Deployment mon/grafana"]; ok {
		t.Error("a sidecar workload enforces STRICT")
	}
	if tools := got["Deployment tools/runner"]; tools.Level != "mesh" || tools.NamespaceMeshed {
		t.Errorf("runner = %+v", tools)
	}
	if len(f.PeerAuthReview.ProxylessNamespaces) != 1 || f.PeerAuthReview.ProxylessNamespaces[0].Policy != "legacy/default" {
		t.Errorf("namespaces = %+v", f.PeerAuthReview.ProxylessNamespaces)
	}
}

func TestRemovedPolicies(t *testing.T) {
	g := buildFiles(t, map[string]string{"in.yaml": "apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\nmetadata: {name: jwt, namespace: shop}\nspec: {origins: [{jwt: {issuer: x}}]}\n---\n" +
		"apiVersion: authentication.istio.io/v1alpha1\nkind: MeshPolicy\nmetadata: {name: default}\nspec: {peers: [{mtls: {}}]}\n"})
	rp := g.Facts().PeerAuthReview.RemovedPolicies
	if len(rp) != 2 || rp[0].Name != "shop/jwt" || !rp[0].Origins || rp[0].Peers || rp[1].Name != "default" || !rp[1].Peers {
		t.Errorf("removed = %+v", rp)
	}
}

func mergeFactOf(t *testing.T, f *Facts, workload string) MergeFact {
	t.Helper()
	for _, m := range f.Merge {
		if m.Workload == workload {
			return m
		}
	}
	t.Fatalf("no merge fact for %s", workload)
	return MergeFact{}
}

func TestMergeFacts(t *testing.T) {
	text := namespaceDoc("shop", "{istio-injection: enabled}") + pa("shop", "default", "mtls: {mode: STRICT}") +
		deploy("shop", "app", "{app: app}", `{prometheus.io/scrape: "true", prometheus.io/port: "9090"}`, "") +
		deploy("shop", "envoy", "{app: envoy}", `{prometheus.io/port: "15090"}`, "") +
		deploy("shop", "gw", "{app: gw}", `{prometheus.io/port: "15020", prometheus.io/path: /stats/prometheus}`, "") +
		deploy("shop", "agent", "{app: agent}", `{prometheus.io/port: "15020"}`, "") +
		deploy("shop", "off", "{app: off}", `{prometheus.io/scrape: "true", prometheus.istio.io/merge-metrics: "false"}`, "") +
		deploy("shop", "noscrape", "{app: noscrape}", `{prometheus.io/scrape: "false", prometheus.io/port: "15090"}`, "") +
		deploy("shop", "injected", "{app: injected}", `{sidecar.istio.io/status: "{}", prometheus.io/port: "15020"}`, "") +
		paService("shop", "app", "{app: app}", "{name: metrics, port: 9090}") +
		"---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: app, namespace: shop, labels: {app: app}}\nspec:\n  selector: {matchLabels: {app: app}}\n  endpoints: [{port: metrics, scheme: https, tlsConfig: {ca: {secret: {name: ca, key: ca.crt}}}}]\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: prometheus, namespace: monitoring}\ndata:\n  prometheus.yml: |\n    scrape_configs:\n      - relabel_configs:\n          - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]\n            action: keep\n"
	f := buildFiles(t, map[string]string{"in.yaml": text}).Facts()

	app := mergeFactOf(t, f, "Deployment shop/app")
	if !app.Merged || app.AppPort != 9090 || app.Reserved != "" || len(app.Monitors) != 1 || !app.Monitors[0].AppTLS || len(app.AnnotationJobs) != 1 {
		t.Errorf("app = %+v", app)
	}
	if e := mergeFactOf(t, f, "Deployment shop/envoy"); !e.Merged || !strings.Contains(e.Reserved, "Envoy's Prometheus telemetry port") {
		t.Errorf("envoy = %+v", e)
	}
	if gw := mergeFactOf(t, f, "Deployment shop/gw"); gw.Reserved != "" {
		t.Errorf("annotations that point at the merged endpoint are fine: %+v", gw)
	}
	if a := mergeFactOf(t, f, "Deployment shop/agent"); !strings.Contains(a.Reserved, "agent's own port") {
		t.Errorf("agent = %+v", a)
	}
	if off := mergeFactOf(t, f, "Deployment shop/off"); off.Merged || off.MergeOff != "annotation" || len(off.StrictPorts) != 2 {
		t.Errorf("off = %+v", off)
	}
	if n := mergeFactOf(t, f, "Deployment shop/noscrape"); n.Merged {
		t.Errorf("prometheus.io/scrape: false turns merging off: %+v", n)
	}
	if i := mergeFactOf(t, f, "Deployment shop/injected"); i.Merged {
		t.Errorf("an injected manifest's annotations are rewritten already: %+v", i)
	}

	off := buildFiles(t, map[string]string{"in.yaml": text}, func(s *Settings) { s.EnablePrometheusMerge = false }).Facts()
	if app := mergeFactOf(t, off, "Deployment shop/app"); app.Merged || app.MergeOff != "mesh" || len(app.StrictPorts) != 1 {
		t.Errorf("mesh merge off: app = %+v", app)
	}
}

func TestAnnotationJobsInSecrets(t *testing.T) {
	config := "scrape_configs:\n- relabel_configs:\n  - source_labels: [__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape]\n"
	for pad := 0; pad < 3; pad++ {
		data := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("#", pad) + config))
		g := buildFiles(t, map[string]string{"in.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: additional, namespace: monitoring}\ndata:\n  extra.yaml: " + data + "\n"})
		jobs := g.annotationScrapeJobs()
		if len(jobs) != 1 || jobs[0].loc.Pointer != "/data/extra.yaml" {
			t.Errorf("pad %d: jobs = %+v", pad, jobs)
		}
	}
}

func paService(ns, name, selector, port string) string {
	return "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns + ", labels: " + selector + "}\nspec:\n  selector: " + selector + "\n  ports: [" + port + "]\n"
}
