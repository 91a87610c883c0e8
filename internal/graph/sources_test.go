package graph

import "testing"

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
