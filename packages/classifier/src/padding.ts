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
 * bucket pads to a length close to that of its members. A bucket also ends before a sequence longer than
 * `maxLengthRatio` × its shortest one: a batch that arrives with short and long texts mixed runs as a few
 * tight buckets instead of one run padded to its longest text.
 */
export function lengthBuckets(
  lengths: readonly number[],
  bucketSize: number,
  maxLengthRatio = Number.POSITIVE_INFINITY,
): number[][] {
  if (!Number.isInteger(bucketSize) || bucketSize < 1) {
    throw new RangeError(`bucketSize must be a positive integer, got ${bucketSize}`);
  }
  if (!(maxLengthRatio >= 1)) {
    throw new RangeError(`maxLengthRatio must be at least 1, got ${maxLengthRatio}`);
  }
  const order = lengths.map((_, index) => index).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const buckets: number[][] = [];
  let bucket: number[] = [];
  for (const index of order) {
    const shortest = bucket[0];
    if (
      bucket.length === bucketSize ||
      (shortest !== undefined && lengths[index]! > maxLengthRatio * lengths[shortest]!)
    ) {
      buckets.push(bucket);
      bucket = [];
    }
    bucket.push(index);
  }
  if (bucket.length > 0) buckets.push(bucket);
  return buckets;
}
