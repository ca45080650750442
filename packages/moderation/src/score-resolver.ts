import type { MicroBatcher } from '@modstream/batcher';
import type { TextClassifier } from '@modstream/classifier';
import { cacheKey, type CacheLookup, type CacheOutcome, type LabelCache } from '@modstream/label-cache';
import type { InferenceJob, InferenceResult } from './inference-batcher.js';
import type { PipelineLogger, PipelineMetrics, PipelineStats } from './metrics.js';
import { isRecordFailure, recordFailure, runAlone, type RecordFailure } from './record-failure.js';

/** A text's scores and where they came from. */
export interface ResolvedScores {
  scores: Record<string, number>;
  /** True when no inference ran for this record (a cache hit, or a repeat that shared one in flight). */
  cacheHit: boolean;
  queuedMs: number;
  inferenceMs: number;
}

export type ScoreResult = ResolvedScores | RecordFailure;

export interface ScoreResolverOptions {
  classifier: TextClassifier;
  batcher: MicroBatcher<InferenceJob, InferenceResult>;
  cache: LabelCache;
  stats: PipelineStats;
  metrics?: PipelineMetrics;
  logger?: PipelineLogger;
}

type Inference = Promise<InferenceResult | RecordFailure>;

/**
 * Scores for texts: one cache lookup per call, then micro-batched inference of the misses; identical texts
 * in flight at the same time share one inference. Each text's promise settles on its own, as soon as its
 * scores are known; it rejects only on transient failures (the classifier failing for every text).
 */
export class ScoreResolver {
  readonly #options: ScoreResolverOptions;
  readonly #modelVersion: string;
  /** Inferences running or whose cache write is pending, by cache key. */
  readonly #inFlight = new Map<string, Inference>();
  #pendingWrites: { key: string; scores: Record<string, number>; inference: Inference }[] = [];
  #probeIds: number[] | undefined;

  constructor(options: ScoreResolverOptions) {
    this.#options = options;
    this.#modelVersion = options.classifier.info.modelVersion;
  }

  /** One promise per text, in order. The returned promise settles once the cache lookup is done. */
  async resolve(texts: readonly string[]): Promise<Promise<ScoreResult>[]> {
    const keys = texts.map((text) => cacheKey(text, this.#modelVersion));
    const shared = new Set(keys.filter((key) => this.#inFlight.has(key)));
    const lookupKeys = [...new Set(keys)].filter((key) => !shared.has(key));
    const lookups = new Map<string, CacheLookup>();
    const found = lookupKeys.length === 0 ? [] : await this.#options.cache.getMany(lookupKeys);
    lookupKeys.forEach((key, i) => lookups.set(key, found[i] ?? { outcome: 'miss' }));

    const counts = new Map<CacheOutcome, number>();
    const results = keys.map((key, index): Promise<ScoreResult> => {
      const lookup = lookups.get(key);
      if (lookup?.outcome === 'hit') {
        this.#count(counts, 'hit');
        this.#options.stats.cacheHits++;
        return Promise.resolve({ scores: lookup.value.scores, cacheHit: true, queuedMs: 0, inferenceMs: 0 });
      }
      const running = this.#inFlight.get(key);
      if (running !== undefined) {
        this.#count(counts, 'hit');
        this.#options.stats.sharedInferences++;
        return running.then(sharedResult);
      }
      this.#count(counts, lookup?.outcome ?? 'miss');
      return this.#infer(key, texts[index] ?? '').then(ownResult);
    });
    for (const [outcome, count] of counts) this.#options.metrics?.cache(outcome, count);
    return results;
  }

  #count(counts: Map<CacheOutcome, number>, outcome: CacheOutcome): void {
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }

  /** Starts the inference of one text; it stays shareable until its scores are written to the cache. */
  #infer(key: string, text: string): Inference {
    const ids = this.#encode(text);
    if (isRecordFailure(ids)) return Promise.resolve(ids);
    this.#options.stats.inferences++;
    const inference: Inference = this.#options.batcher
      .submit({ ids, tokens: ids.length, submittedAt: Date.now() })
      .catch((error: unknown) => this.#runAlone(text, error));
    this.#inFlight.set(key, inference);
    inference.then(
      (result) => {
        if (isRecordFailure(result)) this.#forget(key, inference);
        else this.#queueWrite(key, result.scores, inference);
      },
      () => this.#forget(key, inference),
    );
    return inference;
  }

  #forget(key: string, inference: Inference): void {
    if (this.#inFlight.get(key) === inference) this.#inFlight.delete(key);
  }

  /** Scores that became known in the same turn of the event loop are written in one call. */
  #queueWrite(key: string, scores: Record<string, number>, inference: Inference): void {
    if (this.#pendingWrites.length === 0) setImmediate(() => void this.#flushWrites());
    this.#pendingWrites.push({ key, scores, inference });
  }

  async #flushWrites(): Promise<void> {
    const writes = this.#pendingWrites;
    this.#pendingWrites = [];
    const { failed } = await this.#options.cache.setMany(
      writes.map(({ key, scores }) => ({ key, value: { scores, modelVersion: this.#modelVersion } })),
    );
    if (failed > 0) this.#options.metrics?.cacheWriteErrors(failed);
    for (const { key, inference } of writes) this.#forget(key, inference);
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
}

/** A text any working model classifies: tells a broken model from a record that breaks it. */
const PROBE_TEXT = 'Thank you for the reply.';

function ownResult(result: InferenceResult | RecordFailure): ScoreResult {
  if (isRecordFailure(result)) return result;
  return {
    scores: result.scores,
    cacheHit: false,
    queuedMs: result.queuedMs,
    inferenceMs: result.inferenceMs,
  };
}

function sharedResult(result: InferenceResult | RecordFailure): ScoreResult {
  if (isRecordFailure(result)) return result;
  return { scores: result.scores, cacheHit: true, queuedMs: 0, inferenceMs: 0 };
}
