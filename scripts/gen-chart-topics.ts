// Writes the Helm chart's output-topic settings from @modstream/moderation's OUTPUT_KINDS, so the chart
// names the same variables and defaults as the worker. `pnpm gen:chart` writes it; a test checks it is current.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { topicSettings } from '@modstream/moderation';

export const OUTPUT_TOPICS_TEMPLATE = fileURLToPath(
  new URL('../deploy/helm/modstream-worker/templates/_output-topics.tpl', import.meta.url),
);

export function renderOutputTopicsTemplate(): string {
  const lines = topicSettings().flatMap(([kind, { env, chartValue }]) =>
    chartValue === undefined
      ? []
      : [`${env}: {{ required "${chartValue} is required (${kind} events)" .Values.${chartValue} | quote }}`],
  );
  return [
    '{{- /* Generated from packages/moderation/src/output-kinds.ts by `pnpm gen:chart`: do not edit. */ -}}',
    '{{- define "modstream-worker.outputTopics" }}',
    ...lines,
    '{{- end }}',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(OUTPUT_TOPICS_TEMPLATE, renderOutputTopicsTemplate());
  console.log(`wrote ${OUTPUT_TOPICS_TEMPLATE}`);
}
