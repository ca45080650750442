import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBatches } from './plan-batches.js';

const unbounded = { maxItems: Infinity, maxTokens: Infinity, maxCostRatio: Infinity };

describe('planBatches', () => {
  it('sorts indices by cost (stable) and cuts batches of at most maxItems', () => {
    assert.deepEqual(planBatches([5, 2, 9, 2, 7], { ...unbounded, maxItems: 2 }), [[1, 3], [0, 4], [2]]);
    assert.deepEqual(planBatches([5, 2, 9], unbounded), [[1, 0, 2]]);
    assert.deepEqual(planBatches([], unbounded), []);
  });

  it("starts a new batch before a cost over maxCostRatio × the batch's smallest", () => {
    assert.deepEqual(planBatches([10, 40, 12, 11, 30], { ...unbounded, maxCostRatio: 1.5 }), [
      [0, 3, 2],
      [4, 1],
    ]);
    assert.deepEqual(planBatches([10, 15, 16], { ...unbounded, maxCostRatio: 1.5 }), [[0, 1], [2]]);
  });

  it('keeps each batch within maxTokens (items × largest cost); an item over it goes alone', () => {
    assert.deepEqual(planBatches([3, 3, 3, 3, 50], { ...unbounded, maxTokens: 10 }), [[0, 1, 2], [3], [4]]);
  });
});
