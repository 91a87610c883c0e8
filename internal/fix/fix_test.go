package fix

import (
	"strings"
	"testing"
)

// apply computes one rule's fixes for the object starting at line 1 and
// applies the default one.
func apply(t *testing.T, text string, tg Target) (string, []Fix) {
	t.Helper()
	src := Parse("f.yaml", []byte(text))
	if tg.DocStart == 0 {
		tg.DocStart = 1
	}
	fs := ForFile(src, []Target{tg})[0]
	for _, f := range fs {
		if f.Default {
			out, err := Apply([]byte(text), f.Edits)
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			return string(out), fs
		}
	}
	return text, fs
}

func TestEditsKeepTheRestOfTheFile(t *testing.T) {
	monitor := "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m, namespace: shop}  # keep\nspec:\n  endpoints:\n    - port: 'metrics'   # the port\n      interval: 30s\n\n    # second endpoint\n    - port: other\n"
	prom := []Prom{{Name: "monitoring/k8s", CertDir: "/etc/prom-certs/"}}
	cases := []struct {
		name, in string
		target   Target
		want     string
	}{
		{"plaintext inserts scheme and tlsConfig after the endpoint's last key", monitor,
			Target{Rule: "plaintext-scrape-of-strict-port", Pointer: "/spec/endpoints/0", Hint: Hint{Prometheuses: prom}},
			"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m, namespace: shop}  # keep\nspec:\n  endpoints:\n    - port: 'metrics'   # the port\n      interval: 30s\n      scheme: https\n      tlsConfig:\n        caFile: /etc/prom-certs/root-cert.pem\n        certFile: /etc/prom-certs/cert-chain.pem\n        keyFile: /etc/prom-certs/key.pem\n        insecureSkipVerify: true\n\n    # second endpoint\n    - port: other\n"},
		{"CRLF and four-space indentation are kept",
			"kind: ServiceMonitor\r\nspec:\r\n    endpoints:\r\n    -   port: metrics\r\n        scheme: http # plain\r\n        tlsConfig:\r\n            caFile: /etc/prom-certs/root-cert.pem\r\n",
			Target{Rule: "istio-tls-without-https", Pointer: "/spec/endpoints/0/scheme"},
			"kind: ServiceMonitor\r\nspec:\r\n    endpoints:\r\n    -   port: metrics\r\n        scheme: https # plain\r\n        tlsConfig:\r\n            caFile: /etc/prom-certs/root-cert.pem\r\n"},
		{"skip verify is added to a tlsConfig at the end of a file without a final newline",
			"kind: ServiceMonitor\nspec:\n  endpoints:\n    - tlsConfig:\n        caFile: \"/etc/prom-certs/root-cert.pem\"",
			Target{Rule: "istio-tls-without-skip-verify", Pointer: "/spec/endpoints/0/tlsConfig"},
			"kind: ServiceMonitor\nspec:\n  endpoints:\n    - tlsConfig:\n        caFile: \"/etc/prom-certs/root-cert.pem\"\n        insecureSkipVerify: true"},
		{"an inline empty emptyDir gets the medium inline",
			"kind: Prometheus\nspec:\n  volumes:\n    - name: istio-certs\n      emptyDir: {}\n",
			Target{Rule: "istio-certs-volume-not-memory", Pointer: "/spec/volumes/0/emptyDir"},
			"kind: Prometheus\nspec:\n  volumes:\n    - name: istio-certs\n      emptyDir: {medium: Memory}\n"},
		{"a quoted portLevelMtls key stays quoted",
			"kind: PeerAuthentication\nspec:\n  portLevelMtls:\n    \"8080\":\n      mode: PERMISSIVE\n",
			Target{Rule: "port-level-mtls-on-service-port", Pointer: "/spec/portLevelMtls/8080", Hint: Hint{ContainerPorts: []int{9090, 9090}}},
			"kind: PeerAuthentication\nspec:\n  portLevelMtls:\n    \"9090\":\n      mode: PERMISSIVE\n"},
		{"a misplaced annotation moves, block scalar and all, and its empty mapping goes",
			"kind: Deployment\nmetadata:\n  name: d\n  annotations:\n    proxy.istio.io/config: |\n      holdApplicationUntilProxyStarts: true\nspec:\n  template:\n    metadata:\n      labels: {app: d}\n    spec: {}\n",
			Target{Rule: "istio-annotations-misplaced", Pointer: "/metadata/annotations/proxy.istio.io~1config", Hint: Hint{PodMetadataPointer: "/spec/template/metadata"}},
			"kind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n      labels: {app: d}\n      annotations:\n        proxy.istio.io/config: |\n          holdApplicationUntilProxyStarts: true\n    spec: {}\n"},
		{"a misplaced label joins an inline pod label mapping",
			"kind: Deployment\nmetadata:\n  name: d\n  labels:\n    app: d\n    sidecar.istio.io/inject: \"true\"\nspec:\n  template:\n    metadata:\n      labels: {app: d}\n",
			Target{Rule: "istio-annotations-misplaced", Pointer: "/metadata/labels/sidecar.istio.io~1inject", Hint: Hint{PodMetadataPointer: "/spec/template/metadata"}},
			"kind: Deployment\nmetadata:\n  name: d\n  labels:\n    app: d\nspec:\n  template:\n    metadata:\n      labels: {sidecar.istio.io/inject: \"true\", app: d}\n"},
		{"the outbound annotation is set in place when present",
			"kind: Prometheus\nspec:\n  podMetadata:\n    annotations:\n      traffic.sidecar.istio.io/includeOutboundIPRanges: \"10.0.0.0/8\"\n",
			Target{Rule: "prometheus-outbound-captured", Pointer: "/spec/podMetadata/annotations/traffic.sidecar.istio.io~1includeOutboundIPRanges"},
			"kind: Prometheus\nspec:\n  podMetadata:\n    annotations:\n      traffic.sidecar.istio.io/includeOutboundIPRanges: \"\"\n"},
		{"the second document is the one edited",
			"kind: Service\nspec: {}\n---\n# a comment\nkind: Prometheus\nspec:\n  podMetadata:\n    annotations: {}\n",
			Target{Rule: "prometheus-outbound-captured", Pointer: "/spec/podMetadata/annotations", DocStart: 3},
			"kind: Service\nspec: {}\n---\n# a comment\nkind: Prometheus\nspec:\n  podMetadata:\n    annotations: {traffic.sidecar.istio.io/includeOutboundIPRanges: \"\"}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, fs := apply(t, c.in, c.target)
			if got != c.want {
				t.Errorf("fixes %+v\ngot:\n%s\nwant:\n%s", fs, got, c.want)
			}
			again, _ := apply(t, got, c.target)
			if again != got {
				t.Errorf("a second application changed the file again:\n%s", again)
			}
		})
	}
}

