import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, it } from 'node:test';
import { startTelemetry } from './start-telemetry.js';
import { createWorkerMetrics } from './worker-metrics.js';

const telemetry = startTelemetry({
  serviceName: 'metrics-test',
  serviceVersion: '0.0.0',
  enableTracing: false,
});
const server = createServer((request, response) => telemetry.metricsHandler(request, response));
after(async () => {
  server.close();
  await telemetry.shutdown();
  await telemetry.shutdown();
});

it('serves the worker metrics in Prometheus text format', async () => {
  const metrics = createWorkerMetrics(telemetry.meter, {
    outputKinds: ['labeled', 'review'],
    cacheOutcomes: ['hit', 'miss'],
  });
  metrics.eventsIn(3, 'comments');
  metrics.eventsOut('labeled', 2);
  metrics.deadLetter('invalid_json');
  metrics.cache('hit', 5);
  metrics.batch(8, 12.5);
  metrics.inFlight(4);
  metrics.consumerLag('comments', 0, 42);
  metrics.consumerLag('comments', 1, 7);
  metrics.clearConsumerLag(1);

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  const body = await response.text();

  assert.match(body, /^modstream_events_in_total\{topic="comments"\} 3$/m);
  assert.match(body, /^modstream_events_out_total\{kind="labeled"\} 2$/m);
  assert.match(body, /^modstream_events_out_total\{kind="review"\} 0$/m, 'every declared kind is exported');
  assert.match(body, /^modstream_cache_requests_total\{result="miss"\} 0$/m);
  assert.match(body, /^modstream_dead_letters_total\{reason="invalid_json"\} 1$/m);
  assert.match(body, /^modstream_cache_requests_total\{result="hit"\} 5$/m);
  assert.match(body, /^modstream_batch_size_count 1$/m);
  assert.match(body, /^modstream_batch_size_bucket\{le="8"\} 1$/m);
  assert.match(body, /^modstream_inference_duration_ms_sum 12\.5$/m);
  assert.match(body, /^modstream_in_flight 4$/m);
  assert.match(body, /^modstream_consumer_lag\{partition="0"\} 42$/m);
  assert.doesNotMatch(body, /partition="1"/);
});
