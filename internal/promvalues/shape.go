package promvalues

import (
	"fmt"
	"strings"
)

// Shape is the kind of values file, which decides where the chart's values
// sit in it and which defaults apply.
type Shape int

const (
	// KubePrometheusStack is the values of the kube-prometheus-stack chart:
	// top-level `prometheus:`.
	KubePrometheusStack Shape = iota + 1
	// BigBang is Big Bang umbrella values: the monitoring package's values
	// under `monitoring.values` (with Big Bang's passthrough charts, under
	// `monitoring.values.upstream`).
	BigBang
	// BigBangPackage is the values of Big Bang's monitoring package chart
	// itself, kube-prometheus-stack under `upstream:` (what the umbrella
	// renders into the package's HelmRelease).
	BigBangPackage
)

func (s Shape) String() string {
	switch s {
	case KubePrometheusStack:
		return "kube-prometheus-stack values"
	case BigBang:
		return "Big Bang umbrella values"
	case BigBangPackage:
		return "Big Bang monitoring package values"
	}
	return "unknown values"
}

// kpsKeys are top-level keys only kube-prometheus-stack values have; any of
// them identifies a file that never mentions `prometheus:` (every Prometheus
// setting left at the chart's defaults).
var kpsKeys = []string{"prometheus", "prometheusOperator", "alertmanager", "grafana", "kube-state-metrics",
	"kubeStateMetrics", "prometheus-node-exporter", "nodeExporter", "defaultRules", "kubeApiServer", "kubelet",
	"crds", "cleanPrometheusOperatorObjectNames"}

// detect finds the shape of a values file and the pointer of the chart
// values within it: "" for kube-prometheus-stack values,
// "/monitoring/values" or "/monitoring/values/upstream" for Big Bang
// umbrella values, "/upstream" for the Big Bang monitoring package.
func detect(root map[string]any) (Shape, string, error) {
	if mon, ok := root["monitoring"].(map[string]any); ok {
		if _, hasValues := mon["values"]; hasValues || mon["enabled"] != nil || mon["git"] != nil || mon["sso"] != nil {
			values, _ := mon["values"].(map[string]any)
			if up, ok := values["upstream"].(map[string]any); ok && up["prometheus"] != nil {
				return BigBang, "/monitoring/values/upstream", nil
			}
			return BigBang, "/monitoring/values", nil
		}
	}
	if up, ok := root["upstream"].(map[string]any); ok && up["prometheus"] != nil {
		return BigBangPackage, "/upstream", nil
	}
	for _, k := range kpsKeys {
		if _, ok := root[k]; ok {
			return KubePrometheusStack, "", nil
		}
	}
	return 0, "", fmt.Errorf("neither kube-prometheus-stack values (no top-level %s) nor Big Bang umbrella values (no monitoring.values)",
		"`prometheus:`")
}

// fullname follows kube-prometheus-stack's "kube-prometheus-stack.fullname"
// helper: fullnameOverride, or the release name when it already contains
// the chart name, or "<release>-<chart name>"; truncated to 26 characters
// with a trailing "-" trimmed, so that suffixes fit Kubernetes' limits.
func fullname(release, nameOverride, fullnameOverride string) string {
	trunc := func(s string) string {
		if len(s) > 26 {
			s = s[:26]
		}
		return strings.TrimSuffix(s, "-")
	}
	if fullnameOverride != "" {
		return trunc(fullnameOverride)
	}
	name := "kube-prometheus-stack"
	if nameOverride != "" {
		name = nameOverride
	}
	if strings.Contains(release, name) {
		return trunc(release)
	}
	return trunc(release + "-" + name)
}
