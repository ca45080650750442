import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseLabels, serialiseLabels } from './stored-labels.js';

const value = { labels: ['sarcasm'], scores: { sarcasm: 0.8 }, modelVersion: 'm1', thresholdsVersion: 't1' };

it('round-trips labels, scores and versions with a cached_at time', () => {
  const json = serialiseLabels(value, new Date('2026-11-26T10:00:00Z'));
  assert.deepEqual(JSON.parse(json), {
    labels: ['sarcasm'],
    scores: { sarcasm: 0.8 },
    model_version: 'm1',
    thresholds_version: 't1',
    cached_at: '2026-11-26T10:00:00.000Z',
  });
  assert.deepEqual(parseLabels(json), value);
});

it('treats malformed stored values as misses', () => {
  for (const json of [
    null,
    '',
    'not json',
    'null',
    '[]',
    '{"labels":"x"}',
    '{"labels":[],"scores":{"a":"1"}}',
  ]) {
    assert.equal(parseLabels(json), undefined, String(json));
  }
});
