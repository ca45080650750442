import {
  context,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** Kafka message headers: each value a string or bytes, or a list of them. */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const propagator = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<KafkaHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => {
    const value = headers[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

const headerSetter: TextMapSetter<KafkaHeaders> = {
  set: (headers, key, value) => {
    headers[key] = value;
  },
};

/** Writes traceparent/tracestate of `ctx` (default: the active context) into `headers` and returns them. */
export function injectTraceContext(
  headers: KafkaHeaders = {},
  ctx: Context = context.active(),
): KafkaHeaders {
  propagator.inject(ctx, headers, headerSetter);
  return headers;
}

/** A context whose remote parent is the span named in `headers` (unchanged `base` when there is none). */
export function extractTraceContext(
  headers: KafkaHeaders | undefined,
  base: Context = context.active(),
): Context {
  return headers ? propagator.extract(base, headers, headerGetter) : base;
}

export interface SpanOptions {
  attributes?: Attributes;
  /** Parent context, e.g. from extractTraceContext; default: the active context. */
  parent?: Context;
}

const TRACER_NAME = '@modstream/telemetry';

/** Runs `fn` inside an active span that records a thrown error and always ends. */
export function withSpan<T>(
  name: string,
  fn: (span: Span) => Promise<T> | T,
  options: SpanOptions = {},
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, { attributes: options.attributes ?? {} }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}
