import type { MicroBatcher } from '@modstream/batcher';
import type { Classification, TextClassifier } from '@modstream/classifier';
import {
  deadLetterKey,
  decodeComment,
  encodeDeadLetter,
  encodeLabeled,
  encodeReview,
  messageBytes,
  passthroughFields,
  type Comment,
  type ConsumedRecord,
  type DeadLetterReason,
  type OutboundMessage,
} from '@modstream/events';
import { cacheKey, type CachedLabels, type LabelCache } from '@modstream/label-cache';
import { isRecordFailure, recordFailure, runAlone, type RecordFailure } from './record-failure.js';
import { route, type RoutingPolicy } from './routing.js';
import type { ShadowScorer } from './shadow-scorer.js';

/** A consumed message (the kafka-io ConsumedRecord, so embedded mode needs no Kafka). */
export type PipelineRecord = ConsumedRecord;

/** A message to publish, tagged with what it is. */
export interface PipelineOutput extends OutboundMessage {
  kind: 'labeled' | 'review' | 'dead_letter';
  /** The consumed record this output is for (to replace it with a dead letter if the broker refuses it). */
  input: PipelineRecord;
}

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

export type CacheOutcome = 'hit' | 'miss' | 'shared' | 'bypass';

export interface PipelineMetrics {
  eventsIn(count: number, topic: string): void;
  eventsOut(kind: PipelineOutput['kind'], count: number): void;
  deadLetter(reason: string): void;
  cache(outcome: CacheOutcome, count: number): void;
  cacheWriteErrors(count: number): void;
  endToEndLatency(ms: number): void;
}

export interface PipelineLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface PipelineOptions {
  classifier: TextClassifier;
  batcher: MicroBatcher<InferenceJob, InferenceResult>;
  cache: LabelCache;
  cacheTtlSeconds: number;
  routing: RoutingPolicy;
  topics: { output: string; deadLetter: string };
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

export interface PipelineStats {
  eventsIn: number;
  labeled: number;
  deadLetters: number;
  review: number;
  cacheHits: number;
  /** Repeats of a text already being classified for another event: they share its inference. */
  sharedInferences: number;
  inferences: number;
}

interface Outcome {
  classification: Classification;
  cacheHit: boolean;
  queuedMs: number;
  inferenceMs: number;
}

/**
 * decode → cache lookup (one MGET per chunk) → micro-batched inference of the misses → cache write →
 * labeled, review and dead-letter messages, in input order. Identical texts in flight at the same time
 * share one inference. Throws only on transient failures (the classifier failing), so the caller
 * can redeliver the chunk.
 */
export class Pipeline {
  readonly #options: PipelineOptions;
  readonly #modelVersion: string;
  readonly #inFlight = new Map<string, Promise<InferenceResult>>();
  #probeIds: number[] | undefined;
  readonly stats: PipelineStats = {
    eventsIn: 0,
    labeled: 0,
    deadLetters: 0,
    review: 0,
    cacheHits: 0,
    sharedInferences: 0,
    inferences: 0,
  };

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.#modelVersion = options.classifier.info.modelVersion;
  }

