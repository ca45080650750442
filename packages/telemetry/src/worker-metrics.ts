import type { Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';

export type EventOutKind = 'labeled' | 'review' | 'dead_letter';
export type CacheResult = 'hit' | 'miss' | 'bypass';

export interface WorkerMetrics {
  eventsIn: Counter<{ topic: string }>;
  eventsOut: Counter<{ kind: EventOutKind }>;
  deadLetters: Counter<{ reason: string }>;
  batchSize: Histogram;
  inferenceDurationMs: Histogram;
  cacheRequests: Counter<{ result: CacheResult }>;
  cacheWriteErrors: Counter;
  e2eLatencyMs: Histogram;
  inFlight: UpDownCounter;
  /** Sampled comments by label and by each model's decision (`primary`, `shadow`: "1" flagged, "0" not). */
  shadowDecisions: Counter<{ label: string; primary: string; shadow: string }>;
  shadowEvents: Counter;
  shadowDropped: Counter<{ reason: string }>;
  shadowActive: UpDownCounter;
  /** Chunks handled or published again after a transient failure, by the step that failed. */
  chunkRetries: Counter<{ step: string }>;
  /** Feeds the consumer_lag gauge (messages behind the high watermark) of one partition. */
  setConsumerLag(partition: number, lag: number): void;
  /** Forgets the lag of a partition (after a rebalance revoked it), or of all partitions. */
  clearConsumerLag(partition?: number): void;
}

const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const DURATION_MS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000];

export function createWorkerMetrics(meter: Meter): WorkerMetrics {
  const lagByPartition = new Map<number, number>();
  meter
    .createObservableGauge('consumer_lag', {
      description: 'Messages behind the high watermark, by partition',
    })
    .addCallback((result) => {
      for (const [partition, lag] of lagByPartition) result.observe(lag, { partition: String(partition) });
    });

  return {
    eventsIn: meter.createCounter('events_in', { description: 'Input events consumed' }),
    eventsOut: meter.createCounter('events_out', { description: 'Events produced, by kind' }),
    deadLetters: meter.createCounter('dead_letters', { description: 'Dead letters produced, by reason' }),
    batchSize: meter.createHistogram('batch_size', {
      description: 'Texts per inference batch',
      advice: { explicitBucketBoundaries: BATCH_SIZE_BUCKETS },
    }),
    inferenceDurationMs: meter.createHistogram('inference_duration_ms', {
      description: 'Inference time per batch in milliseconds',
      advice: { explicitBucketBoundaries: DURATION_MS_BUCKETS },
    }),
    cacheRequests: meter.createCounter('cache_requests', { description: 'Label cache lookups, by result' }),
    cacheWriteErrors: meter.createCounter('cache_write_errors', { description: 'Failed label cache writes' }),
    e2eLatencyMs: meter.createHistogram('e2e_latency_ms', {
      description: 'From the input message timestamp to the labeled event acknowledgement, in milliseconds',
      advice: { explicitBucketBoundaries: DURATION_MS_BUCKETS },
    }),
    inFlight: meter.createUpDownCounter('in_flight', {
      description: 'Events accepted and not yet committed',
    }),
    shadowDecisions: meter.createCounter('shadow_decisions', {
      description: "Shadow-sampled comments by label and by the primary and shadow models' decisions",
    }),
    shadowEvents: meter.createCounter('shadow_events', { description: 'Shadow events published' }),
    shadowDropped: meter.createCounter('shadow_dropped', {
      description: 'Sampled comments the shadow dropped, by reason (behind, inference, publish, closed)',
    }),
    shadowActive: meter.createUpDownCounter('shadow_active', {
      description:
        '1 while a shadow model scores a sample of comments; 0 when one is configured but failed to start',
    }),
    chunkRetries: meter.createCounter('chunk_retries', {
      description: 'Chunks retried with backoff after a transient failure (nothing committed past them)',
    }),
    setConsumerLag: (partition, lag) => void lagByPartition.set(partition, lag),
    clearConsumerLag: (partition) => {
      if (partition === undefined) lagByPartition.clear();
      else lagByPartition.delete(partition);
    },
  };
}
