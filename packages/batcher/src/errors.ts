export class BatcherClosedError extends Error {
  readonly kind = 'batcher_closed';
  constructor() {
    super('the batcher is closed and accepts no new items');
    this.name = 'BatcherClosedError';
  }
}

export class BatchResultCountError extends Error {
  readonly kind = 'batch_result_count';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`runBatch returned ${actual} results for a batch of ${expected} items`);
    this.name = 'BatchResultCountError';
  }
}
