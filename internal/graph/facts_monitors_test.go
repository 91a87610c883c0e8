package graph

import (
	"strings"
	"testing"
)

func mfSvc(ns, name, labels, selector, ports string) string {
	return "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns + ", labels: " + labels + "}\nspec:\n  selector: " + selector + "\n  ports:\n" + indent(ports, "    ") + "\n"
}

func mfServiceMonitor(ns, name, labels, spec string) string {
	return "---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: " + name + ", namespace: " + ns + ", labels: " + labels + "}\nspec:\n" + indent(spec, "  ") + "\n"
}

func mfPodMonitor(ns, name, spec string) string {
	return "---\napiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" + indent(spec, "  ") + "\n"
}

func mfPrometheus(ns, name, spec string) string {
	return "---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" + indent(spec, "  ") + "\n"
}

func monitorFacts(t *testing.T, g *Graph) map[string]MonitorFact {
	t.Helper()
	out := map[string]MonitorFact{}
	for _, m := range g.Facts().Monitors {
		out[m.Name] = m
	}
	return out
}

// docs/model.md#monitor-selection: null selects nothing, {} everything; a null namespace selector
// means the Prometheus's own namespace; unknown namespace labels and
// monitors without a namespace leave the question open.
func TestMonitorSelection(t *testing.T) {
	g := build(t, mfPrometheus("monitoring", "k8s", "serviceMonitorSelector: {matchLabels: {release: kps}}\nserviceMonitorNamespaceSelector: {matchLabels: {team: shop}}")+
		namespace("shop", "{team: shop}")+
		mfServiceMonitor("shop", "labelled", "{release: kps}", "selector: {}")+
		mfServiceMonitor("shop", "unlabelled", "{}", "selector: {}")+
		mfServiceMonitor("elsewhere", "no-namespace-manifest", "{release: kps}", "selector: {}")+
		mfPodMonitor("shop", "pods", "selector: {}"))
	mf := monitorFacts(t, g)
	if m := mf["ServiceMonitor shop/labelled"]; len(m.SelectedBy) != 1 {
		t.Errorf("labelled: selected by %v", m.SelectedBy)
	}
	if m := mf["ServiceMonitor shop/unlabelled"]; len(m.NotSelectedBy) != 1 || !strings.Contains(m.NotSelectedBy[0].Reason, "release=kps does not match the monitor's labels (none)") {
		t.Errorf("unlabelled: %+v", m.NotSelectedBy)
	}
	if m := mf["ServiceMonitor elsewhere/no-namespace-manifest"]; len(m.Undecided) != 1 {
		t.Errorf("namespace labels unknown: want undecided, got %+v", m)
	}
	if m := mf["PodMonitor shop/pods"]; len(m.NotSelectedBy) != 1 || !strings.Contains(m.NotSelectedBy[0].Reason, "has no podMonitorSelector (null selects no PodMonitors)") {
		t.Errorf("null podMonitorSelector: %+v", m.NotSelectedBy)
	}

	g = build(t, mfPrometheus("monitoring", "k8s", "serviceMonitorSelector: {}")+
		mfServiceMonitor("shop", "other-namespace", "{}", "selector: {}")+
		"---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: floating}\nspec: {selector: {}}\n")
	mf = monitorFacts(t, g)
	if m := mf["ServiceMonitor shop/other-namespace"]; len(m.NotSelectedBy) != 1 || !strings.Contains(m.NotSelectedBy[0].Reason, "only watches its own namespace monitoring, not shop") {
		t.Errorf("other namespace: %+v", m.NotSelectedBy)
	}
	if m := mf["ServiceMonitor default/floating"]; len(m.Undecided) != 1 {
		t.Errorf("a monitor without metadata.namespace lands wherever it is applied: %+v", m)
	}
}

// docs/model.md#scrape-class-reference, docs/model.md#arbitrary-fs-access: what a selecting Prometheus rejects.
func TestMonitorRejectedBySelectingPrometheus(t *testing.T) {
	g := build(t, mfPrometheus("monitoring", "k8s", "serviceMonitorSelector: {}\narbitraryFSAccessThroughSMs: {deny: true}\nscrapeClasses:\n  - {name: a}\n  - {name: b, default: true}\n  - {name: c, default: true}")+
		mfServiceMonitor("monitoring", "files", "{}", "scrapeClass: missing\nselector: {}\nendpoints:\n  - port: https\n    bearerTokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n    tlsConfig: {keyFile: /etc/prom-certs/key.pem, serverName: x}\n  - port: web"))
	m := monitorFacts(t, g)["ServiceMonitor monitoring/files"]
	if len(m.ClassMissingIn) != 1 || !strings.Contains(m.ClassMissingIn[0].Message, `defines no scrape class "missing"`) {
		t.Errorf("class missing: %+v", m.ClassMissingIn)
	}
	if len(m.DeniedFiles) != 1 {
		t.Fatalf("denied files: %+v", m.DeniedFiles)
	}
	d := m.DeniedFiles[0]
	if d.Endpoint != 0 || d.Pointer != "/spec/endpoints/0/bearerTokenFile" || len(d.Fields) != 2 || d.Prometheus.Pointer != "/spec/arbitraryFSAccessThroughSMs/deny" {
		t.Errorf("denied files: %+v", d)
	}
	f := g.Facts()
	if len(f.PrometheusConfigs) != 1 || len(f.PrometheusConfigs[0].DefaultClasses) != 2 || f.PrometheusConfigs[0].DefaultClasses[1].Pointer != "/spec/scrapeClasses/2/default" {
		t.Errorf("default classes: %+v", f.PrometheusConfigs)
	}
	if g.Monitors[0].Endpoints[0].TLS.ServerName != "x" {
		t.Errorf("serverName not read")
	}
}

