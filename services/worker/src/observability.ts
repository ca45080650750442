import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createLogger,
  createRuntimeMetrics,
  createWorkerMetrics,
  extractTraceContext,
  injectTraceContext,
  startTelemetry,
  withSpan,
  type Logger,
} from '@modstream/telemetry';
import type { PipelineMetrics, PipelineRecord, ShadowMetrics } from '@modstream/moderation';

export type { Logger } from '@modstream/telemetry';

export interface WorkerMetrics {
  pipeline: PipelineMetrics;
  batch(size: number, inferenceMs: number): void;
  consumerLag(topic: string, partition: number, lag: number): void;
  chunkRetry(step: string): void;
  /** `active`: 1 while a shadow model runs, 0 when one is configured but could not start. */
  shadow: ShadowMetrics & { active(running: boolean): void };
}

/** Metrics, traces and the /metrics handler of one worker process. */
export interface Observability {
  metrics: WorkerMetrics;
  metricsHandler(request: IncomingMessage, response: ServerResponse): void;
  /** Trace headers of an input message, re-injected onto its outputs (W3C traceparent/tracestate). */
  outputHeaders(input: Record<string, string>): Record<string, string>;
  /** Runs the processing of one chunk in a span and counts it as in flight. */
  traceChunk<T>(records: readonly PipelineRecord[], work: () => Promise<T>): Promise<T>;
  shutdown(): Promise<void>;
}

export interface ObservabilityOptions {
  serviceVersion: string;
  /** Record spans (exported where the OTEL_* variables say). */
  tracing: boolean;
}

/** JSON logs (pino) that redact comment text unless `logText`. */
export function createWorkerLogger(
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
  options: { logText?: boolean; stderr?: boolean } = {},
): Logger {
  return createLogger({
    name: 'modstream-worker',
    level,
    logText: options.logText ?? false,
    ...(options.stderr ? { destination: process.stderr } : {}),
  });
}

export function startObservability(options: ObservabilityOptions): Observability {
  const telemetry = startTelemetry({
    serviceName: 'modstream-worker',
    serviceVersion: options.serviceVersion,
    enableTracing: options.tracing,
  });
  const m = createWorkerMetrics(telemetry.meter);
  // Event-loop delay of the main thread (kafkajs, JSON, cache keys; inference runs in worker threads).
  const runtime = createRuntimeMetrics(telemetry.meter);
  return {
    metrics: {
      pipeline: {
        eventsIn: (count, topic) => m.eventsIn.add(count, { topic }),
        eventsOut: (kind, count) => m.eventsOut.add(count, { kind }),
        deadLetter: (reason) => m.deadLetters.add(1, { reason }),
        // A repeat that shared an in-flight inference needed no inference: counted as a hit.
        cache: (outcome, count) =>
          m.cacheRequests.add(count, { result: outcome === 'shared' ? 'hit' : outcome }),
        cacheWriteErrors: (count) => m.cacheWriteErrors.add(count),
        endToEndLatency: (ms) => m.e2eLatencyMs.record(ms),
      },
      batch: (size, inferenceMs) => {
        m.batchSize.record(size);
        m.inferenceDurationMs.record(inferenceMs);
      },
      consumerLag: (_topic, partition, lag) => m.setConsumerLag(partition, lag),
      chunkRetry: (step) => m.chunkRetries.add(1, { step }),
      shadow: {
        decision: (label, primary, shadow) =>
          m.shadowDecisions.add(1, { label, primary: primary ? '1' : '0', shadow: shadow ? '1' : '0' }),
        published: (count) => m.shadowEvents.add(count),
        dropped: (reason) => m.shadowDropped.add(1, { reason }),
        active: (running) => m.shadowActive.add(running ? 1 : 0),
      },
    },
    metricsHandler: (request, response) => telemetry.metricsHandler(request, response),
    outputHeaders: (input) => {
      const headers = injectTraceContext({}, extractTraceContext(input));
      return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
    },
    traceChunk: async (records, work) => {
      const first = records[0];
      m.inFlight.add(records.length);
      try {
        return await withSpan('modstream.process_chunk', () => work(), {
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': first?.topic ?? '',
            'messaging.kafka.partition': first?.partition ?? -1,
            'messaging.kafka.offset': first?.offset ?? '',
            'messaging.batch.message_count': records.length,
          },
        });
      } finally {
        m.inFlight.add(-records.length);
      }
    },
    shutdown: () => {
      runtime.stop();
      return telemetry.shutdown();
    },
  };
}
