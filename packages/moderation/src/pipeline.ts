import type { MicroBatcher } from '@modstream/batcher';
import type { TextClassifier } from '@modstream/classifier';
import { decodeComment, type ConsumedRecord } from '@modstream/events';
import type { LabelCache } from '@modstream/label-cache';
import type { InferenceJob, InferenceResult } from './inference-batcher.js';
import {
  emptyPipelineStats,
  type PipelineLogger,
  type PipelineMetrics,
  type PipelineStats,
} from './metrics.js';
import { OutputBuilder, type PipelineOutput } from './output-builder.js';
import type { OutputKind, OutputTopics } from './output-kinds.js';
import type { RoutingPolicy } from './routing.js';
import { ScoreResolver } from './score-resolver.js';
import type { ShadowScorer } from './shadow-scorer.js';

/** A consumed message (the kafka-io ConsumedRecord, so embedded mode needs no Kafka). */
export type PipelineRecord = ConsumedRecord;

export interface PipelineOptions {
  classifier: TextClassifier;
  batcher: MicroBatcher<InferenceJob, InferenceResult>;
  cache: LabelCache;
  routing: RoutingPolicy;
  topics: OutputTopics;
  maxTextBytes: number;
  /** Bytes of the original value a dead letter carries (default: @modstream/events' default). */
  maxDeadLetterOriginalBytes?: number;
  /**
   * Upper bound on one output's key + value + header bytes: a record whose outputs do not fit gets one
   * `output_too_large` dead letter instead (default: no bound).
   */
  maxOutputBytes?: number;
  metrics?: PipelineMetrics;
  logger?: PipelineLogger;
  /** Log comment text at debug level (off by default: only ids, offsets and hashes are logged). */
  logText?: boolean;
  /** Sees every labeled comment (e.g. a ShadowScorer); must not wait or throw. */
  shadow?: Pick<ShadowScorer, 'offer'>;
  /** Copies trace headers of an input message onto its outputs. */
  outputHeaders?: (input: Record<string, string>) => Record<string, string>;
}

/**
 * decode → scores (cache, shared in-flight inference, micro-batched inference) → labels by the thresholds
 * in force → the outputs of every kind, or a dead letter. Each record's outputs are ready on their own,
 * so a fast record never waits for a slow one.
 */
export class Pipeline {
  readonly stats: PipelineStats = emptyPipelineStats();
  readonly #options: PipelineOptions;
  readonly #scores: ScoreResolver;
  readonly #outputs: OutputBuilder;

  constructor(options: PipelineOptions) {
    this.#options = options;
    const { classifier, batcher, cache, metrics, logger } = options;
    this.#scores = new ScoreResolver({ classifier, batcher, cache, metrics, logger, stats: this.stats });
    this.#outputs = new OutputBuilder({ ...options, info: classifier.info, stats: this.stats });
  }

  /**
   * One promise per record, in input order, each resolving to that record's outputs (its labeled and
   * review events, or one dead letter). A promise rejects only on a transient failure (the classifier
   * failing), so the caller can hand that record in again later.
   */
  handleEach(records: readonly PipelineRecord[]): Promise<PipelineOutput[]>[] {
    const receivedAt = Date.now();
    this.stats.eventsIn += records.length;
    if (records[0] !== undefined) this.#options.metrics?.eventsIn(records.length, records[0].topic);

    const decoded = records.map((record) => ({
      record,
      result: decodeComment(record.value, { maxTextBytes: this.#options.maxTextBytes }),
    }));
    const texts = decoded.flatMap(({ result }) => (result.ok ? [result.comment.text] : []));
    const scoring = this.#scores.resolve(texts);
    let next = 0;
    return decoded.map(({ record, result }) => {
      if (!result.ok) {
        const deadLetter = this.#outputs.deadLetter(record, result.reason, 'DecodeError', result.message);
        return Promise.resolve(this.#counted([deadLetter]));
      }
      const index = next++;
      return scoring
        .then((scores) => scores[index] ?? Promise.reject(new Error('pipeline: missing scores')))
        .then((scores) => this.#counted(this.#outputs.forRecord(record, result.comment, scores, receivedAt)));
    });
  }

  /** Every record's outputs, in input order, once all are ready (embedded mode, tests). */
  async handle(records: readonly PipelineRecord[]): Promise<PipelineOutput[]> {
    return (await Promise.all(this.handleEach(records))).flat();
  }

  /** The minimal dead letter that replaces an output the broker refused or that is too large to send. */
  outputRefused(
    output: PipelineOutput,
    reason: 'output_too_large' | 'output_rejected',
    detail: string,
  ): PipelineOutput {
    return this.#outputs.refused(output, reason, detail);
  }

  #counted(outputs: PipelineOutput[]): PipelineOutput[] {
    const { metrics } = this.#options;
    if (metrics === undefined) return outputs;
    const counts = new Map<OutputKind, number>();
    for (const { kind } of outputs) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    for (const [kind, count] of counts) metrics.eventsOut(kind, count);
    return outputs;
  }
}
