import type { MicroBatcher } from '@modstream/batcher';
import type { Classification, TextClassifier } from '@modstream/classifier';
import {
  decodeComment,
  encodeDeadLetter,
  encodeLabeled,
  encodeReview,
  passthroughFields,
  type Comment,
  type ConsumedRecord,
  type OutboundMessage,
} from '@modstream/events';
import { cacheKey, type CachedLabels, type LabelCache } from '@modstream/label-cache';
import { route, type RoutingPolicy } from './routing.js';

/** A consumed message (the kafka-io ConsumedRecord, so embedded mode needs no Kafka). */
export type PipelineRecord = ConsumedRecord;

/** A message to publish, tagged with what it is. */
export interface PipelineOutput extends OutboundMessage {
  kind: 'labeled' | 'review' | 'dead_letter';
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
  metrics?: PipelineMetrics;
  logger?: PipelineLogger;
  /** Log comment text at debug level (off by default: only ids, offsets and hashes are logged). */
  logText?: boolean;
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
        outputs.push(this.#deadLetter(record, result.reason, result.message));
        continue;
      }
      const outcome = outcomes[next++];
      if (outcome === undefined) throw new Error('pipeline: missing classification outcome');
      outputs.push(...this.#labeled(record, result.comment, outcome, receivedAt));
    }
    if (metrics !== undefined) countByKind(outputs, metrics);
    return outputs;
  }

  async #classify(texts: readonly string[]): Promise<Outcome[]> {
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

    const started = new Map<string, Promise<InferenceResult>>();
    const joined = new Map<string, Promise<InferenceResult>>();
    for (const [key, index] of firstIndex) {
      if (hits.has(key)) continue;
      const running = this.#inFlight.get(key);
      if (running !== undefined) {
        joined.set(key, running);
        continue;
      }
      const ids = this.#options.classifier.encode(texts[index] ?? '');
      const promise = this.#options.batcher.submit({ ids, tokens: ids.length, submittedAt: Date.now() });
      this.#inFlight.set(key, promise);
      started.set(key, promise);
    }
    this.stats.inferences += started.size;

    try {
      const results = new Map<string, InferenceResult>();
      await Promise.all(
        [...started, ...joined].map(async ([key, promise]) => results.set(key, await promise)),
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
      const outcomes = keys.map((key, index) => {
        const hit = hits.get(key);
        if (hit !== undefined)
          return this.#countOutcome(
            'hit',
            { classification: hit, cacheHit: true, queuedMs: 0, inferenceMs: 0 },
            counts,
          );
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

  #labeled(record: PipelineRecord, comment: Comment, outcome: Outcome, receivedAt: number): PipelineOutput[] {
    const { classifier, routing, topics, logger, logText } = this.#options;
    const { labels, scores } = outcome.classification;
    const source = { topic: record.topic, partition: record.partition, offset: record.offset };
    const passthrough = passthroughFields(comment);
    const headers = this.#options.outputHeaders?.(record.headers);
    const now = Date.now();
    this.stats.labeled++;
    this.#options.metrics?.endToEndLatency(Math.max(0, now - record.timestamp));
    if (logText === true) logger?.debug({ id: comment.id, text: comment.text, labels }, 'labeled');

    const outputs: PipelineOutput[] = [
      {
        kind: 'labeled',
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
      this.stats.review++;
      outputs.push({
        kind: 'review',
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

  #deadLetter(record: PipelineRecord, reason: string, message: string): PipelineOutput {
    this.stats.deadLetters++;
    this.#options.metrics?.deadLetter(reason);
    this.#options.logger?.info(
      { topic: record.topic, partition: record.partition, offset: record.offset, reason },
      'dead letter',
    );
    return {
      kind: 'dead_letter',
      topic: this.#options.topics.deadLetter,
      key: record.key,
      headers: this.#options.outputHeaders?.(record.headers),
      value: encodeDeadLetter({
        reason,
        error: { name: 'DecodeError', message },
        source: { topic: record.topic, partition: record.partition, offset: record.offset, key: record.key },
        original: record.value,
        modelVersion: this.#modelVersion,
      }),
    };
  }
}

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
