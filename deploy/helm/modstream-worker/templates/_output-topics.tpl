{{- /* Generated from packages/moderation/src/output-kinds.ts by `pnpm gen:chart`: do not edit. */ -}}
{{- define "modstream-worker.outputTopics" }}
MODSTREAM_OUTPUT_TOPIC: {{ required "kafka.outputTopic is required (labeled events)" .Values.kafka.outputTopic | quote }}
MODSTREAM_DLQ_TOPIC: {{ required "kafka.dlqTopic is required (dead_letter events)" .Values.kafka.dlqTopic | quote }}
{{- end }}
