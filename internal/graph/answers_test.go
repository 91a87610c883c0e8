package graph

import (
	"reflect"
	"testing"
)

// The tests of this file pin the questions the graph answers in one place
// (issue 13): each builds an input on which two readers of the answer would
// disagree if one of them decided for itself.

// TestOnePrecedenceForModeAndConflict: the mode a workload gets and the
// conflict fact name the same winner, counting an object rendered twice
// once, whatever the input order.
func TestOnePrecedenceForModeAndConflict(t *testing.T) {
	for _, order := range [][]string{{"b", "a"}, {"a", "b"}} {
		text := deploy("shop", "cart", "{app: cart}", "", "")
		modes := map[string]string{"a": "PERMISSIVE", "b": "STRICT"}
		for _, name := range order {
			text += pa("shop", name, "mtls: {mode: "+modes[name]+"}")
		}
		text += pa("shop", "b", "mtls: {mode: STRICT}") // b again: one object
		g := build(t, text)
		d := g.EffectiveMode(workload(t, g, "cart"), 8080)
		if d.Policy == nil || d.Policy.Name != "a" || d.Mode != ModePermissive || len(d.Ambiguous) != 1 {
			t.Fatalf("order %v: mode decided by %+v", order, d)
		}
		conflicts := g.peerAuthConflicts()
		if len(conflicts) != 1 || conflicts[0].Winner.Name != "shop/"+d.Policy.Name || len(conflicts[0].Others) != len(d.Ambiguous) {
			t.Errorf("order %v: conflict %+v, mode winner %s with %d others", order, conflicts, d.Policy.Name, len(d.Ambiguous))
		}
	}
	pas := []*PeerAuthentication{{Name: "b", Namespace: "x"}, {Name: "a", Namespace: "y"}, {Name: "a", Namespace: "x"}}
	ordered, known := precedence(pas)
	if known || len(ordered) != 3 || ordered[0] != pas[2] || ordered[1] != pas[1] || ordered[2] != pas[0] {
		t.Errorf("precedence = %v, known %v: want name, then namespace", ordered, known)
	}
	if pas[0].Name != "b" {
		t.Error("precedence reordered its argument")
	}
}

// TestOneSelectionVerdict: the scrape facts (through Selects) and the
// monitor facts read one verdict per Prometheus and monitor. A selected
// monitor is scraped by that Prometheus and a rejected one is not; only a
// monitor without metadata.namespace, whose assumed namespace matches, is
// scraped while its monitor fact stays undecided.
func TestOneSelectionVerdict(t *testing.T) {
	g := build(t, mfPrometheus("monitoring", "k8s", "serviceMonitorSelector: {matchLabels: {release: kps}}\nserviceMonitorNamespaceSelector: {matchLabels: {team: shop}}")+
		namespace("shop", "{team: shop}")+namespace("default", "{team: shop}")+namespace("other", "{team: other}")+
		mfServiceMonitor("shop", "labelled", "{release: kps}", "selector: {}\nendpoints: [{port: m}]")+
		mfServiceMonitor("shop", "unlabelled", "{}", "selector: {}\nendpoints: [{port: m}]")+
		mfServiceMonitor("other", "wrong-namespace", "{release: kps}", "selector: {}\nendpoints: [{port: m}]")+
		mfServiceMonitor("elsewhere", "no-namespace-manifest", "{release: kps}", "selector: {}\nendpoints: [{port: m}]")+
		"---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: floating, labels: {release: kps}}\nspec: {selector: {}, endpoints: [{port: m}]}\n")
	f := g.Facts()
	scraped := map[string]bool{}
	for _, s := range f.Scrapes {
		if s.Prometheus != nil {
			scraped[s.Name] = true
		}
	}
	want := map[string]string{
		"ServiceMonitor shop/labelled": "selected", "ServiceMonitor shop/unlabelled": "rejected",
		"ServiceMonitor other/wrong-namespace": "rejected", "ServiceMonitor elsewhere/no-namespace-manifest": "undecided",
		"ServiceMonitor default/floating": "undecided, selected as written",
	}
	for _, mf := range f.Monitors {
		got := "rejected"
		switch {
		case len(mf.SelectedBy) == 1:
			got = "selected"
		case len(mf.Undecided) == 1 && scraped[mf.Name]:
			got = "undecided, selected as written"
		case len(mf.Undecided) == 1:
			got = "undecided"
		}
		if got == "selected" && !scraped[mf.Name] || got == "rejected" && scraped[mf.Name] {
			t.Errorf("%s: monitor fact %s, scraped by the Prometheus: %v", mf.Name, got, scraped[mf.Name])
		}
		if got != want[mf.Name] {
			t.Errorf("%s: %s, want %s", mf.Name, got, want[mf.Name])
		}
	}
	if len(f.Monitors) != len(want) {
		t.Errorf("%d monitor facts, want %d", len(f.Monitors), len(want))
	}
}