// "In the input" (the selects-nothing evidence): workloads or Services of
// the namespace, no GitOps object installing into it, no other operator's
// custom resource in it, and not a namespace the cluster fills.
func TestNamespaceInInput(t *testing.T) {
	g := build(t, namespace("only-manifest", "{}")+
		deploy("apps", "cart", "{app: cart}", "", "")+
		mfSvc("es", "kibana", "{app: kibana}", "{app: kibana}", "- {name: http, port: 80}")+
		"---\napiVersion: elasticsearch.k8s.elastic.co/v1\nkind: Elasticsearch\nmetadata: {name: logs, namespace: es}\nspec: {}\n"+
		mfSvc("gitops", "x", "{app: x}", "{app: x}", "- {name: http, port: 80}")+
		"---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x, namespace: argocd}\nspec: {destination: {namespace: gitops}}\n"+
		mfSvc("kube-system", "dns", "{app: dns}", "{app: dns}", "- {name: dns, port: 53}"))
	for ns, want := range map[string]bool{"only-manifest": false, "apps": true, "es": false, "gitops": false, "kube-system": false, "absent": false} {
		if got := g.namespaceInInput(ns); got != want {
			t.Errorf("namespace %s: in input %v, want %v", ns, got, want)
		}
	}
}

// The selector resolution and its near misses.
func TestMonitorSelectsNothing(t *testing.T) {
	g := build(t, deploy("shop", "cart", "{app: cart}", "", "")+
		mfSvc("shop", "cart", "{app.kubernetes.io/name: cart}", "{app: cart}", "- {name: metrics, port: 9090}")+
		mfSvc("other", "search", "{app: search}", "{app: search}", "- {name: metrics, port: 9090}")+
		mfServiceMonitor("shop", "pod-labels", "{}", "selector: {matchLabels: {app: cart}}")+
		mfServiceMonitor("shop", "other-namespace", "{}", "selector: {matchLabels: {app: search}}")+
		mfServiceMonitor("shop", "regex", "{}", "selector: {matchLabels: {app.kubernetes.io/name: \"ca.t\"}}")+
		mfServiceMonitor("shop", "matches", "{}", "selector: {matchLabels: {app.kubernetes.io/name: cart}}")+
		mfPodMonitor("shop", "service-labels", "selector: {matchLabels: {app.kubernetes.io/name: cart}}")+
		mfServiceMonitor("shop", "any", "{}", "namespaceSelector: {any: true}\nselector: {matchLabels: {app: nothing}}"))
	mf := monitorFacts(t, g)
	check := func(name string, selects bool, hint string) {
		t.Helper()
		m := mf[name]
		if !m.WatchedInInput && name != "ServiceMonitor shop/any" {
			t.Errorf("%s: watched namespaces should be in the input", name)
		}
		if m.SelectsSomething != selects {
			t.Errorf("%s: selects something %v, want %v", name, m.SelectsSomething, selects)
		}
		got := ""
		if len(m.Hints) > 0 {
			got = m.Hints[0].Message
		}
		if !strings.Contains(got, hint) {
			t.Errorf("%s: hint %q, want it to contain %q", name, got, hint)
		}
	}
	check("ServiceMonitor shop/pod-labels", false, "matches the pod labels of Deployment shop/cart, but a ServiceMonitor selects Services by the Service's own metadata.labels (Service shop/cart selects those pods")
	check("ServiceMonitor shop/other-namespace", false, "Service other/search matches, but it is in namespace other")
	check("ServiceMonitor shop/regex", true, "")
	check("ServiceMonitor shop/matches", true, "")
	check("PodMonitor shop/service-labels", false, "matches the labels of Service shop/cart, but a PodMonitor selects pods")
	if m := mf["ServiceMonitor shop/any"]; m.WatchedInInput {
		t.Errorf("a monitor watching any namespace never has all of them in the input")
	}
}

