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
  type WorkerMetrics,
} from '@modstream/telemetry';
import { CACHE_OUTCOMES } from '@modstream/label-cache';
import { OUTPUT_KIND_NAMES, type PipelineRecord } from '@modstream/moderation';

export type { Logger, WorkerMetrics } from '@modstream/telemetry';

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
  const metrics = createWorkerMetrics(telemetry.meter, {
    outputKinds: OUTPUT_KIND_NAMES,
    cacheOutcomes: CACHE_OUTCOMES,
  });
  // Event-loop delay of the main thread (the Kafka client, JSON, cache keys; inference runs in worker threads).
  const runtime = createRuntimeMetrics(telemetry.meter);
  return {
    metrics,
    metricsHandler: (request, response) => telemetry.metricsHandler(request, response),
    outputHeaders: (input) => {
      const headers = injectTraceContext({}, extractTraceContext(input));
      return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
    },
    traceChunk: async (records, work) => {
      const first = records[0];
      metrics.inFlight(records.length);
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
        metrics.inFlight(-records.length);
      }
    },
    shutdown: () => {
      runtime.stop();
      return telemetry.shutdown();
    },
  };
}
