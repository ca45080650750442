export { MicroBatcher, type MicroBatcherOptions, type MicroBatcherStats } from './micro-batcher.js';
export { BatcherClosedError, BatchResultCountError } from './errors.js';
export {
  selectBatch,
  DEFAULT_MAX_COST_RATIO,
  type BatchLimits,
  type BatchSelection,
  type Costed,
} from './select-batch.js';
export { planBatches } from './plan-batches.js';
