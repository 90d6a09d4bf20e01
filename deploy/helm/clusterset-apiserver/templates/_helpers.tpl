{{/* The one name everything shares (cluster-scoped objects too: one install per hub). */}}
{{- define "clusterset.name" -}}clusterset-apiserver{{- end }}

{{- define "clusterset.labels" -}}
app.kubernetes.io/name: clusterset-apiserver
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "clusterset.serviceHost" -}}{{ include "clusterset.name" . }}.{{ .Release.Namespace }}.svc{{- end }}

{{/* The group-versions we serve, each behind its own APIService. */}}
{{- define "clusterset.groupVersions" -}}v1alpha1{{- end }}
