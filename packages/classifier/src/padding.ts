/** Token ids of a batch padded to its longest sequence, as the flat row-major int64 arrays ONNX takes. */
export interface PaddedBatch {
  batchSize: number;
  sequenceLength: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  /** All zeros; present only when the model takes token_type_ids. */
  tokenTypeIds: BigInt64Array | undefined;
}

export function padBatch(
  sequences: readonly (readonly number[])[],
  padTokenId: number,
  withTokenTypeIds: boolean,
): PaddedBatch {
  const batchSize = sequences.length;
  const sequenceLength = sequences.reduce((max, ids) => Math.max(max, ids.length), 0);
  const size = batchSize * sequenceLength;
  const inputIds = new BigInt64Array(size).fill(BigInt(padTokenId));
  const attentionMask = new BigInt64Array(size);
  sequences.forEach((ids, row) => {
    const offset = row * sequenceLength;
    ids.forEach((id, column) => {
      inputIds[offset + column] = BigInt(id);
      attentionMask[offset + column] = 1n;
    });
  });
  return {
    batchSize,
    sequenceLength,
    inputIds,
    attentionMask,
    tokenTypeIds: withTokenTypeIds ? new BigInt64Array(size) : undefined,
  };
}

/**
 * Indices of the sequences grouped into buckets of at most `bucketSize`, shortest first, so that each
 * bucket pads to a length close to that of its members.
 */
export function lengthBuckets(lengths: readonly number[], bucketSize: number): number[][] {
  if (!Number.isInteger(bucketSize) || bucketSize < 1) {
    throw new RangeError(`bucketSize must be a positive integer, got ${bucketSize}`);
  }
  const order = lengths.map((_, index) => index).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const buckets: number[][] = [];
  for (let start = 0; start < order.length; start += bucketSize) {
    buckets.push(order.slice(start, start + bucketSize));
  }
  return buckets;
}
