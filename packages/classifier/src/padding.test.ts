import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lengthBuckets, padBatch } from './padding.js';

describe('padBatch', () => {
  it('pads every row to the longest with pad_token_id and masks the padding', () => {
    const batch = padBatch(
      [
        [101, 7, 102],
        [101, 102],
        [101, 5, 6, 7, 102],
      ],
      9,
      false,
    );
    assert.equal(batch.batchSize, 3);
    assert.equal(batch.sequenceLength, 5);
    assert.deepEqual(
      [...batch.inputIds].map(Number),
      [101, 7, 102, 9, 9, 101, 102, 9, 9, 9, 101, 5, 6, 7, 102],
    );
    assert.deepEqual([...batch.attentionMask].map(Number), [1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1]);
    assert.equal(batch.tokenTypeIds, undefined);
  });

  it('adds all-zero token_type_ids only when asked', () => {
    const batch = padBatch([[1, 2], [1]], 0, true);
    assert.deepEqual([...batch.tokenTypeIds!].map(Number), [0, 0, 0, 0]);
  });

  it('does not pad a batch of equal lengths', () => {
    const batch = padBatch(
      [
        [1, 2],
        [3, 4],
      ],
      0,
      false,
    );
    assert.equal(batch.sequenceLength, 2);
    assert.deepEqual([...batch.attentionMask].map(Number), [1, 1, 1, 1]);
  });
});

describe('lengthBuckets', () => {
  it('sorts indices by length (stable) and cuts buckets of at most bucketSize', () => {
    assert.deepEqual(lengthBuckets([5, 2, 9, 2, 7], 2), [[1, 3], [0, 4], [2]]);
    assert.deepEqual(lengthBuckets([5, 2, 9], 10), [[1, 0, 2]]);
    assert.deepEqual(lengthBuckets([], 4), []);
  });

  it("starts a new bucket before a sequence longer than maxLengthRatio × the bucket's shortest", () => {
    assert.deepEqual(lengthBuckets([10, 40, 12, 11, 30], 8, 1.5), [
      [0, 3, 2],
      [4, 1],
    ]);
    assert.deepEqual(lengthBuckets([10, 15, 16], 8, 1.5), [[0, 1], [2]]);
    assert.deepEqual(lengthBuckets([10, 40, 12], 8), [[0, 2, 1]]);
  });

  it('rejects a bucket size that is not a positive integer, or a length ratio under 1', () => {
    assert.throws(() => lengthBuckets([1], 0), RangeError);
    assert.throws(() => lengthBuckets([1], 1.5), RangeError);
    assert.throws(() => lengthBuckets([1], 4, 0.5), RangeError);
  });
});
