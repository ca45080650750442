export { MicroBatcher, type MicroBatcherOptions, type MicroBatcherStats } from './micro-batcher.js';
export { BatcherClosedError, BatchResultCountError } from './errors.js';
export { selectBatch, type BatchLimits, type BatchSelection, type Costed } from './select-batch.js';
