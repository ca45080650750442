import { MicroBatcher, type MicroBatcherOptions } from '@modstream/batcher';
import type { Classification, TextClassifier } from '@modstream/classifier';

export interface InferenceJob {
  /** Token ids from `classifier.encode`: tokenized once, for the batch budget and for the model. */
  ids: number[];
  tokens: number;
  submittedAt: number;
}

export interface InferenceResult extends Classification {
  queuedMs: number;
  inferenceMs: number;
}

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

/** The batcher's runBatch: one classifier call per batch the batcher formed. */
export function inferenceRunner(classifier: TextClassifier, onBatch?: (size: number, ms: number) => void) {
  return async (jobs: InferenceJob[]): Promise<InferenceResult[]> => {
    const startedAt = Date.now();
    const results = await classifier.classifyEncoded(jobs.map((job) => job.ids));
    const inferenceMs = Date.now() - startedAt;
    onBatch?.(jobs.length, inferenceMs);
    return results.map((result, i) => ({
      ...result,
      queuedMs: startedAt - (jobs[i]?.submittedAt ?? startedAt),
      inferenceMs,
    }));
  };
}