// docs/model.md#servicemonitor-ports, docs/model.md#podmonitor-ports: ports that resolve to nothing, and istio-proxy's ports.
func TestPortProblems(t *testing.T) {
	g := build(t, namespace("shop", "{istio-injection: enabled}")+namespace("plain", "{}")+
		deploy("shop", "cart", "{app: cart}", "", "")+
		deploy("plain", "worker", "{app: worker}", "", "")+
		mfSvc("shop", "cart", "{app: cart}", "{app: cart}", "- {name: web, port: 80, targetPort: http}\n- {port: 9090, name: scrape, targetPort: metrics}")+
		mfSvc("shop", "single", "{app: single}", "{app: cart}", "- {port: 9090}")+
		mfServiceMonitor("shop", "cart", "{}", "selector: {matchLabels: {app: cart}}\nendpoints:\n  - port: web\n  - port: metrics\n  - port: \"9090\"\n  - targetPort: 9091\n  - targetPort: metrics\n  - targetPort: 15020\n  - {}")+
		mfServiceMonitor("shop", "single", "{}", "selector: {matchLabels: {app: single}}\nendpoints:\n  - port: metrics")+
		mfPodMonitor("shop", "cart", "selector: {matchLabels: {app: cart}}\npodMetricsEndpoints:\n  - port: http-envoy-prom\n  - portNumber: 15021\n  - portNumber: 9999\n  - port: \"8080\"")+
		mfPodMonitor("plain", "worker", "selector: {matchLabels: {app: worker}}\npodMetricsEndpoints:\n  - port: http-envoy-prom\n  - port: metrics"))
	mf := monitorFacts(t, g)
	type want struct {
		endpoint            int
		problem, suggestion string
	}
	check := func(name string, wants ...want) {
		t.Helper()
		got := mf[name].PortProblems
		if len(got) != len(wants) {
			t.Fatalf("%s: %d problems, want %d: %+v", name, len(got), len(wants), got)
		}
		for i, w := range wants {
			if got[i].Endpoint != w.endpoint || got[i].Problem != w.problem || got[i].Suggestion != w.suggestion {
				t.Errorf("%s problem %d: %+v, want %+v", name, i, got[i], w)
			}
		}
	}
	// 15020 and 15021 are served by the sidecar but not declared by the
	// injected istio-proxy, so picking them by number finds no target.
	check("ServiceMonitor shop/cart", want{1, "name", ""}, want{2, "number", "scrape"}, want{3, "undeclared", ""}, want{5, "undeclared", ""})
	check("ServiceMonitor shop/single", want{0, "unnamed", ""})
	check("PodMonitor shop/cart", want{1, "undeclared", ""}, want{2, "undeclared", ""}, want{3, "number", "http"})
	check("PodMonitor plain/worker", want{0, "name", ""})
	if d := mf["ServiceMonitor shop/cart"].PortProblems[0].Declared; d != "Service shop/cart has web (80), scrape (9090)" {
		t.Errorf("declared: %q", d)
	}
}

// A Service port whose named targetPort no pod behind it declares has no
// endpoints; a numeric one needs no declaration, and istio-proxy's declared
// http-envoy-prom counts on sidecar pods.
func TestServiceTargetPortUndeclared(t *testing.T) {
	g := build(t, namespace("shop", "{istio-injection: enabled}")+
		deploy("shop", "cart", "{app: cart}", "", "")+
		mfSvc("shop", "cart", "{app: cart}", "{app: cart}", "- {name: named, port: 80, targetPort: prom}\n- {name: numeric, port: 81, targetPort: 9999}\n- {name: envoy, port: 82, targetPort: http-envoy-prom}\n- {name: ok, port: 83, targetPort: metrics}")+
		mfServiceMonitor("shop", "cart", "{}", "selector: {matchLabels: {app: cart}}\nendpoints:\n  - port: named\n  - port: numeric\n  - port: envoy\n  - port: ok"))
	got := monitorFacts(t, g)["ServiceMonitor shop/cart"].PortProblems
	if len(got) != 1 || got[0].Endpoint != 0 || got[0].Problem != "target-undeclared" {
		t.Fatalf("problems %+v, want only endpoint 0 target-undeclared", got)
	}
	if !strings.Contains(got[0].Declared, `port named (80) targets "prom"`) {
		t.Errorf("declared: %q", got[0].Declared)
	}
}