// TestScrapedPortsByIdentity: who scrapes a port is asked of the workload
// itself. Two Deployments of one name (rendered by two overlays) are two
// workloads: a PodMonitor scraping the first does not scrape the port of
// the second that a policy exempts.
func TestScrapedPortsByIdentity(t *testing.T) {
	g := buildFiles(t, map[string]string{
		"a.yaml": deploy("shop", "cart", "{app: cart, overlay: a}", "", "") +
			mfPodMonitor("shop", "cart", "selector: {matchLabels: {overlay: a}}\npodMetricsEndpoints: [{port: metrics}]"),
		"b.yaml": deploy("shop", "cart", "{app: cart, overlay: b}", "", "") +
			pa("shop", "cart-b", "selector: {matchLabels: {overlay: b}}\nportLevelMtls: {9090: {mode: PERMISSIVE}}") +
			pa("shop", "cart-a", "selector: {matchLabels: {overlay: a}}\nportLevelMtls: {9090: {mode: PERMISSIVE}}"),
	})
	f := g.Facts()
	if got := policyFactNamed(t, f, "shop/cart-b").Ports[0].ScrapedBy; len(got) != 0 {
		t.Errorf("port 9090 of the second cart is scraped by %v, want nobody", got)
	}
	if got := policyFactNamed(t, f, "shop/cart-a").Ports[0].ScrapedBy; len(got) != 1 || got[0] != "PodMonitor shop/cart" {
		t.Errorf("port 9090 of the first cart is scraped by %v, want the PodMonitor", got)
	}
}

// TestOneMonitorMatcher: a selector value that matches only as the
// operator's relabeling regex gives no target (findings rest on exact
// matches) and no "selects nothing" either; a value that matches nothing
// at all gives neither.
func TestOneMonitorMatcher(t *testing.T) {
	g := build(t, mfSvc("shop", "web", "{app: webshop}", "{app: web}", "- {name: m, port: 9090}")+
		deploy("shop", "web", "{app: webshop}", "", "")+
		mfServiceMonitor("shop", "regex", "{}", "selector: {matchLabels: {app: web.*}}\nendpoints: [{port: m}]")+
		mfPodMonitor("shop", "regex-pods", "selector: {matchLabels: {app: web.*}}\npodMetricsEndpoints: [{port: metrics}]")+
		mfServiceMonitor("shop", "none", "{}", "selector: {matchLabels: {app: api.*}}\nendpoints: [{port: m}]"))
	mf := monitorFacts(t, g)
	for _, m := range g.Monitors {
		targets := len(g.SelectedServices(m)) + len(g.SelectedPods(m))
		selects := mf[m.Display()].SelectsSomething
		if m.Name == "none" {
			if targets != 0 || selects {
				t.Errorf("%s: %d targets, selects something %v; want none", m.Display(), targets, selects)
			}
			continue
		}
		if targets != 0 || !selects {
			t.Errorf("%s: %d exact matches, selects something %v; want no targets but no selects-nothing", m.Display(), targets, selects)
		}
	}
}