func TestExportRecipeUsesTheNamesPresent(t *testing.T) {
	in := "kind: Prometheus\nspec:\n  volumes:\n    - name: certs\n      emptyDir:\n        medium: Memory\n  volumeMounts:\n    - name: certs\n      mountPath: /etc/certs/\n"
	got, fs := apply(t, in, Target{Rule: "istio-certs-not-exported", Pointer: "/spec/podMetadata/annotations"})
	for _, want := range []string{
		"  podMetadata:\n    annotations:\n      proxy.istio.io/config: |\n        proxyMetadata:\n          OUTPUT_CERTS: /etc/istio-output-certs\n",
		`      sidecar.istio.io/userVolumeMount: '[{"name": "certs", "mountPath": "/etc/istio-output-certs"}]'` + "\n",
		"      traffic.sidecar.istio.io/includeOutboundIPRanges: \"\"\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s\n(fixes %+v)", want, got, fs)
		}
	}
	if !strings.HasPrefix(got, in) {
		t.Errorf("the existing text changed:\n%s", got)
	}
}

func TestChoicesAndSharedFilesAreNotDefault(t *testing.T) {
	src := Parse("f.yaml", []byte("kind: PodMonitor\nspec:\n  podMetricsEndpoints:\n    - port: metrics\n"))
	for _, f := range ForFile(src, []Target{{Rule: "podmonitor-under-strict", DocStart: 1, Pointer: "/spec/podMetricsEndpoints/0"}})[0] {
		if f.Default || f.NotDefault == "" {
			t.Errorf("a choice is applied by default: %+v", f)
		}
	}
	mon := Parse("f.yaml", []byte("kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: metrics\n"))
	tg := Target{Rule: "plaintext-scrape-of-strict-port", DocStart: 1, Pointer: "/spec/endpoints/0",
		Hint: Hint{Prometheuses: []Prom{{Name: "m/p", CertDir: "/etc/prom-certs"}}, Environments: []string{"prod"}, FileEnvironments: []string{"dev", "prod"}}}
	fs := ForFile(mon, []Target{tg})[0]
	if len(fs) != 1 || fs[0].Default || !strings.Contains(fs[0].NotDefault, "dev") || len(fs[0].Edits) == 0 {
		t.Errorf("a fix right in prod only is default, or lost its edits: %+v", fs)
	}
	tg.Hint.Environments = []string{"dev", "prod"}
	if fs := ForFile(mon, []Target{tg})[0]; !fs[0].Default {
		t.Errorf("a fix right in every environment is not default: %+v", fs)
	}
	tg.Rendered = true
	if fs := ForFile(mon, []Target{tg})[0]; fs[0].Default || len(fs[0].Edits) > 0 {
		t.Errorf("a rendered object got an edit: %+v", fs)
	}
}

