import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { padBatch } from './padding.js';

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
