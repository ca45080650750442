import type { TextClassifier } from '@modstream/classifier';
import type { PipelineFailureReason } from '@modstream/events';

/**
 * A deterministic failure tied to one record: it becomes a dead letter and the stream moves on. Anything
 * else the pipeline meets is transient (tied to the process) and is thrown, so the chunk is retried.
 */
export interface RecordFailure {
  failure: PipelineFailureReason;
  errorName: string;
  /** Never the comment text. */
  message: string;
}

export function recordFailure(failure: PipelineFailureReason, error: unknown, what: string): RecordFailure {
  const errorName = error instanceof Error ? error.name : typeof error;
  return { failure, errorName, message: `${what} (${errorName})` };
}

export function isRecordFailure(value: object): value is RecordFailure {
  return 'failure' in value;
}

/** Errors that mean the process is stopping or broken, never the record's fault. */
function isProcessError(error: unknown): boolean {
  const kind = (error as { kind?: unknown } | null)?.kind;
  return kind === 'closed' || kind === 'batcher_closed';
}

/**
 * After a batch failed: runs the record alone. If it fails alone while a known-good probe succeeds, the
 * record is at fault (deterministic: dead letter). If the probe fails too, the model is (transient: thrown).
 */
export async function runAlone(
  classifier: TextClassifier,
  ids: number[],
  probeIds: number[],
  batchError: unknown,
): Promise<Awaited<ReturnType<TextClassifier['classifyEncoded']>>[number] | RecordFailure> {
  if (isProcessError(batchError)) throw batchError;
  try {
    const [result] = await classifier.classifyEncoded([ids]);
    if (result === undefined) throw new Error('classifier returned no result');
    return result;
  } catch (error) {
    if (isProcessError(error)) throw error;
    await classifier.classifyEncoded([probeIds]);
    return recordFailure('inference_failed', error, 'inference failed for this comment alone');
  }
}
