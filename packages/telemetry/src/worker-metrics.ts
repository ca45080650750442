import type { Meter } from '@opentelemetry/api';

/**
 * The worker's metrics, one method per thing it reports. It implements @modstream/moderation's
 * PipelineMetrics and ShadowMetrics as they are, so no layer translates between vocabularies.
 */
export interface WorkerMetrics {
  eventsIn(count: number, topic: string): void;
  /** `kind`: an output kind of @modstream/moderation's OUTPUT_KINDS. */
  eventsOut(kind: string, count: number): void;
  deadLetter(reason: string): void;
  /** `outcome`: a @modstream/label-cache CacheOutcome (hit, miss, bypass, error). */
  cache(outcome: string, count: number): void;
  cacheWriteErrors(count: number): void;
  endToEndLatency(ms: number): void;
  batch(size: number, inferenceMs: number): void;
  /** Events accepted and not yet committed: +n when a chunk starts, -n when it is done. */
  inFlight(delta: number): void;
  /** Chunks handled or published again after a transient failure, by the step that failed. */
  chunkRetry(step: string): void;
  /** Feeds the consumer_lag gauge (messages behind the high watermark) of one partition. */
  consumerLag(topic: string, partition: number, lag: number): void;
  /** Forgets the lag of a partition (after a rebalance revoked it), or of all partitions. */
  clearConsumerLag(partition?: number): void;
  shadow: {
    /** One sampled comment's decision for one label by both models. */
    decision(label: string, primary: boolean, shadow: boolean): void;
    published(count: number): void;
    dropped(reason: string): void;
    /** 1 while a shadow model runs, 0 when one is configured but could not start. */
    active(running: boolean): void;
  };
}

export interface WorkerMetricsOptions {
  /** Every output kind, so each events_out series exists (at 0) from the start. */
  outputKinds?: readonly string[];
  /** Every cache outcome, likewise for cache_requests. */
  cacheOutcomes?: readonly string[];
}

const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const DURATION_MS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000];

export function createWorkerMetrics(meter: Meter, options: WorkerMetricsOptions = {}): WorkerMetrics {
  const lagByPartition = new Map<number, number>();
  meter
    .createObservableGauge('consumer_lag', {
      description: 'Messages behind the high watermark, by partition',
    })
    .addCallback((result) => {
      for (const [partition, lag] of lagByPartition) result.observe(lag, { partition: String(partition) });
    });
  const eventsIn = meter.createCounter('events_in', { description: 'Input events consumed' });
  const eventsOut = meter.createCounter('events_out', { description: 'Events produced, by kind' });
  const deadLetters = meter.createCounter('dead_letters', {
    description: 'Dead letters produced, by reason',
  });
  const batchSize = meter.createHistogram('batch_size', {
    description: 'Texts per inference batch',
    advice: { explicitBucketBoundaries: BATCH_SIZE_BUCKETS },
  });
  const inferenceDuration = meter.createHistogram('inference_duration_ms', {
    description: 'Inference time per batch in milliseconds',
    advice: { explicitBucketBoundaries: DURATION_MS_BUCKETS },
  });
  const cacheRequests = meter.createCounter('cache_requests', {
    description: 'Label cache lookups, by outcome (a repeat sharing an inference in flight is a hit)',
  });
  const cacheWriteErrors = meter.createCounter('cache_write_errors', {
    description: 'Scores the label cache failed to store',
  });
  const e2eLatency = meter.createHistogram('e2e_latency_ms', {
    description: 'From the input message timestamp to its outputs being ready, in milliseconds',
    advice: { explicitBucketBoundaries: DURATION_MS_BUCKETS },
  });
  const inFlight = meter.createUpDownCounter('in_flight', {
    description: 'Events accepted and not yet committed',
  });
  const shadowDecisions = meter.createCounter('shadow_decisions', {
    description: "Shadow-sampled comments by label and by the primary and shadow models' decisions",
  });
  const shadowEvents = meter.createCounter('shadow_events', { description: 'Shadow events published' });
  const shadowDropped = meter.createCounter('shadow_dropped', {
    description: 'Sampled comments the shadow dropped, by reason (behind, inference, publish, closed)',
  });
  const shadowActive = meter.createUpDownCounter('shadow_active', {
    description:
      '1 while a shadow model scores a sample of comments; 0 when one is configured but failed to start',
  });
  const chunkRetries = meter.createCounter('chunk_retries', {
    description: 'Chunks retried with backoff after a transient failure (nothing committed past them)',
  });
  for (const kind of options.outputKinds ?? []) eventsOut.add(0, { kind });
  for (const result of options.cacheOutcomes ?? []) cacheRequests.add(0, { result });

  return {
    eventsIn: (count, topic) => eventsIn.add(count, { topic }),
    eventsOut: (kind, count) => eventsOut.add(count, { kind }),
    deadLetter: (reason) => deadLetters.add(1, { reason }),
    cache: (outcome, count) => cacheRequests.add(count, { result: outcome }),
    cacheWriteErrors: (count) => cacheWriteErrors.add(count),
    endToEndLatency: (ms) => e2eLatency.record(ms),
    batch: (size, inferenceMs) => {
      batchSize.record(size);
      inferenceDuration.record(inferenceMs);
    },
    inFlight: (delta) => inFlight.add(delta),
    chunkRetry: (step) => chunkRetries.add(1, { step }),
    consumerLag: (_topic, partition, lag) => void lagByPartition.set(partition, lag),
    clearConsumerLag: (partition) => {
      if (partition === undefined) lagByPartition.clear();
      else lagByPartition.delete(partition);
    },
    shadow: {
      decision: (label, primary, shadow) =>
        shadowDecisions.add(1, { label, primary: primary ? '1' : '0', shadow: shadow ? '1' : '0' }),
      published: (count) => shadowEvents.add(count),
      dropped: (reason) => shadowDropped.add(1, { reason }),
      active: (running) => shadowActive.add(running ? 1 : 0),
    },
  };
}
