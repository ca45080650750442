{{/* Chart name, truncated to the 63 characters Kubernetes allows in names and labels. */}}
{{- define "modstream-worker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name of every object. */}}
{{- define "modstream-worker.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "modstream-worker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modstream-worker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "modstream-worker.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "modstream-worker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: worker
app.kubernetes.io/part-of: modstream
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "modstream-worker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "modstream-worker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "modstream-worker.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The Secret the chart creates from values when devSecret.create is true. */}}
{{- define "modstream-worker.devSecretName" -}}
{{- printf "%s-credentials" (include "modstream-worker.fullname" .) }}
{{- end }}

{{/* Secret holding the Kafka SASL username and password: the existing one, else the dev Secret. */}}
{{- define "modstream-worker.kafkaSaslSecret" -}}
{{- if .Values.kafka.sasl.existingSecret }}
{{- .Values.kafka.sasl.existingSecret }}
{{- else if .Values.devSecret.create }}
{{- include "modstream-worker.devSecretName" . }}
{{- else }}
{{- fail "kafka.sasl.mechanism is set: set kafka.sasl.existingSecret (or devSecret.create=true for development)" }}
{{- end }}
{{- end }}

{{/* Keys of the Kafka SASL credentials: the configured ones in an existing Secret, fixed ones in the dev Secret. */}}
{{- define "modstream-worker.kafkaSaslUsernameKey" -}}
{{- if .Values.kafka.sasl.existingSecret }}{{ .Values.kafka.sasl.usernameKey }}{{ else }}kafka-sasl-username{{ end }}
{{- end }}

{{- define "modstream-worker.kafkaSaslPasswordKey" -}}
{{- if .Values.kafka.sasl.existingSecret }}{{ .Values.kafka.sasl.passwordKey }}{{ else }}kafka-sasl-password{{ end }}
{{- end }}

{{/* Secret holding the Redis password, or empty when Redis needs none. */}}
{{- define "modstream-worker.redisSecret" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecret }}
{{- else if and .Values.devSecret.create .Values.devSecret.redisPassword }}
{{- include "modstream-worker.devSecretName" . }}
{{- end }}
{{- end }}

{{- define "modstream-worker.redisPasswordKey" -}}
{{- if .Values.redis.existingSecret }}{{ .Values.redis.passwordKey }}{{ else }}redis-password{{ end }}
{{- end }}

{{/* KEDA's name for a SASL mechanism. */}}
{{- define "modstream-worker.kedaSasl" -}}
{{- $m := .Values.kafka.sasl.mechanism }}
{{- if eq $m "plain" }}plaintext
{{- else if eq $m "scram-sha-256" }}scram_sha256
{{- else if eq $m "scram-sha-512" }}scram_sha512
{{- else }}none
{{- end }}
{{- end }}

{{/* Maximum replicas: never more than the input topic's partitions, since extra consumers sit idle. */}}
{{- define "modstream-worker.maxReplicas" -}}
{{- $max := int (default .Values.kafka.inputTopicPartitions .Values.autoscaling.maxReplicas) }}
{{- if gt $max (int .Values.kafka.inputTopicPartitions) }}
{{- fail (printf "autoscaling.maxReplicas (%d) exceeds kafka.inputTopicPartitions (%d): the extra pods would sit idle" $max (int .Values.kafka.inputTopicPartitions)) }}
{{- end }}
{{- $max }}
{{- end }}

{{/* Checks that hold across values; rendered once from the Deployment. */}}
{{- define "modstream-worker.validate" -}}
{{- if le (mul (int .Values.terminationGracePeriodSeconds) 1000) (int .Values.worker.shutdownDeadlineMs) }}
{{- fail (printf "terminationGracePeriodSeconds (%ds) must exceed worker.shutdownDeadlineMs (%dms), or Kubernetes kills the worker mid-drain" (int .Values.terminationGracePeriodSeconds) (int .Values.worker.shutdownDeadlineMs)) }}
{{- end }}
{{- if not (has .Values.kafka.sasl.mechanism (list "" "plain" "scram-sha-256" "scram-sha-512")) }}
{{- fail "kafka.sasl.mechanism must be empty, plain, scram-sha-256 or scram-sha-512" }}
{{- end }}
{{- if and .Values.kafka.tls.enabled (or .Values.kafka.tls.certKey .Values.kafka.tls.keyKey) (not (and .Values.kafka.tls.certKey .Values.kafka.tls.keyKey)) }}
{{- fail "kafka.tls.certKey and kafka.tls.keyKey: set both (mutual TLS) or neither" }}
{{- end }}
{{- end }}
