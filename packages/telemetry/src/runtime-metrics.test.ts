import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRuntimeMetrics } from './runtime-metrics.js';
import { startTelemetry } from './start-telemetry.js';

const telemetry = startTelemetry({
  serviceName: 'runtime-metrics-test',
  serviceVersion: '0.0.0',
  enableTracing: false,
});
const server = createServer((request, response) => telemetry.metricsHandler(request, response));
after(async () => {
  server.close();
  await telemetry.shutdown();
});

function gauge(body: string, name: string): number | undefined {
  const value = new RegExp(`^modstream_${name} (\\S+)$`, 'm').exec(body)?.[1];
  return value === undefined ? undefined : Number(value);
}

it('exports the event-loop delay since the previous scrape in milliseconds', async () => {
  const runtime = createRuntimeMetrics(telemetry.meter, { resolutionMs: 10 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  await sleep(50);
  await scrape(); // starts a fresh window
  await sleep(30);
  const blockUntil = performance.now() + 200;
  while (performance.now() < blockUntil); // block the event loop for 200 ms
  await sleep(30);
  const blocked = await scrape();
  const blockedMax = gauge(blocked, 'event_loop_delay_max_ms');
  assert.ok(blockedMax !== undefined && blockedMax >= 150, `max ${blockedMax} after a 200 ms block`);
  assert.ok((gauge(blocked, 'event_loop_delay_p99_ms') ?? 0) >= 150, blocked);
  assert.ok((gauge(blocked, 'event_loop_delay_p50_ms') ?? -1) >= 0, blocked);

  // The scrape reset the histogram: the next window does not see the block.
  await sleep(80);
  const idleMax = gauge(await scrape(), 'event_loop_delay_max_ms');
  assert.ok(idleMax !== undefined && idleMax < blockedMax, `max ${idleMax} after the reset`);

  runtime.stop();
  runtime.stop();
  assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200);
});
