package scrapegraph

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

func res(kind, ns, name string) *finding.Resource {
	return &finding.Resource{Kind: kind, Namespace: ns, Name: name}
}

// A path of ServiceMonitor shop/cart endpoint 1, through Service shop/cart
// port 1 to container port 0 of Deployment shop/cart, scraped by
// Prometheus monitoring/k8s.
func cartPath() Path {
	return Path{Scraper: Ref{"Prometheus", "monitoring", "k8s"}, Monitor: Ref{"ServiceMonitor", "shop", "cart"}, Endpoint: 1,
		Service: Ref{"Service", "shop", "cart"}, Workload: Ref{"Deployment", "shop", "cart"},
		endpointPointer: "/spec/endpoints/1", servicePortPtr: "/spec/ports/1",
		containerPtr: "/spec/template/spec/containers/0/ports/0"}
}

func TestJudge(t *testing.T) {
	for _, c := range []struct {
		name    string
		finding finding.Finding
		verdict Verdict
	}{
		{"at the endpoint", finding.Finding{Place: finding.Place{Path: "/spec/endpoints/1/scheme"}, Rule: "r",
			Severity: "error", Resource: res("ServiceMonitor", "shop", "cart")}, Broken},
		{"at another endpoint", finding.Finding{Place: finding.Place{Path: "/spec/endpoints/10"}, Rule: "r",
			Severity: "error", Resource: res("ServiceMonitor", "shop", "cart")}, Works},
		{"on the whole monitor", finding.Finding{Place: finding.Place{Path: "/spec/selector"}, Rule: "r",
			Severity: "warning", Resource: res("ServiceMonitor", "shop", "cart")}, AtRisk},
		{"suppressed", finding.Finding{Place: finding.Place{Path: "/spec/endpoints/1"}, Rule: "r", Severity: "error",
			Resource: res("ServiceMonitor", "shop", "cart"), Suppressed: true}, Works},
		{"another monitor reaching the same port", finding.Finding{Place: finding.Place{Path: "/spec/endpoints/0"},
			Rule: "r", Severity: "error", Resource: res("ServiceMonitor", "shop", "other"),
			Related: []finding.Related{{Place: finding.Place{Path: "/spec/template/spec/containers/0/ports/0"},
				Resource: res("Deployment", "shop", "cart")}}}, Works},
		{"the Prometheus, naming the endpoint", finding.Finding{Place: finding.Place{Path: "/spec/volumeMounts"},
			Rule: "r", Severity: "error", Resource: res("Prometheus", "monitoring", "k8s"),
			Related: []finding.Related{{Place: finding.Place{Path: "/spec/endpoints/1/tlsConfig/caFile"},
				Resource: res("ServiceMonitor", "shop", "cart")}}}, Broken},
		{"another Prometheus, naming the endpoint", finding.Finding{Rule: "r", Severity: "error", Resource: res("Prometheus", "monitoring", "other"),
			Related: []finding.Related{{Place: finding.Place{Path: "/spec/endpoints/1/tlsConfig/caFile"},
				Resource: res("ServiceMonitor", "shop", "cart")}}}, Works},
		{"the Prometheus alone", finding.Finding{Place: finding.Place{Path: "/spec/volumes/0"}, Rule: "r",
			Severity: "warning", Resource: res("Prometheus", "monitoring", "k8s")}, Works},
		{"a policy naming the container port", finding.Finding{Place: finding.Place{Path: "/spec/portLevelMtls"},
			Rule: "r", Severity: "warning", Resource: res("PeerAuthentication", "shop", "x"),
			Related: []finding.Related{{Place: finding.Place{Path: "/spec/template/spec/containers/0/ports/0"},
				Resource: res("Deployment", "shop", "cart")}}}, AtRisk},
		{"a policy naming another port", finding.Finding{Place: finding.Place{Path: "/spec/portLevelMtls"}, Rule: "r",
			Severity: "warning", Resource: res("PeerAuthentication", "shop", "x"),
			Related: []finding.Related{{Place: finding.Place{Path: "/spec/template/spec/containers/0/ports/1"},
				Resource: res("Deployment", "shop", "cart")}}}, Works},
		{"the Service port", finding.Finding{Place: finding.Place{Path: "/spec/ports/1/targetPort"}, Rule: "r",
			Severity: "error", Resource: res("Service", "shop", "cart")}, Broken},
		{"a finding without a resource", finding.Finding{Place: finding.Place{Path: "/spec/endpoints/1"}, Rule: "r",
			Severity: "error"}, Works},
	} {
		t.Run(c.name, func(t *testing.T) {
			pic := &Picture{Paths: []Path{cartPath()}}
			pic.Judge([]finding.Finding{c.finding})
			p := pic.Paths[0]
			if p.Verdict != c.verdict {
				t.Errorf("verdict %s, want %s", p.Verdict, c.verdict)
			}
			if want := c.verdict != Works; want != reflect.DeepEqual(p.Rules, []string{"r"}) {
				t.Errorf("rules %v", p.Rules)
			}
		})
	}
}

// In a run with environments a finding counts only where it was found.
func TestJudgeEnvironments(t *testing.T) {
	dev, prod := cartPath(), cartPath()
	dev.Environment, prod.Environment = "dev", "prod"
	pic := &Picture{Paths: []Path{dev, prod}}
	pic.Judge([]finding.Finding{{Place: finding.Place{Path: "/spec/endpoints/1"}, Rule: "r", Severity: "error",
		Resource: res("ServiceMonitor", "shop", "cart"), Environments: []string{"prod"}}})
	if pic.Paths[0].Verdict != Works || pic.Paths[1].Verdict != Broken {
		t.Errorf("dev %s, prod %s; want works and broken", pic.Paths[0].Verdict, pic.Paths[1].Verdict)
	}
}

func TestFilter(t *testing.T) {
	a, b := cartPath(), cartPath()
	b.Monitor.Namespace, b.Service.Namespace, b.Workload.Namespace = "pay", "pay", "pay"
	a.Verdict, a.Rules = Broken, []string{"x"}
	paths := []Path{a, b}
	for _, c := range []struct {
		name string
		f    Filter
		want int
	}{
		{"none", Filter{}, 2},
		{"broken", Filter{Broken: true}, 1},
		{"namespace", Filter{Namespaces: []string{"pay"}}, 1},
		{"the Prometheus's namespace selects nothing", Filter{Namespaces: []string{"monitoring"}}, 0},
		{"rule", Filter{Rules: []string{"x", "y"}}, 1},
		{"rule and namespace", Filter{Rules: []string{"x"}, Namespaces: []string{"pay"}}, 0},
	} {
		if got := len(c.f.Keep(paths)); got != c.want {
			t.Errorf("%s: %d paths, want %d", c.name, got, c.want)
		}
	}
}

// A picture over Mermaid's default limits is named before GitHub refuses it.
func TestMermaidTooBig(t *testing.T) {
	var paths []Path
	for i := 0; i < 600; i++ {
		p := cartPath()
		p.Workload.Name = fmt.Sprintf("cart-%03d", i)
		paths = append(paths, p)
	}
	if why := MermaidTooBig(paths[:10]); why != "" {
		t.Errorf("10 paths: %s", why)
	}
	if why := MermaidTooBig(paths); why != "602 edges, and Mermaid draws at most 500" {
		t.Errorf("600 paths: %q", why)
	}
}