// TestOneNamespaceAnswer: "may this namespace hold workloads or Services
// the input does not show" has one answer, which the monitor facts
// (watchedInInput) and the PeerAuthentication facts (evident) share,
// whatever else the namespace holds. Only the operator's pods of an
// Alertmanager, which the monitor wiring knows by their labels but which
// are no workloads, keep a policy's selection from being evident.
func TestOneNamespaceAnswer(t *testing.T) {
	base := namespaceDoc("shop", "{}") + deploy("shop", "cart", "{app: cart}", "", "") +
		pa("shop", "kart", "selector: {matchLabels: {app: kart}}\nmtls: {mode: STRICT}") +
		mfServiceMonitor("shop", "kart", "{}", "selector: {matchLabels: {app: kart}}\nendpoints: [{port: m}]")
	for name, c := range map[string]struct {
		extra                string
		hidden, operatorPods bool
	}{
		"nothing else":         {"", false, false},
		"a ConfigMap":          {"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n", false, false},
		"an operator's CR":     {"---\napiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata: {name: k, namespace: shop}\n", true, false},
		"an HTTPRoute":         {"---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\n", true, false},
		"a Flux GitRepository": {"---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: g, namespace: shop}\n", true, false},
		"an Istio Gateway":     {"---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\n", false, false},
		"an Alertmanager":      {"---\napiVersion: monitoring.coreos.com/v1\nkind: Alertmanager\nmetadata: {name: a, namespace: shop}\n", false, true},
	} {
		t.Run(name, func(t *testing.T) {
			g := buildFiles(t, map[string]string{"in.yaml": base + c.extra})
			f := g.Facts()
			evident := policyFactNamed(t, f, "shop/kart").Workloads.Evident
			inInput := monitorFacts(t, g)["ServiceMonitor shop/kart"].WatchedInInput
			if inInput != !c.hidden || g.namespaceInInput("shop") != !c.hidden {
				t.Errorf("monitor's watched namespace in the input %v, want %v", inInput, !c.hidden)
			}
			if evident != (!c.hidden && !c.operatorPods) {
				t.Errorf("policy's namespace evident %v, want %v", evident, !c.hidden && !c.operatorPods)
			}
		})
	}
}

// TestOnePeerAuthFactPerPort: input.peerAuthentications shows the policy
// facts of input.peerAuthReview, port by port, rather than facts of its
// own: the Service-port misuse and the shared metrics port of an entry are
// the ones its port check found, and the flag agrees with the list.
func TestOnePeerAuthFactPerPort(t *testing.T) {
	g := buildFiles(t, map[string]string{"in.yaml": namespaceDoc("shop", "{istio-injection: enabled}") +
		deploy("shop", "cart", "{app: cart}", "", "") +
		paService("shop", "cart", "{app: cart}", "{name: http, port: 7070, targetPort: 9090}, {name: metrics, port: 9090}") +
		mfPodMonitor("shop", "cart", "selector: {matchLabels: {app: cart}}\npodMetricsEndpoints: [{port: metrics}]") +
		pa("shop", "cart", "selector: {matchLabels: {app: cart}}\nportLevelMtls:\n  7070: {mode: PERMISSIVE}\n  9090: {mode: PERMISSIVE}\n  8080: {mode: STRICT}") +
		pa("shop", "default", "mtls: {mode: STRICT}")})
	f := g.Facts()
	if len(f.PeerAuthentications) != len(f.PeerAuthReview.Policies) {
		t.Fatalf("%d views of %d policies", len(f.PeerAuthentications), len(f.PeerAuthReview.Policies))
	}
	misuses, shared := 0, 0
	for i, view := range f.PeerAuthentications {
		pf := f.PeerAuthReview.Policies[i]
		if view.Resource != pf.Resource || len(view.PortLevel) != len(pf.Ports) || view.HasPortLevel != pf.PortLevel.Present {
			t.Fatalf("view %+v of policy %+v", view, pf)
		}
		for j, e := range view.PortLevel {
			pc := pf.Ports[j]
			if e.Port != pc.Port || !reflect.DeepEqual(e.ServicePortMisuse, pc.Misuses) || !reflect.DeepEqual(e.Shared, pc.Shared) ||
				pc.ServicePortMisuse != (len(pc.Misuses) > 0) {
				t.Errorf("%s port %d: view %+v, port check %+v", pf.Name, e.Port, e, pc)
			}
			misuses += len(e.ServicePortMisuse)
			shared += len(e.Shared)
		}
	}
	if misuses != 1 || shared != 1 {
		t.Errorf("%d misuses and %d shared ports, want the Service port key 7070 and the scraped port 9090", misuses, shared)
	}
}
