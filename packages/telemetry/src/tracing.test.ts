import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTelemetry } from './start-telemetry.js';
import { extractTraceContext, injectTraceContext, withSpan, type KafkaHeaders } from './tracing.js';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const spanId = 'b7ad6b7169203331';

describe('trace context in Kafka headers', () => {
  it('injects a W3C traceparent and extracts it from Buffer or string headers', () => {
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    const headers = injectTraceContext({ existing: 'kept' }, parent);
    assert.equal(headers.traceparent, `00-${traceId}-${spanId}-01`);
    assert.equal(headers.existing, 'kept');

    for (const fromKafka of [headers, { traceparent: Buffer.from(String(headers.traceparent)) }]) {
      const extracted = trace.getSpanContext(extractTraceContext(fromKafka, ROOT_CONTEXT));
      assert.equal(extracted?.traceId, traceId);
      assert.equal(extracted?.spanId, spanId);
      assert.equal(extracted?.isRemote, true);
    }
  });

  it('leaves the context alone when there is no or a malformed traceparent', () => {
    for (const headers of [undefined, {}, { traceparent: 'garbage' }] satisfies (
      KafkaHeaders | undefined
    )[]) {
      assert.equal(trace.getSpanContext(extractTraceContext(headers, ROOT_CONTEXT)), undefined);
    }
  });
});

describe('withSpan', () => {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({
    serviceName: 'tracing-test',
    serviceVersion: '0.0.0',
    enableTracing: true,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  after(() => telemetry.shutdown());

  it('propagates a span through headers to a child span', async () => {
    const headers: KafkaHeaders = {};
    const producerSpanId = await withSpan('produce', (span) => {
      injectTraceContext(headers);
      return span.spanContext().spanId;
    });
    const result = await withSpan('consume', () => 'done', { parent: extractTraceContext(headers) });
    assert.equal(result, 'done');

    const [produce, consume] = exporter.getFinishedSpans();
    assert.equal(produce?.name, 'produce');
    assert.equal(consume?.name, 'consume');
    assert.equal(consume?.spanContext().traceId, produce?.spanContext().traceId);
    assert.equal(consume?.parentSpanContext?.spanId, producerSpanId);
  });

  it('records a thrown error, ends the span and rethrows', async () => {
    exporter.reset();
    const boom = new TypeError('boom');
    await assert.rejects(
      withSpan('failing', () => Promise.reject(boom), { attributes: { 'batch.size': 3 } }),
      (error) => error === boom,
    );
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes['batch.size'], 3);
    assert.equal(span?.events[0]?.name, 'exception');
  });
});
