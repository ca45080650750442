import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseScores, serialiseScores } from './stored-scores.js';

const value = { scores: { sarcasm: 0.8, vulgarity: 0.01 }, modelVersion: 'm1' };

it('round-trips scores and the model version with a format tag and a cached_at time, no labels', () => {
  const json = serialiseScores(value, new Date('2026-11-26T10:00:00Z'));
  assert.deepEqual(JSON.parse(json), {
    format: 'scores.v1',
    scores: { sarcasm: 0.8, vulgarity: 0.01 },
    model_version: 'm1',
    cached_at: '2026-11-26T10:00:00.000Z',
  });
  assert.deepEqual(parseScores(json), value);
});

it('reads values in the old labels-and-thresholds shape as misses', () => {
  const old = JSON.stringify({
    labels: ['sarcasm'],
    scores: { sarcasm: 0.8 },
    model_version: 'm1',
    thresholds_version: 't1',
    cached_at: '2026-11-26T10:00:00.000Z',
  });
  assert.equal(parseScores(old), undefined);
});

it('treats malformed stored values as misses', () => {
  for (const json of [
    null,
    '',
    'not json',
    'null',
    '[]',
    '{"format":"scores.v1"}',
    '{"format":"scores.v1","scores":{"a":"1"},"model_version":"m1"}',
    '{"format":"scores.v1","scores":[0.1],"model_version":"m1"}',
    '{"format":"scores.v1","scores":{"a":0.1}}',
    '{"format":"scores.v2","scores":{"a":0.1},"model_version":"m1"}',
  ]) {
    assert.equal(parseScores(json), undefined, String(json));
  }
});
