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
