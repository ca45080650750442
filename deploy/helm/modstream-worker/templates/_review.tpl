{{/* The review web app (review.enabled): names, labels and checks. */}}
{{- define "modstream-worker.review.fullname" -}}
{{- printf "%s-review" (include "modstream-worker.fullname" . | trunc 56 | trimSuffix "-") }}
{{- end }}

{{/* Its own app name, so the worker's selectors (name=modstream-worker) never match review pods. */}}
{{- define "modstream-worker.review.selectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-review" (include "modstream-worker.name" . | trunc 56 | trimSuffix "-") }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "modstream-worker.review.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "modstream-worker.review.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: review
app.kubernetes.io/part-of: modstream
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "modstream-worker.review.image" -}}
{{- $image := .Values.review.image }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret with the users file: an existing one, else the one the chart makes from review.users. */}}
{{- define "modstream-worker.review.usersSecret" -}}
{{- if .Values.review.usersSecret.existingSecret }}
{{- .Values.review.usersSecret.existingSecret }}
{{- else if .Values.review.users }}
{{- printf "%s-users" (include "modstream-worker.review.fullname" .) }}
{{- else }}
{{- fail "review.enabled: set review.usersSecret.existingSecret (a Secret with the users file) or review.users" }}
{{- end }}
{{- end }}

{{- define "modstream-worker.review.usersKey" -}}
{{- if .Values.review.usersSecret.existingSecret }}{{ .Values.review.usersSecret.key }}{{ else }}users.json{{ end }}
{{- end }}

{{/* Queue topics: review.queueTopics, else the routing policy's queues, else the worker's default queues. */}}
{{- define "modstream-worker.review.queueTopics" -}}
{{- $queues := list }}
{{- if .Values.review.queueTopics }}
{{- $queues = .Values.review.queueTopics }}
{{- else if .Values.routingPolicy.rules }}
{{- range .Values.routingPolicy.rules }}{{ $queues = append $queues .queue }}{{ end }}
{{- else }}
{{- $queues = list "comments.review.priority" "comments.review" }}
{{- end }}
{{- $queues | uniq | join "," }}
{{- end }}

{{/* The worker's /metrics as the review overview scrapes it: review.workerMetricsUrl, else the worker Service. */}}
{{- define "modstream-worker.review.workerMetricsUrl" -}}
{{- if .Values.review.workerMetricsUrl }}
{{- .Values.review.workerMetricsUrl }}
{{- else if .Values.review.scrapeWorker }}
{{- printf "http://%s.%s.svc:%d/metrics" (include "modstream-worker.fullname" .) .Release.Namespace (int .Values.service.port) }}
{{- end }}
{{- end }}

{{- define "modstream-worker.review.validate" -}}
{{- if le (mul (int .Values.review.terminationGracePeriodSeconds) 1000) (int .Values.review.shutdownDeadlineMs) }}
{{- fail (printf "review.terminationGracePeriodSeconds (%ds) must exceed review.shutdownDeadlineMs (%dms)" (int .Values.review.terminationGracePeriodSeconds) (int .Values.review.shutdownDeadlineMs)) }}
{{- end }}
{{- if eq .Values.review.decisionsTopic .Values.review.dlqTopic }}
{{- fail "review.decisionsTopic and review.dlqTopic must differ" }}
{{- end }}
{{- $_ := include "modstream-worker.review.usersSecret" . }}
{{- end }}