  async handle(records: readonly PipelineRecord[]): Promise<PipelineOutput[]> {
    const receivedAt = Date.now();
    const { metrics } = this.#options;
    this.stats.eventsIn += records.length;
    if (records[0] !== undefined) metrics?.eventsIn(records.length, records[0].topic);

    const decoded = records.map((record) => ({
      record,
      result: decodeComment(record.value, { maxTextBytes: this.#options.maxTextBytes }),
    }));
    const comments = decoded.flatMap(({ record, result }) =>
      result.ok ? [{ record, comment: result.comment }] : [],
    );
    const outcomes = await this.#classify(comments.map(({ comment }) => comment.text));

    const outputs: PipelineOutput[] = [];
    let next = 0;
    for (const { record, result } of decoded) {
      if (!result.ok) {
        outputs.push(this.#deadLetter(record, result.reason, 'DecodeError', result.message));
        continue;
      }
      const outcome = outcomes[next++];
      if (outcome === undefined) throw new Error('pipeline: missing classification outcome');
      outputs.push(...this.#outputsFor(record, result.comment, outcome, receivedAt));
    }
    if (metrics !== undefined) countByKind(outputs, metrics);
    return outputs;
  }

  /** A record's labeled and review events, or the one dead letter that stands for it. */
  #outputsFor(
    record: PipelineRecord,
    comment: Comment,
    outcome: Outcome | RecordFailure,
    receivedAt: number,
  ): PipelineOutput[] {
    if (isRecordFailure(outcome))
      return [this.#deadLetter(record, outcome.failure, outcome.errorName, outcome.message)];
    let outputs: PipelineOutput[];
    try {
      outputs = this.#labeled(record, comment, outcome, receivedAt);
    } catch (error) {
      const failure = recordFailure('encode_failed', error, 'the labeled event could not be encoded');
      return [this.#deadLetter(record, failure.failure, failure.errorName, failure.message)];
    }
    const maxOutputBytes = this.#options.maxOutputBytes ?? Infinity;
    const tooLarge = outputs.find((output) => messageBytes(output) > maxOutputBytes);
    if (tooLarge !== undefined) {
      const detail = `${messageBytes(tooLarge)} bytes, over the limit of ${maxOutputBytes}`;
      return [this.outputRefused(tooLarge, 'output_too_large', detail)];
    }
    this.#countLabeled(record, comment, outcome, outputs);
    return outputs;
  }

  /**
   * The minimal dead letter that replaces an output that cannot be published (too large, or refused by
   * the broker): reason, source, size and sha256 of the original, none of its bytes.
   */
  outputRefused(
    output: PipelineOutput,
    reason: 'output_too_large' | 'output_rejected',
    detail: string,
  ): PipelineOutput {
    return this.#deadLetter(
      output.input,
      reason,
      'OutputRefusedError',
      `the ${output.kind} output cannot be published: ${detail}`,
      0,
    );
  }

  async #classify(texts: readonly string[]): Promise<(Outcome | RecordFailure)[]> {
    const keys = texts.map((text) => cacheKey(text, this.#modelVersion));
    const firstIndex = new Map<string, number>();
    keys.forEach((key, index) => firstIndex.has(key) || firstIndex.set(key, index));
    const lookup = [...firstIndex.keys()].filter((key) => !this.#inFlight.has(key));
    const { cache } = this.#options;
    const bypassedBefore = cache.stats().bypassed;
    const cached = lookup.length === 0 ? [] : await cache.getMany(lookup);
    // Keys the cache could not look up (Redis down) are reported as bypasses rather than misses.
    let bypassed = Math.min(Math.max(cache.stats().bypassed - bypassedBefore, 0), lookup.length);
    const hits = new Map<string, CachedLabels>();
    lookup.forEach((key, i) => {
      const value = cached[i];
      if (value !== undefined && value.modelVersion === this.#modelVersion) hits.set(key, value);
    });

    const failures = new Map<string, RecordFailure>();
    const started = new Map<string, Promise<InferenceResult>>();
    const joined = new Map<string, Promise<InferenceResult>>();
    for (const [key, index] of firstIndex) {
      if (hits.has(key)) continue;
      const running = this.#inFlight.get(key);
      if (running !== undefined) {
        joined.set(key, running);
        continue;
      }
      const ids = this.#encode(texts[index] ?? '');
      if (isRecordFailure(ids)) {
        failures.set(key, ids);
        continue;
      }
      const promise = this.#options.batcher.submit({ ids, tokens: ids.length, submittedAt: Date.now() });
      // Rejections are handled below (runAlone); this keeps one that nobody awaits yet from being unhandled.
      promise.catch(() => undefined);
      this.#inFlight.set(key, promise);
      started.set(key, promise);
    }
    this.stats.inferences += started.size;

    try {
      const results = new Map<string, InferenceResult>();
      await Promise.all(
        [...started, ...joined].map(async ([key, promise]) => {
          const result = await promise.catch((error: unknown) =>
            this.#runAlone(texts[firstIndex.get(key) ?? 0] ?? '', error),
          );
          if (isRecordFailure(result)) failures.set(key, result);
          else results.set(key, result);
        }),
      );
      const writeErrorsBefore = cache.stats().writeErrors;
      await cache.setMany(
        [...started.keys()].flatMap((key) => {
          const result = results.get(key);
          return result === undefined ? [] : [{ key, value: this.#toCached(result) }];
        }),
      );
      const writeErrors = cache.stats().writeErrors - writeErrorsBefore;
      if (writeErrors > 0) this.#options.metrics?.cacheWriteErrors(writeErrors);
      const counts = new Map<CacheOutcome, number>();
      const outcomes = keys.map((key, index): Outcome | RecordFailure => {
        const hit = hits.get(key);
        if (hit !== undefined)
          return this.#countOutcome(
            'hit',
            { classification: hit, cacheHit: true, queuedMs: 0, inferenceMs: 0 },
            counts,
          );
        const failure = failures.get(key);
        if (failure !== undefined) return failure;
        const result = results.get(key);
        if (result === undefined) throw new Error('pipeline: inference result missing');
        const ranIt = started.has(key) && firstIndex.get(key) === index;
        const outcome = !ranIt ? 'shared' : bypassed-- > 0 ? 'bypass' : 'miss';
        return this.#countOutcome(
          outcome,
          {
            classification: result,
            cacheHit: !ranIt,
            queuedMs: ranIt ? result.queuedMs : 0,
            inferenceMs: ranIt ? result.inferenceMs : 0,
          },
          counts,
        );
      });
      for (const [outcome, count] of counts) this.#options.metrics?.cache(outcome, count);
      return outcomes;
    } finally {
      for (const [key, promise] of started)
        if (this.#inFlight.get(key) === promise) this.#inFlight.delete(key);
    }
  }

  #encode(text: string): number[] | RecordFailure {
    try {
      return this.#options.classifier.encode(text);
    } catch (error) {
      return recordFailure('tokenize_failed', error, 'the comment could not be tokenized');
    }
  }

  /** A batch holding this text failed: the text alone decides whether it is the record's fault. */
  async #runAlone(text: string, batchError: unknown): Promise<InferenceResult | RecordFailure> {
    const ids = this.#encode(text);
    if (isRecordFailure(ids)) return ids;
    this.#probeIds ??= this.#options.classifier.encode(PROBE_TEXT);
    const startedAt = Date.now();
    const result = await runAlone(this.#options.classifier, ids, this.#probeIds, batchError);
    if (isRecordFailure(result)) {
      this.#options.logger?.info({ reason: result.failure, error: result.errorName }, 'record failed alone');
      return result;
    }
    return { ...result, queuedMs: 0, inferenceMs: Date.now() - startedAt };
  }

  #countOutcome(outcome: CacheOutcome, value: Outcome, counts: Map<CacheOutcome, number>): Outcome {
    if (outcome === 'hit') this.stats.cacheHits++;
    if (outcome === 'shared') this.stats.sharedInferences++;
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    return value;
  }

  #toCached(result: Classification): CachedLabels {
    const { info } = this.#options.classifier;
    return {
      labels: result.labels,
      scores: result.scores,
      modelVersion: info.modelVersion,
      thresholdsVersion: info.thresholdsVersion,
    };
  }

  #countLabeled(record: PipelineRecord, comment: Comment, outcome: Outcome, outputs: PipelineOutput[]): void {
    const { logger, logText } = this.#options;
    this.stats.labeled++;
    this.stats.review += outputs.length - 1;
    this.#options.metrics?.endToEndLatency(Math.max(0, Date.now() - record.timestamp));
    this.#options.shadow?.offer(
      comment.id,
      comment.text,
      { topic: record.topic, partition: record.partition, offset: record.offset },
      outcome.classification,
    );
    if (logText === true)
      logger?.debug({ id: comment.id, text: comment.text, labels: outcome.classification.labels }, 'labeled');
  }

  #labeled(record: PipelineRecord, comment: Comment, outcome: Outcome, receivedAt: number): PipelineOutput[] {
    const { classifier, routing, topics } = this.#options;
    const { labels, scores } = outcome.classification;
    const source = { topic: record.topic, partition: record.partition, offset: record.offset };
    const passthrough = passthroughFields(comment);
    const headers = this.#options.outputHeaders?.(record.headers);
    const now = Date.now();

    const outputs: PipelineOutput[] = [
      {
        kind: 'labeled',
        input: record,
        topic: topics.output,
        key: comment.id,
        headers,
        value: encodeLabeled({
          id: comment.id,
          labels,
          scores,
          model_version: classifier.info.modelVersion,
          thresholds_version: classifier.info.thresholdsVersion,
          cache_hit: outcome.cacheHit,
          source,
          timings: {
            queued_ms: outcome.queuedMs,
            inference_ms: outcome.inferenceMs,
            total_ms: now - receivedAt,
          },
          produced_at: new Date(now).toISOString(),
          passthrough,
        }),
      },
    ];
    for (const { queue, priority } of route(routing, labels, scores)) {
      outputs.push({
        kind: 'review',
        input: record,
        topic: queue,
        key: comment.id,
        headers,
        value: encodeReview({
          id: comment.id,
          queue,
          priority,
          labels,
          scores,
          model_version: classifier.info.modelVersion,
          source,
          passthrough,
        }),
      });
    }
    return outputs;
  }

  #deadLetter(
    record: PipelineRecord,
    reason: DeadLetterReason,
    errorName: string,
    message: string,
    maxOriginalBytes = this.#options.maxDeadLetterOriginalBytes,
  ): PipelineOutput {
    this.stats.deadLetters++;
    this.#options.metrics?.deadLetter(reason);
    this.#options.logger?.info(
      { topic: record.topic, partition: record.partition, offset: record.offset, reason },
      'dead letter',
    );
    return {
      kind: 'dead_letter',
      input: record,
      topic: this.#options.topics.deadLetter,
      key: deadLetterKey(record.key),
      headers: this.#options.outputHeaders?.(record.headers),
      value: encodeDeadLetter({
        reason,
        error: { name: errorName, message },
        source: { topic: record.topic, partition: record.partition, offset: record.offset, key: record.key },
        original: record.value,
        maxOriginalBytes,
        modelVersion: this.#modelVersion,
      }),
    };
  }
}

/** A text any working model classifies: tells a broken model from a record that breaks it. */
const PROBE_TEXT = 'Thank you for the reply.';

/** One counter update per output kind and chunk, instead of one per message. */
function countByKind(outputs: readonly PipelineOutput[], metrics: PipelineMetrics): void {
  const counts = new Map<PipelineOutput['kind'], number>();
  for (const { kind } of outputs) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  for (const [kind, count] of counts) metrics.eventsOut(kind, count);
}

/** The batcher's runBatch: one classifier call per length-bucketed batch. */
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
