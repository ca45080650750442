import { MicroBatcher, type MicroBatcherOptions } from '@modstream/batcher';
import type { TextClassifier } from '@modstream/classifier';
import { inferenceRunner, type InferenceJob, type InferenceResult } from './pipeline.js';

export interface InferenceBatcherOptions extends Pick<
  MicroBatcherOptions,
  'maxItems' | 'maxTokens' | 'maxWaitMs' | 'maxInFlight' | 'concurrency'
> {
  onBatch?: (size: number, ms: number) => void;
}

/** The micro-batcher in front of the classifier: a job costs its token count. */
export function createInferenceBatcher(
  classifier: TextClassifier,
  { onBatch, ...options }: InferenceBatcherOptions,
): MicroBatcher<InferenceJob, InferenceResult> {
  return new MicroBatcher<InferenceJob, InferenceResult>({
    ...options,
    cost: (job) => job.tokens,
    runBatch: inferenceRunner(classifier, onBatch),
  });
}
