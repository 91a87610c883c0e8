package graph

import (
	"testing"
)

func scrapeFact(t *testing.T, g *Graph, name string, endpoint int) ScrapeFact {
	t.Helper()
	for _, s := range g.Facts().Scrapes {
		if s.Name == name && s.Endpoint == endpoint {
			return s
		}
	}
	t.Fatalf("no scrape of %s endpoint %d", name, endpoint)
	return ScrapeFact{}
}

// A PodMonitor's tlsConfig is a SafeTLSConfig: file fields are dropped (and
// named), and a block that is zero without them takes a scrape class's TLS
// wholesale, insecureSkipVerify included.
func TestPodMonitorTLSKeepsSafeFields(t *testing.T) {
	files := "caFile: /etc/prom-certs/root-cert.pem\ncertFile: /etc/prom-certs/cert-chain.pem\nkeyFile: /etc/prom-certs/key.pem"
	class := "scrapeClasses:\n  - name: istio\n    default: true\n    tlsConfig: {caFile: /etc/c/root-cert.pem, certFile: /etc/c/cert-chain.pem, keyFile: /etc/c/key.pem, insecureSkipVerify: true}"
	pm := mfPodMonitor("shop", "copied", "selector: {}\npodMetricsEndpoints:\n  - port: metrics\n    scheme: https\n    tlsConfig:\n"+indent(files, "      ")+
		"\n  - port: metrics\n    scheme: https\n    tlsConfig: {}\n  - port: metrics\n    scheme: https\n    tlsConfig: {insecureSkipVerify: false}")
	g := build(t, deploy("shop", "cart", "{app: cart}", "", "")+pm)
	s := scrapeFact(t, g, "PodMonitor shop/copied", 0)
	if s.TLS.Istio || s.TLS.ClientCert != "" || len(s.TLS.DroppedFiles) != 3 || s.TLS.DroppedFiles[0].Message != "caFile /etc/prom-certs/root-cert.pem" {
		t.Errorf("copied recipe without a class: %+v", s.TLS)
	}

	g = build(t, deploy("shop", "cart", "{app: cart}", "", "")+pm+mfPrometheus("shop", "k8s", "podMonitorSelector: {}\n"+class))
	if s := scrapeFact(t, g, "PodMonitor shop/copied", 0); s.TLS.ClientCert != "istio" || !s.TLS.SkipVerify {
		t.Errorf("files dropped, zero block: want the class wholesale, got %+v", s.TLS)
	}
	if s := scrapeFact(t, g, "PodMonitor shop/copied", 1); s.TLS.ClientCert != "istio" || !s.TLS.SkipVerify {
		t.Errorf("tlsConfig: {}: want the class wholesale, got %+v", s.TLS)
	}
	if s := scrapeFact(t, g, "PodMonitor shop/copied", 2); s.TLS.ClientCert != "istio" || s.TLS.SkipVerify {
		t.Errorf("insecureSkipVerify: false: want a field merge keeping it false, got %+v", s.TLS)
	}
}

// The client certificate a scrape presents decides whether a STRICT port
// accepts it.
func TestClientCert(t *testing.T) {
	for _, c := range []struct {
		tls  TLSConfig
		want string
	}{
		{TLSConfig{Files: []TLSFile{{Field: "certFile", Path: "/etc/prom-certs/cert-chain.pem"}, {Field: "keyFile", Path: "/etc/prom-certs/key.pem"}}}, "istio"},
		{TLSConfig{Files: []TLSFile{{Field: "certFile", Path: "/mnt/x/tls.crt"}, {Field: "keyFile", Path: "/mnt/x/tls.key"}}}, "istio"}, // under the cert mount
		{TLSConfig{Files: []TLSFile{{Field: "certFile", Path: "/etc/prometheus/secrets/c/tls.crt"}, {Field: "keyFile", Path: "/etc/prometheus/secrets/c/tls.key"}}}, "other"},
		{TLSConfig{HasSecretCert: true, HasSecretKey: true}, "other"},
		// Citadel's pre-1.6 Secret listed in spec.secrets.
		{TLSConfig{Files: []TLSFile{{Field: "certFile", Path: "/etc/prometheus/secrets/istio.default/cert-chain.pem"}, {Field: "keyFile", Path: "/etc/prometheus/secrets/istio.default/key.pem"}}}, "istio"},
		{TLSConfig{Files: []TLSFile{{Field: "certFile", Path: "/etc/prometheus/secrets/istio.default/tls.crt"}, {Field: "keyFile", Path: "/etc/prometheus/secrets/istio.default/tls.key"}}}, "other"},
		{TLSConfig{Files: []TLSFile{{Field: "caFile", Path: "/etc/prom-certs/root-cert.pem"}}, InsecureSkipVerify: true}, ""},
		{TLSConfig{}, ""},
	} {
		if got := clientCert(c.tls, []string{"/mnt/x"}); got != c.want {
			t.Errorf("clientCert(%+v) = %q, want %q", c.tls, got, c.want)
		}
	}
}

