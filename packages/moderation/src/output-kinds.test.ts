import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonSchemaDocuments } from '@modstream/events';
import { BUILT_KINDS, OUTPUT_KIND_NAMES, OUTPUT_KINDS, topicSettings } from './output-kinds.js';

test('every output kind has a published JSON Schema, and topic settings are unique', () => {
  const schemaFiles = Object.keys(jsonSchemaDocuments());
  for (const kind of OUTPUT_KIND_NAMES)
    assert.ok(schemaFiles.includes(`${OUTPUT_KINDS[kind].schema}.schema.json`), `${kind} has a schema`);
  const envs = topicSettings().map(([, setting]) => setting.env);
  assert.equal(new Set(envs).size, envs.length);
  assert.ok(envs.every((env) => /^MODSTREAM_[A-Z_]+_TOPIC$/.test(env)));
});

test('the pipeline builds labeled events first; dead letters and shadow events are built elsewhere', () => {
  assert.equal(BUILT_KINDS[0], 'labeled');
  assert.ok(BUILT_KINDS.includes('review'));
  assert.ok(!BUILT_KINDS.includes('dead_letter') && !BUILT_KINDS.includes('shadow'));
});
