package promvalues

import "strings"

// bigBangWiring decides whether the Big Bang umbrella adds the Istio cert
// wiring to the monitoring package's Prometheus itself (docs/model.md#big-bang-umbrella-values;
// bigbang chart/templates/monitoring/values.yaml). Big Bang does so whenever
// Istio is enabled (istiod.enabled, true by default; istio.enabled before
// Big Bang 3) and the monitoring namespace is injected with STRICT mTLS.
// The values file is read for the switches that turn it off; a switch it
// does not set keeps Big Bang's default.
func bigBangWiring(root map[string]any) (bool, string) {
	if v, ok := at(root, "/istiod/enabled"); ok {
		if !truthy(v) {
			return false, "istiod.enabled is false"
		}
	} else if v, ok := at(root, "/istio/enabled"); ok && !truthy(v) {
		return false, "istio.enabled is false"
	}
	if v, ok := at(root, "/monitoring/istio/injection"); ok && stringValue(v) == "disabled" {
		return false, "monitoring.istio.injection is disabled"
	}
	if v, ok := at(root, "/monitoring/values/istio/mtls/mode"); ok && !strings.EqualFold(stringValue(v), "STRICT") {
		return false, "monitoring.values.istio.mtls.mode is not STRICT"
	}
	if v, ok := at(root, "/istiod/enabled"); ok && truthy(v) {
		return true, "istiod.enabled is true"
	}
	if v, ok := at(root, "/istio/enabled"); ok && truthy(v) {
		return true, "istio.enabled is true"
	}
	return true, "Istio is enabled by Big Bang's default, istiod.enabled: true"
}

// bigBangDefaults are the prometheusSpec values the umbrella renders for
// the Istio cert recipe when bigBangWiring holds.
func bigBangDefaults() map[string]any {
	return map[string]any{
		"podMetadata": map[string]any{
			"annotations": map[string]any{
				"traffic.sidecar.istio.io/includeOutboundIPRanges": "",
				"proxy.istio.io/config":                            "proxyMetadata:\n  OUTPUT_CERTS: /etc/istio-output-certs\n",
				"sidecar.istio.io/userVolumeMount":                 `[{"name": "istio-certs", "mountPath": "/etc/istio-output-certs"}]`,
			},
		},
		"volumes": []any{
			map[string]any{"name": "istio-certs", "emptyDir": map[string]any{"medium": "Memory"}},
		},
		"volumeMounts": []any{
			map[string]any{"name": "istio-certs", "mountPath": "/etc/prom-certs/"},
		},
	}
}