func TestDeniedFileTLSUsesTheIstioClass(t *testing.T) {
	in := "kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: metrics\n"
	got, fs := apply(t, in, Target{Rule: "plaintext-scrape-of-strict-port", Pointer: "/spec/endpoints/0",
		Hint: Hint{Prometheuses: []Prom{{Name: "m/p", FileTLSDenied: true, IstioClass: "istio-mtls"}}}})
	want := "kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: metrics\n      scheme: https\n  scrapeClass: istio-mtls\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s\n(%+v)", got, want, fs)
	}
	_, fs = apply(t, in, Target{Rule: "plaintext-scrape-of-strict-port", Pointer: "/spec/endpoints/0",
		Hint: Hint{Prometheuses: []Prom{{Name: "m/p", FileTLSDenied: true}}}})
	for _, f := range fs {
		if f.Default {
			t.Errorf("with file TLS denied and no class, a fix is default: %+v", f)
		}
	}
}

func TestApplyRefusesOverlapsAndSelectSkipsThem(t *testing.T) {
	text := []byte("abcdef")
	a := Edit{File: "f", Start: Pos{Offset: 1}, End: Pos{Offset: 3}, New: "X"}
	b := Edit{File: "f", Start: Pos{Offset: 2}, End: Pos{Offset: 4}, New: "Y"}
	if _, err := Apply(text, []Edit{a, b}); err == nil {
		t.Error("overlapping edits were applied")
	}
	out, err := Apply(text, []Edit{a, a})
	if err != nil || string(out) != "aXdef" {
		t.Errorf("identical edits: %q, %v", out, err)
	}
	taken, skipped := Select([]Fix{{Edits: []Edit{a}}, {Edits: []Edit{b}}, {Edits: []Edit{a}}})
	if len(taken) != 2 || skipped != 1 {
		t.Errorf("Select took %d, skipped %d", len(taken), skipped)
	}
}

func TestRenderedObjectsAreEditedOnlyInPlainSources(t *testing.T) {
	tg := Target{Rule: "istio-tls-without-https", Pointer: "/spec/endpoints/0", Rendered: true, Kind: "ServiceMonitor", Name: "cart"}
	base := "kind: ServiceMonitor\nmetadata:\n  name: cart\nspec:\n  endpoints:\n    - port: metrics\n"
	fs := ForFile(Parse("base/app.yaml", []byte("kind: Service\nmetadata: {name: cart}\n---\n"+base)), []Target{tg})[0]
	if len(fs) != 1 || fs[0].Default || len(fs[0].Edits) != 1 || fs[0].Edits[0].Start.Line != 10 {
		t.Errorf("a Kustomize base's object: want one insertion at line 10, offered only: %+v", fs)
	}
	tmpl := strings.Replace(base, "port: metrics", "port: {{ .Values.port }}", 1)
	fs = ForFile(Parse("templates/m.yaml", []byte(tmpl)), []Target{tg})[0]
	if len(fs) != 1 || fs[0].Default || len(fs[0].Edits) != 0 {
		t.Errorf("a template got an edit: %+v", fs)
	}
}

func TestHTTPSFromAClassNeedsTheClassInEveryPrometheus(t *testing.T) {
	in := "kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: metrics\n"
	tg := Target{Rule: "istio-tls-without-https", Pointer: "/spec/endpoints/0",
		Hint: Hint{Prometheuses: []Prom{{Name: "a/with", IstioClass: "istio"}, {Name: "b/without"}}}}
	if got, fs := apply(t, in, tg); got != in || len(fs) != 1 || !strings.Contains(fs[0].NotDefault, "b/without") {
		t.Errorf("https applied though Prometheus b/without has no Istio class: %+v", fs)
	}
	tg.Hint.Prometheuses[1].IstioClass = "istio"
	if got, _ := apply(t, in, tg); !strings.HasSuffix(got, "    - port: metrics\n      scheme: https\n") {
		t.Errorf("both Prometheus servers have the class, yet:\n%s", got)
	}
}
