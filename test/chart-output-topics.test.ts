import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { OUTPUT_TOPICS_TEMPLATE, renderOutputTopicsTemplate } from '../scripts/gen-chart-topics.js';

test("the chart's output-topic settings are generated from OUTPUT_KINDS and current (pnpm gen:chart)", async () => {
  assert.equal(await readFile(OUTPUT_TOPICS_TEMPLATE, 'utf8'), renderOutputTopicsTemplate());
  const configMap = await readFile(
    new URL('../deploy/helm/modstream-worker/templates/configmap.yaml', import.meta.url),
    'utf8',
  );
  assert.match(configMap, /include "modstream-worker\.outputTopics"/);
  assert.doesNotMatch(configMap, /MODSTREAM_(OUTPUT|DLQ)_TOPIC/, 'no topic setting written by hand');
});
