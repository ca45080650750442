import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roundScores } from '@modstream/events';
import { classifyLogits, labelsOver, sigmoid } from './thresholds.js';

const logit = (p: number): number => Math.log(p / (1 - p));

describe('sigmoid', () => {
  it('is the logistic function, stable for large magnitudes', () => {
    assert.equal(sigmoid(0), 0.5);
    assert.ok(Math.abs(sigmoid(2) - 1 / (1 + Math.exp(-2))) < 1e-15);
    assert.ok(Math.abs(sigmoid(-2) - 1 / (1 + Math.exp(2))) < 1e-15);
    assert.equal(sigmoid(1000), 1);
    assert.equal(sigmoid(-1000), 0);
  });
});

describe('classifyLogits', () => {
  const labels = ['aspersion', 'namecalling', 'sarcasm', 'vulgarity'];
  const thresholds = { aspersion: 0.5, namecalling: 0.3, sarcasm: 0.9, vulgarity: 0.2 };

  it('returns every label at or over its own threshold (several at once), and all scores', () => {
    const result = classifyLogits([logit(0.6), logit(0.35), logit(0.8), logit(0.25)], labels, thresholds);
    assert.deepEqual(result.labels, ['aspersion', 'namecalling', 'vulgarity']);
    assert.deepEqual(Object.keys(result.scores), labels);
    assert.ok(Math.abs(result.scores.sarcasm! - 0.8) < 1e-12);
  });

  it('uses each label threshold, not a shared one nor the top-1', () => {
    const result = classifyLogits([logit(0.45), logit(0.31), logit(0.95), logit(0.1)], labels, thresholds);
    assert.deepEqual(result.labels, ['namecalling', 'sarcasm']);
  });

  it('counts a score equal to the threshold as over it, and may return no label', () => {
    assert.deepEqual(classifyLogits([0, -9, -9, -9], labels, thresholds).labels, ['aspersion']);
    assert.deepEqual(classifyLogits([-9, -9, -9, -9], labels, thresholds).labels, []);
  });

  it('decides on the score as events publish it (rounded to 4 decimals), so a reader can repeat it', () => {
    const scores = { aspersion: 0.49996, namecalling: 0.29994, sarcasm: 0.9, vulgarity: 0.1 };
    assert.deepEqual(labelsOver(scores, labels, thresholds), ['aspersion', 'sarcasm']);
    assert.deepEqual(labelsOver(roundScores(scores), labels, thresholds), ['aspersion', 'sarcasm']);
  });

  it('rejects a logit row of the wrong width', () => {
    assert.throws(() => classifyLogits([0, 0], labels, thresholds), /2 logits for 4 labels/);
  });
});
