package promvalues

import (
	"fmt"
	"strings"
)

// bigBangCerts is what the Big Bang umbrella adds to the monitoring
// package's Prometheus for the Istio cert recipe, and why.
type bigBangCerts struct {
	// Export: the podMetadata annotations that make the sidecar write its
	// certs to a shared volume (rendered when the monitoring namespace gets
	// sidecars).
	Export bool
	// Mount: the istio-certs volume and its mount at /etc/prom-certs/
	// (rendered only when, besides, the monitoring mTLS mode is STRICT).
	Mount bool
	Why   string
}

// bigBangWiring decides what cert wiring the Big Bang umbrella renders
// (docs/model.md#big-bang-umbrella-values), as
// bigbang chart/templates/monitoring/values.yaml does
// ($sidecarInjectionEnabled and $monitoringMtlsStrict):
//   - Istio enabled: istiod.enabled (true by default; istio.enabled before
//     Big Bang 3), chart/templates/_helpers.tpl "istioEnabled";
//   - not ambient: ztunnel.enabled or istio.ambient.enabled turn ambient on
//     (_helpers.tpl "ambientEnabled"), and ambient has no sidecar to export
//     certs;
//   - the monitoring namespace injected: prometheusOperatorCRDs.istio.injection
//     ("enabled" by default) while prometheusOperatorCRDs.enabled, else
//     grafana.enabled with grafana.istio.injection;
//   - for the volume and mount, monitoring.values.istio.mtls.mode STRICT
//     (the default).
//
// The values file is read for the switches; one it does not set keeps Big
// Bang's default.
func bigBangWiring(root map[string]any) bigBangCerts {
	if why, on := bigBangIstio(root); !on {
		return bigBangCerts{Why: why}
	}
	for _, p := range []string{"/ztunnel/enabled", "/istio/ambient/enabled"} {
		if v, ok := at(root, p); ok && truthy(v) {
			return bigBangCerts{Why: fmt.Sprintf("%s is true: in ambient mode Big Bang renders no sidecar cert wiring", dotted(p))}
		}
	}
	if why, on := bigBangInjection(root); !on {
		return bigBangCerts{Why: why}
	}
	if v, ok := at(root, "/monitoring/values/istio/mtls/mode"); ok && !strings.EqualFold(stringValue(v), "STRICT") {
		return bigBangCerts{Export: true, Why: "the monitoring namespace gets sidecars, but monitoring.values.istio.mtls.mode is not STRICT, so the cert volume and mount are not rendered"}
	}
	why, _ := bigBangIstio(root)
	return bigBangCerts{Export: true, Mount: true, Why: why}
}

// bigBangIstio says whether Istio is on, and by which setting.
func bigBangIstio(root map[string]any) (string, bool) {
	if v, ok := at(root, "/istiod/enabled"); ok {
		if !truthy(v) {
			return "istiod.enabled is false", false
		}
		return "istiod.enabled is true", true
	}
	if v, ok := at(root, "/istio/enabled"); ok {
		if !truthy(v) {
			return "istio.enabled is false", false
		}
		return "istio.enabled is true", true
	}
	return "Istio is enabled by Big Bang's default, istiod.enabled: true", true
}

// bigBangInjection says whether the monitoring namespace gets sidecars.
func bigBangInjection(root map[string]any) (string, bool) {
	if v, ok := at(root, "/monitoring/istio/injection"); ok && stringValue(v) == "disabled" {
		return "monitoring.istio.injection is disabled", false
	}
	crds := true
	if v, ok := at(root, "/prometheusOperatorCRDs/enabled"); ok {
		crds = truthy(v)
	}
	if crds {
		if v, ok := at(root, "/prometheusOperatorCRDs/istio/injection"); ok && stringValue(v) != "enabled" {
			return fmt.Sprintf("prometheusOperatorCRDs.istio.injection is %q, so the monitoring namespace gets no sidecars", stringValue(v)), false
		}
		return "", true
	}
	if v, ok := at(root, "/grafana/enabled"); ok && !truthy(v) {
		return "prometheusOperatorCRDs.enabled and grafana.enabled are false, so Big Bang does not inject the monitoring namespace", false
	}
	if v, ok := at(root, "/grafana/istio/injection"); ok && stringValue(v) != "enabled" {
		return fmt.Sprintf("prometheusOperatorCRDs.enabled is false and grafana.istio.injection is %q, so the monitoring namespace gets no sidecars", stringValue(v)), false
	}
	return "", true
}

// bigBangDefaults are the prometheusSpec values the umbrella renders for
// the Istio cert recipe.
func bigBangDefaults(c bigBangCerts) map[string]any {
	out := map[string]any{}
	if c.Export {
		out["podMetadata"] = map[string]any{
			"annotations": map[string]any{
				"traffic.sidecar.istio.io/includeOutboundIPRanges": "",
				"proxy.istio.io/config":                            "proxyMetadata:\n  OUTPUT_CERTS: /etc/istio-output-certs\n",
				"sidecar.istio.io/userVolumeMount":                 `[{"name": "istio-certs", "mountPath": "/etc/istio-output-certs"}]`,
			},
		}
	}
	if c.Mount {
		out["volumes"] = []any{
			map[string]any{"name": "istio-certs", "emptyDir": map[string]any{"medium": "Memory"}},
		}
		out["volumeMounts"] = []any{
			map[string]any{"name": "istio-certs", "mountPath": "/etc/prom-certs/"},
		}
	}
	return out
}
