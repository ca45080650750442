import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBatch, type BatchLimits } from './select-batch.js';

const select = (costs: number[], limits: Partial<BatchLimits> = {}) => {
  const { batch, full } = selectBatch(
    costs.map((cost) => ({ cost })),
    { maxItems: 8, maxTokens: 1000, maxCostRatio: 1.5, ...limits },
  );
  return { costs: batch.map((item) => item.cost), full };
};

describe('selectBatch', () => {
  it("takes the oldest item's cost neighbours within maxCostRatio, sorted by cost", () => {
    assert.deepEqual(select([10, 40, 12, 11, 30]), { costs: [10, 11, 12], full: false });
    assert.deepEqual(select([40, 10, 12, 11, 30]), { costs: [30, 40], full: false });
    assert.deepEqual(select([10, 15, 16]), { costs: [10, 15], full: false });
    assert.deepEqual(select([]), { costs: [], full: false });
  });

  it('is full when maxItems or maxTokens stopped the batch, not when the ratio did', () => {
    assert.deepEqual(select([10, 11, 12], { maxItems: 2 }), { costs: [10, 11], full: true });
    assert.deepEqual(select([10, 11, 12], { maxTokens: 25 }), { costs: [10, 11], full: true });
    assert.deepEqual(select([10, 40]), { costs: [10], full: false });
  });

  it('sends an item over maxTokens alone', () => {
    assert.deepEqual(select([50, 2], { maxTokens: 10, maxCostRatio: Infinity }), { costs: [50], full: true });
  });

  it('mixes any costs, zero included, when the ratio is unbounded', () => {
    assert.deepEqual(select([0, 5, 0], { maxCostRatio: Infinity }), { costs: [0, 0, 5], full: false });
    assert.deepEqual(select([0, 5, 0]), { costs: [0, 0], full: false });
  });
});