// Native sidecars (init containers with restartPolicy Always) declare
// ports; init containers that run to completion do not.
func TestNativeSidecarPorts(t *testing.T) {
	g := build(t, deploy("web", "nginx", "{app: nginx}", "", "initContainers:\n  - name: exporter\n    restartPolicy: Always\n    ports: [{name: exporter, containerPort: 9113}]\n  - name: init\n    ports: [{name: init, containerPort: 9999}]"))
	w := workload(t, g, "nginx")
	if w.declared(9113) == nil || w.declared(9999) != nil {
		t.Errorf("ports: %+v", w.Ports)
	}
}

// A volumeMount patched into the prometheus container through
// spec.containers is a mount of that container; one patched into another
// operator container is not.
func TestPrometheusContainerPatchMounts(t *testing.T) {
	g := build(t, mfPrometheus("monitoring", "k8s", "containers:\n  - name: prometheus\n    volumeMounts: [{name: istio-certs, mountPath: /etc/prom-certs/}]\n  - name: thanos-sidecar\n    volumeMounts: [{name: other, mountPath: /etc/other/}]"))
	p := g.Prometheus[0]
	if vm := p.MountCovering("/etc/prom-certs"); vm == nil || vm.Pointer != "/spec/containers/0/volumeMounts/0" {
		t.Errorf("prometheus patch mount: %+v", p.VolumeMounts)
	}
	if p.MountCovering("/etc/other") != nil {
		t.Errorf("thanos-sidecar mount counted: %+v", p.VolumeMounts)
	}
}

// A ServiceMonitor endpoint's deprecated targetPort keeps only ports a
// container declares, even when a Service port targets the number.
func TestTargetPortKeepsDeclaredPortsOnly(t *testing.T) {
	g := build(t, deploy("shop", "cart", "{app: cart}", "", "")+
		mfSvc("shop", "cart", "{app: cart}", "{app: cart}", "- {name: extra, port: 9091, targetPort: 9091}\n- {name: metrics, port: 9090, targetPort: 9090}")+
		mfServiceMonitor("shop", "cart", "{}", "selector: {matchLabels: {app: cart}}\nendpoints:\n  - targetPort: 9091\n  - targetPort: 9090\n  - port: extra"))
	if s := scrapeFact(t, g, "ServiceMonitor shop/cart", 0); len(s.Targets) != 0 {
		t.Errorf("undeclared targetPort: %+v", s.Targets)
	}
	if s := scrapeFact(t, g, "ServiceMonitor shop/cart", 1); len(s.Targets) != 1 || s.Targets[0].Port != 9090 {
		t.Errorf("declared targetPort: %+v", s.Targets)
	}
	if s := scrapeFact(t, g, "ServiceMonitor shop/cart", 2); len(s.Targets) != 1 || s.Targets[0].Port != 9091 {
		t.Errorf("a Service's numeric targetPort needs no declaration: %+v", s.Targets)
	}
}

// Files under the mount of the volume the sidecar writes are Istio's, even
// under the operator's secrets directory (Kyma's layout); elsewhere there,
// they are the operator's Secret mounts.
func TestIstioCertFileUnderSecretsMount(t *testing.T) {
	dirs := []string{"/etc/prometheus/secrets/istio.default/"}
	if !IsIstioCertFile("/etc/prometheus/secrets/istio.default/tls.crt", dirs) {
		t.Error("file under the exported-cert mount not recognised")
	}
	if IsIstioCertFile("/etc/prometheus/secrets/other/cert-chain.pem", dirs) {
		t.Error("a Secret mounted by the operator taken for Istio's export")
	}
	if !IsIstioCertFile("/etc/istio-certs/cert-chain.pem", nil) {
		t.Error("Istio's file name not recognised")
	}
}
