{{- define "monitored.labels" -}}
app: {{ .Release.Name }}
{{- end -}}
