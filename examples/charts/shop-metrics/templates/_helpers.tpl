{{- define "shop-metrics.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "shop-metrics.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "shop-metrics.labels" -}}
{{ include "shop-metrics.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/*
Big Bang's metricsSidecarMtls: monitors scrape over https with the sidecar's
certs when Istio is enabled and the workload's mTLS mode is STRICT.
*/}}
{{- define "shop-metrics.metricsMtls" -}}
{{- if and .Values.istio.enabled (eq (.Values.istio.mtls.mode | default "STRICT") "STRICT") -}}
true
{{- end -}}
{{- end -}}

{{- define "shop-metrics.scheme" -}}
{{- if .Values.serviceMonitor.scheme -}}
{{ .Values.serviceMonitor.scheme }}
{{- else if include "shop-metrics.metricsMtls" . -}}
https
{{- else -}}
http
{{- end -}}
{{- end -}}
