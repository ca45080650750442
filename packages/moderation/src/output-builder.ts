import { labelsOver, type BundleInfo } from '@modstream/classifier';
import {
  deadLetterKey,
  encodeDeadLetter,
  messageBytes,
  passthroughFields,
  type Comment,
  type ConsumedRecord,
  type DeadLetterReason,
  type OutboundMessage,
} from '@modstream/events';
import type { PipelineLogger, PipelineMetrics, PipelineStats } from './metrics.js';
import {
  BUILT_KINDS,
  OUTPUT_KINDS,
  type ClassifiedComment,
  type OutputKind,
  type OutputKindSpec,
  type OutputTopics,
} from './output-kinds.js';
import { isRecordFailure, recordFailure, type RecordFailure } from './record-failure.js';
import type { RoutingPolicy } from './routing.js';
import type { ResolvedScores } from './score-resolver.js';
import type { ShadowScorer } from './shadow-scorer.js';

/** A message to publish, tagged with what it is. */
export interface PipelineOutput extends OutboundMessage {
  kind: OutputKind;
  /** The consumed record this output is for (to replace it with a dead letter if the broker refuses it). */
  input: ConsumedRecord;
}

export interface OutputBuilderOptions {
  info: BundleInfo;
  routing: RoutingPolicy;
  topics: OutputTopics;
  stats: PipelineStats;
  /** Bytes of the original value a dead letter carries (default: @modstream/events' default). */
  maxDeadLetterOriginalBytes?: number;
  /** Upper bound on one output's key + value + header bytes (default: no bound). */
  maxOutputBytes?: number;
  metrics?: PipelineMetrics;
  logger?: PipelineLogger;
  logText?: boolean;
  shadow?: Pick<ShadowScorer, 'offer'>;
  outputHeaders?: (input: Record<string, string>) => Record<string, string>;
}

/**
 * Turns a record and its scores into the messages that stand for it: every kind of OUTPUT_KINDS that
 * builds one (labeled event, review events), or the one dead letter that replaces them.
 */
export class OutputBuilder {
  readonly #options: OutputBuilderOptions;

  constructor(options: OutputBuilderOptions) {
    this.#options = options;
  }

  forRecord(
    record: ConsumedRecord,
    comment: Comment,
    result: ResolvedScores | RecordFailure,
    receivedAt: number,
  ): PipelineOutput[] {
    if (isRecordFailure(result))
      return [this.deadLetter(record, result.failure, result.errorName, result.message)];
    const { info } = this.#options;
    const classified: ClassifiedComment = {
      record,
      comment,
      source: { topic: record.topic, partition: record.partition, offset: record.offset },
      passthrough: passthroughFields(comment),
      scores: result.scores,
      labels: labelsOver(result.scores, info.labels, info.thresholds),
      cacheHit: result.cacheHit,
      queuedMs: result.queuedMs,
      inferenceMs: result.inferenceMs,
      receivedAt,
    };
    let outputs: PipelineOutput[];
    try {
      outputs = this.#build(classified);
    } catch (error) {
      const failure = recordFailure('encode_failed', error, 'the labeled event could not be encoded');
      return [this.deadLetter(record, failure.failure, failure.errorName, failure.message)];
    }
    const maxOutputBytes = this.#options.maxOutputBytes ?? Infinity;
    const tooLarge = outputs.find((output) => messageBytes(output) > maxOutputBytes);
    if (tooLarge !== undefined) {
      const detail = `${messageBytes(tooLarge)} bytes, over the limit of ${maxOutputBytes}`;
      return [this.refused(tooLarge, 'output_too_large', detail)];
    }
    this.#labeled(classified, outputs);
    return outputs;
  }

  /**
   * The minimal dead letter that replaces an output that cannot be published (too large, or refused by
   * the broker): reason, source, size and sha256 of the original, none of its bytes.
   */
  refused(
    output: PipelineOutput,
    reason: 'output_too_large' | 'output_rejected',
    detail: string,
  ): PipelineOutput {
    return this.deadLetter(
      output.input,
      reason,
      'OutputRefusedError',
      `the ${output.kind} output cannot be published: ${detail}`,
      0,
    );
  }

  deadLetter(
    record: ConsumedRecord,
    reason: DeadLetterReason,
    errorName: string,
    message: string,
    maxOriginalBytes = this.#options.maxDeadLetterOriginalBytes,
  ): PipelineOutput {
    this.#options.stats.deadLetters++;
    this.#options.metrics?.deadLetter(reason);
    this.#options.logger?.info(
      { topic: record.topic, partition: record.partition, offset: record.offset, reason },
      'dead letter',
    );
    return {
      kind: 'dead_letter',
      input: record,
      topic: this.#options.topics.dead_letter,
      key: deadLetterKey(record.key),
      headers: this.#options.outputHeaders?.(record.headers),
      value: encodeDeadLetter({
        reason,
        error: { name: errorName, message },
        source: { topic: record.topic, partition: record.partition, offset: record.offset, key: record.key },
        original: record.value,
        maxOriginalBytes,
        modelVersion: this.#options.info.modelVersion,
      }),
    };
  }

  #build(classified: ClassifiedComment): PipelineOutput[] {
    const { info, routing, topics, outputHeaders } = this.#options;
    const now = Date.now();
    const headers = outputHeaders?.(classified.record.headers);
    return BUILT_KINDS.flatMap((kind) => {
      const topic = (topics as Partial<Record<OutputKind, string>>)[kind] ?? '';
      const built = (OUTPUT_KINDS[kind] as OutputKindSpec).build?.(classified, { info, routing, topic, now });
      return (built ?? []).map((output) => ({
        ...output,
        kind,
        input: classified.record,
        headers,
      }));
    });
  }

  #labeled(classified: ClassifiedComment, outputs: PipelineOutput[]): void {
    const { stats, metrics, shadow, logger, logText } = this.#options;
    const { record, comment, labels, scores } = classified;
    stats.labeled++;
    stats.review += outputs.filter((output) => output.kind === 'review').length;
    metrics?.endToEndLatency(Math.max(0, Date.now() - record.timestamp));
    shadow?.offer(comment.id, comment.text, classified.source, { labels, scores });
    if (logText === true) logger?.debug({ id: comment.id, text: comment.text, labels }, 'labeled');
  }
}