// Keys on a controller's own metadata that its pod template lacks.
func TestMisplacedKeys(t *testing.T) {
	g := build(t, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\n  namespace: shop\n"+
		"  labels: {sidecar.istio.io/inject: \"true\", app: cart}\n"+
		"  annotations: {prometheus.io/scrape: \"true\", proxy.istio.io/config: \"{}\", example.com/x: y}\n"+
		"spec:\n  template:\n    metadata:\n      annotations: {prometheus.io/scrape: \"true\"}\n    spec:\n      containers: [{name: app}]\n"+
		mfPrometheus("monitoring", "k8s", "podMetadata: {annotations: {traffic.sidecar.istio.io/includeOutboundIPRanges: \"\"}}"))
	f := g.Facts()
	if len(f.Controllers) != 1 {
		t.Fatalf("controllers: %+v", f.Controllers)
	}
	c := f.Controllers[0]
	var keys []string
	for _, k := range c.Keys {
		keys = append(keys, k.Field+":"+k.Key+"@"+k.Pointer)
	}
	want := "annotations:proxy.istio.io/config@/metadata/annotations/proxy.istio.io~1config labels:sidecar.istio.io/inject@/metadata/labels/sidecar.istio.io~1inject"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("keys %q, want %q", got, want)
	}
	if c.PodMetadataPointer != "/spec/template/metadata" || c.PodMetadata != "the pod template (spec.template.metadata)" {
		t.Errorf("pod metadata: %+v", c)
	}
}

// The includeOutboundIPRanges check and its alternatives.
func TestPrometheusOutbound(t *testing.T) {
	cases := map[string]string{
		"": "{}",
		"traffic.sidecar.istio.io/includeOutboundIPRanges is empty": `{traffic.sidecar.istio.io/includeOutboundIPRanges: ""}`,
		"sidecar.istio.io/interceptionMode is NONE":                 `{sidecar.istio.io/interceptionMode: NONE}`,
		"excludes 0.0.0.0/0": `{traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.0.0.1/32, 0.0.0.0/0"}`,
	}
	for want, annotations := range cases {
		g := build(t, mfPrometheus("monitoring", "k8s", "podMetadata: {annotations: "+annotations+"}"))
		pc := g.Facts().PrometheusConfigs[0]
		if (want == "") != (pc.OutboundBypassed == "") || !strings.Contains(pc.OutboundBypassed, want) {
			t.Errorf("%s: bypassed %q, want %q", annotations, pc.OutboundBypassed, want)
		}
	}
}

// Target facts: the sidecar's own ports, app TLS, and ambient wording.
func TestTargetFactsForFullTierScrapeRules(t *testing.T) {
	g := build(t, namespace("shop", "{istio-injection: enabled}")+namespace("mesh", "{istio.io/dataplane-mode: ambient}")+
		deploy("shop", "cart", "{app: cart}", "{status.sidecar.istio.io/port: \"15333\"}", "")+
		deploy("mesh", "amb", "{app: amb}", "", "")+
		mfSvc("shop", "cart", "{app: cart}", "{app: cart}", "- {name: https-metrics, port: 443, targetPort: 9090, appProtocol: https}\n- {name: status, port: 15333}\n- {name: envoy, port: 15090}")+
		mfSvc("mesh", "amb", "{app: amb}", "{app: amb}", "- {name: metrics, port: 9090}")+
		mfServiceMonitor("shop", "cart", "{}", "selector: {matchLabels: {app: cart}}\nendpoints:\n  - {}\n  - port: status\n    scheme: https\n    tlsConfig: {ca: {secret: {name: ca, key: ca.crt}}}")+
		mfServiceMonitor("mesh", "amb", "{}", "selector: {matchLabels: {app: amb}}\nendpoints:\n  - port: metrics"))
	f := g.Facts()
	byPort := map[int]TargetFact{}
	for _, s := range f.Scrapes {
		for _, tf := range s.Targets {
			if tf.Workload == "Deployment shop/cart" {
				byPort[tf.Port] = tf
			}
		}
		switch s.Name + "/" + s.Pointer {
		case "ServiceMonitor shop/cart//spec/endpoints/0":
			if s.Port != "" || s.AppTLS != "" {
				t.Errorf("endpoint without port: %+v", s)
			}
		case "ServiceMonitor shop/cart//spec/endpoints/1":
			if s.Port != "port status" || !strings.Contains(s.AppTLS, "CA from a Secret") {
				t.Errorf("endpoint with own CA: port %q appTLS %q", s.Port, s.AppTLS)
			}
		}
	}
	if tf := byPort[9090]; tf.IstioPort || !strings.Contains(tf.AppTLS, "appProtocol https") {
		t.Errorf("app port: %+v", tf)
	}
	if !byPort[15333].IstioPort || !byPort[15090].IstioPort {
		t.Errorf("the status port (moved by annotation) and 15090 are the sidecar's: %+v %+v", byPort[15333], byPort[15090])
	}
	for _, s := range f.Scrapes {
		if s.Name == "ServiceMonitor mesh/amb" && !strings.Contains(s.Targets[0].Why, "is enrolled in ambient because namespace mesh") {
			t.Errorf("ambient why: %q", s.Targets[0].Why)
		}
	}
}
