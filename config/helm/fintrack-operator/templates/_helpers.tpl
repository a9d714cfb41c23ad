{{/*
The base of every object's name: "fintrack-operator" for the release of that name, so that the
defaults render config/default's names; "<release>-fintrack-operator" for any other release, so
that cluster-scoped objects of two releases never share a name.
*/}}
{{- define "fintrack-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The prefix of the aggregated user-facing ClusterRoles: "fintrack" by default, giving
config/rbac's fintrack-financetracker-editor and -viewer.
*/}}
{{- define "fintrack-operator.rolePrefix" -}}
{{- include "fintrack-operator.fullname" . | trimSuffix "-operator" -}}
{{- end -}}

{{/* The labels every object carries: config/default's, then commonLabels. */}}
{{- define "fintrack-operator.labels" -}}
app.kubernetes.io/name: fintrack-operator
app.kubernetes.io/part-of: fintrack
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The pods' selector; fixed, so that an upgrade never has to replace the Deployment. */}}
{{- define "fintrack-operator.selectorLabels" -}}
app.kubernetes.io/name: fintrack-operator
{{- end -}}

{{/* A map of labels as the operator's key=value[,key=value] setting. */}}
{{- define "fintrack-operator.labelSelector" -}}
{{- $pairs := list -}}
{{- range $key, $value := . -}}
{{- $pairs = append $pairs (printf "%s=%s" $key $value) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}
