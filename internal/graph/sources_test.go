package graph

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

func vmAgent(spec string) string {
	return "---\napiVersion: operator.victoriametrics.com/v1beta1\nkind: VMAgent\nmetadata: {name: vm, namespace: monitoring}\nspec:\n" + indent(spec, "  ") + "\n"
}

func vmServiceScrape(ns string) string {
	return "---\napiVersion: operator.victoriametrics.com/v1beta1\nkind: VMServiceScrape\nmetadata: {name: m, namespace: " + ns +
		", labels: {team: a}}\nspec:\n  selector: {}\n  endpoints: [{port: web}]\n"
}

// The VictoriaMetrics operator's selector rules (k8stools/selectors.go):
// null selectors defer to selectAllByDefault; a null object selector beside a
// namespace selector takes every object there.
func TestSelectsVictoriaMetrics(t *testing.T) {
	cases := []struct {
		name, spec, monitorNS string
		want                  bool
	}{
		{"both null, selectAllByDefault false", "{}", "monitoring", false},
		{"both null, selectAllByDefault true", "selectAllByDefault: true", "shop", true},
		{"object selector alone: own namespace", "serviceScrapeSelector: {matchLabels: {team: a}}", "monitoring", true},
		{"object selector alone: not another namespace", "serviceScrapeSelector: {matchLabels: {team: a}}", "shop", false},
		{"namespace selector alone: every object there", "serviceScrapeNamespaceSelector: {matchLabels: {monitored: \"yes\"}}", "shop", true},
		{"object selector misses", "serviceScrapeSelector: {matchLabels: {team: b}}\nserviceScrapeNamespaceSelector: {}", "shop", false},
		{"a Prometheus selector field is not the VMAgent's", "serviceMonitorSelector: {}\nserviceMonitorNamespaceSelector: {}", "shop", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := build(t, namespace("shop", "{monitored: \"yes\"}")+namespace("monitoring", "{}")+vmAgent(c.spec)+vmServiceScrape(c.monitorNS))
			if got := g.Selects(g.Prometheus[0], g.Monitors[0]); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// A Prometheus never selects a VictoriaMetrics or an Azure monitor.
func TestSelectsOnlyItsFamily(t *testing.T) {
	g := build(t, prometheus("serviceMonitorSelector: {}\nserviceMonitorNamespaceSelector: {}")+vmServiceScrape("monitoring")+
		"---\napiVersion: azmonitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: az, namespace: monitoring}\nspec:\n  selector: {}\n  endpoints: [{port: web}]\n")
	if len(g.Monitors) != 2 {
		t.Fatalf("got %d monitors, want 2", len(g.Monitors))
	}
	for _, m := range g.Monitors {
		if g.Selects(g.Prometheus[0], m) {
			t.Errorf("Prometheus selects %s", m.Display())
		}
	}
}

func TestStaticService(t *testing.T) {
	g := build(t, "apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports: [{name: metrics, port: 8080, targetPort: 9090}]\n")
	for addr, want := range map[string]bool{
		"cart.shop:8080":                   true,
		"cart.shop.svc:8080":               true,
		"cart.shop.svc.cluster.local:8080": true,
		"http://cart.shop.svc:8080":        true,
		"cart:8080":                        false, // the scraper's search path decides
		"cart.shop.svc:9090":               false, // no such Service port
		"cart.other.svc:8080":              false,
		"cart.shop.pod:8080":               false,
		"10.0.0.1:8080":                    false,
		"cart.shop.svc":                    false,
	} {
		if _, sp := g.staticService(addr); (sp != nil) != want {
			t.Errorf("%s: resolved %v, want %v", addr, sp != nil, want)
		}
	}
}

func TestAddLabelTerms(t *testing.T) {
	s := &LabelSelector{}
	if !addLabelTerms(s, "app=cart,tier!=db,canary") {
		t.Fatal("did not parse")
	}
	if !s.Matches(map[string]string{"app": "cart", "canary": "x"}) || s.Matches(map[string]string{"app": "cart", "tier": "db", "canary": "x"}) {
		t.Errorf("selector %s matches wrongly", s)
	}
	if addLabelTerms(&LabelSelector{}, "replicas>2") || addLabelTerms(&LabelSelector{}, "app in (") {
		t.Error("a numeric or broken selector must not parse")
	}
}

// A PrometheusAgent is a scraper like a Prometheus: it selects monitors
// through the same fields, its pod is modelled, and its setup is checked.
func TestPrometheusAgentIsAScraper(t *testing.T) {
	agent := "---\napiVersion: monitoring.coreos.com/v1alpha1\nkind: PrometheusAgent\nmetadata: {name: agent, namespace: monitoring}\nspec:\n" +
		"  serviceMonitorSelector: {}\n  scrapeConfigSelector: {}\n  podMetadata:\n    labels: {team: obs}\n"
	g := build(t, namespace("monitoring", "{}")+agent+monitor("ServiceMonitor", "monitoring", "selector: {}\nendpoints: [{port: web}]"))
	if len(g.Prometheus) != 1 || g.Prometheus[0].Display() != "PrometheusAgent monitoring/agent" {
		t.Fatalf("scrapers: %+v", g.Prometheus)
	}
	p := g.Prometheus[0]
	if !g.Selects(p, g.Monitors[0]) {
		t.Error("the agent does not select the ServiceMonitor")
	}
	if p.Pod.Labels["app.kubernetes.io/name"] != "prometheus-agent" || p.Pod.Labels["team"] != "obs" || !p.Pod.ScraperPod {
		t.Errorf("agent pod: %+v", p.Pod)
	}
	f := g.Facts()
	if len(f.PrometheusConfigs) != 1 || f.PrometheusConfigs[0].Kind != "PrometheusAgent" || len(f.Prometheuses) != 1 || f.Prometheuses[0].Container != "prometheus" {
		t.Errorf("setup facts: %+v %+v", f.PrometheusConfigs, f.Prometheuses)
	}
	if len(f.Scrapes) != 1 || f.Scrapes[0].Prometheus == nil || f.Scrapes[0].Prometheus.Message != "PrometheusAgent monitoring/agent" {
		t.Errorf("the agent's scrape: %+v", f.Scrapes)
	}
}

// The VictoriaMetrics operator converts Prometheus Operator monitors into
// its own (name, namespace and labels kept), so a VMAgent scrapes them
// through its own selector fields; a Prometheus still never selects a VM
// object.
func TestVMAgentSelectsConvertedMonitors(t *testing.T) {
	g := build(t, namespace("monitoring", "{}")+vmAgent("podScrapeSelector: {matchLabels: {team: b}}\nserviceScrapeSelector: {matchLabels: {team: a}}")+
		monitor("ServiceMonitor", "monitoring", "selector: {}\nendpoints: [{port: web}]")+
		monitor("PodMonitor", "monitoring", "selector: {}\npodMetricsEndpoints: [{port: web}]"))
	got := map[string]bool{}
	for _, m := range g.Monitors {
		got[m.Kind] = g.Selects(g.Prometheus[0], m)
	}
	if !got["ServiceMonitor"] || got["PodMonitor"] {
		t.Errorf("VMAgent selects %v, want the ServiceMonitor only (through serviceScrapeSelector)", got)
	}
	for _, mf := range g.Facts().Monitors {
		if mf.Scrapers != "Prometheus or VMAgent or VMSingle" || mf.PrometheusCount != 1 {
			t.Errorf("%s: scrapers %q, count %d", mf.Name, mf.Scrapers, mf.PrometheusCount)
		}
	}
}

// Malformed fields of the new sources and scrapers are problems at their
// pointer, never a panic, and never a guess.
func TestMalformedSourcesAreProblems(t *testing.T) {
	cases := map[string]struct{ doc, pointer string }{
		"SD configs not a list":       {"apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata: {name: s, namespace: m}\nspec:\n  kubernetesSDConfigs: {role: Pod}\n", "/spec/kubernetesSDConfigs"},
		"SD config not a mapping":     {"apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata: {name: s, namespace: m}\nspec:\n  kubernetesSDConfigs: [Pod]\n", "/spec/kubernetesSDConfigs/0"},
		"static config not a mapping": {"apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata: {name: s, namespace: m}\nspec:\n  kubernetesSDConfigs: [{role: Pod}]\n  staticConfigs: [a:1]\n", "/spec/staticConfigs/0"},
		"bad scheme":                  {"apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata: {name: s, namespace: m}\nspec:\n  scheme: FTP\n", "/spec/scheme"},
		"namespaces not a mapping":    {"apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata: {name: s, namespace: m}\nspec:\n  kubernetesSDConfigs: [{role: Pod, namespaces: [a]}]\n", "/spec/kubernetesSDConfigs/0/namespaces"},
		"selectAllByDefault a string": {"apiVersion: operator.victoriametrics.com/v1beta1\nkind: VMAgent\nmetadata: {name: vm, namespace: m}\nspec:\n  selectAllByDefault: \"yes\"\n", "/spec/selectAllByDefault"},
		"static targets not a list":   {"apiVersion: operator.victoriametrics.com/v1beta1\nkind: VMStaticScrape\nmetadata: {name: s, namespace: m}\nspec:\n  targetEndpoints: [{targets: a:1}]\n", "/spec/targetEndpoints/0/targets"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "in.yaml"), []byte(c.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := loader.Load([]string{dir}, loader.Options{Kinds: ReadsKind, WorkDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			g := Build(res.Documents, DefaultSettings())
			if len(g.Problems) != 1 || g.Problems[0].Pointer != c.pointer || g.Problems[0].Internal {
				t.Fatalf("problems %+v, want one at %s", g.Problems, c.pointer)
			}
			if len(g.Monitors)+len(g.Prometheus) != 0 {
				t.Errorf("a malformed object still entered the model")
			}
		})
	}
}

// A ScrapeConfig's service role reaches the Service's ports only; its
// endpoints role also the pods' other declared ports.
func TestScrapeConfigServiceRole(t *testing.T) {
	text := namespace("shop", "{}") + deploy("shop", "cart", "{app: cart}", "{}", "") +
		"---\napiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n"
	for role, want := range map[string]int{"Service": 1, "Endpoints": 2} {
		g := build(t, text+"---\napiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata: {name: s, namespace: shop}\nspec:\n  kubernetesSDConfigs: [{role: "+role+", namespaces: {names: [shop]}}]\n")
		if got := len(g.Targets(g.Monitors[0], &g.Monitors[0].Endpoints[0])); got != want {
			t.Errorf("role %s: %d targets, want %d", role, got, want)
		}
	}
}

// A VMServiceScrape with discoveryRole: service scrapes the Service's ports
// only (api/operator/v1beta1/vmservicescrape_types.go).
func TestVMServiceScrapeDiscoveryRole(t *testing.T) {
	text := namespace("shop", "{}") + deploy("shop", "cart", "{app: cart}", "{}", "") +
		"---\napiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop, labels: {app: cart}}\nspec:\n  selector: {app: cart}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n"
	for role, want := range map[string]int{"service": 1, "endpoints": 2} {
		g := build(t, text+"---\napiVersion: operator.victoriametrics.com/v1beta1\nkind: VMServiceScrape\nmetadata: {name: s, namespace: shop}\nspec:\n  discoveryRole: "+role+"\n  selector: {matchLabels: {app: cart}}\n  endpoints: [{scheme: http}]\n")
		if got := len(g.Targets(g.Monitors[0], &g.Monitors[0].Endpoints[0])); got != want {
			t.Errorf("discoveryRole %s: %d targets, want %d", role, got, want)
		}
	}
}
