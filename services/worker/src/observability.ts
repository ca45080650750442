// PROVISIONAL: replaced by an adapter over @modstream/telemetry once it lands.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PipelineMetrics, PipelineRecord } from './pipeline.js';

export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface WorkerMetrics {
  pipeline: PipelineMetrics;
  batch(size: number, inferenceMs: number): void;
  consumerLag(topic: string, partition: number, lag: number): void;
}

export interface Observability {
  metrics: WorkerMetrics;
  metricsHandler(request: IncomingMessage, response: ServerResponse): void;
  outputHeaders(input: Record<string, string>): Record<string, string>;
  traceChunk<T>(records: readonly PipelineRecord[], work: () => Promise<T>): Promise<T>;
  shutdown(): Promise<void>;
}

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function createWorkerLogger(level: string, stream: NodeJS.WritableStream = process.stdout): Logger {
  const min = level === 'silent' ? Infinity : levels.indexOf(level);
  const write = (name: string) => (fields: object, msg: string) => {
    if (levels.indexOf(name) < min) return;
    const entry: Record<string, unknown> = { level: name, time: Date.now(), msg };
    for (const [key, value] of Object.entries(fields)) {
      entry[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
    }
    stream.write(`${JSON.stringify(entry)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export function startObservability(): Observability {
  const noop = () => undefined;
  return {
    metrics: {
      pipeline: { eventsIn: noop, eventsOut: noop, deadLetter: noop, cache: noop, endToEndLatency: noop },
      batch: noop,
      consumerLag: noop,
    },
    metricsHandler: (_request, response) => response.writeHead(200).end(''),
    outputHeaders: (input): Record<string, string> =>
      input.traceparent === undefined ? {} : { traceparent: input.traceparent },
    traceChunk: (_records, work) => work(),
    shutdown: async () => undefined,
  };
}
