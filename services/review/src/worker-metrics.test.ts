import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parsePrometheusText } from './prometheus-text.js';
import { WorkerMetricsScraper, workerPoint, workerTotals } from './worker-metrics.js';

/** Lines as the worker's OpenTelemetry Prometheus exporter writes them. */
function exposition(n: {
  in: number;
  out: number;
  dlq: number;
  hit: number;
  miss: number;
  lag: [number, number];
}) {
  return [
    '# HELP modstream_events_in_total Input events consumed',
    '# TYPE modstream_events_in_total counter',
    `modstream_events_in_total{topic="comments"} ${n.in}`,
    '# TYPE modstream_events_out_total counter',
    `modstream_events_out_total{kind="labeled"} ${n.out}`,
    'modstream_events_out_total{kind="review"} 0',
    `modstream_dead_letters_total{reason="invalid_json"} ${n.dlq}`,
    `modstream_cache_requests_total{result="hit"} ${n.hit}`,
    `modstream_cache_requests_total{result="miss"} ${n.miss}`,
    'modstream_cache_requests_total{result="bypass"} 0',
    `modstream_consumer_lag{partition="0"} ${n.lag[0]}`,
    `modstream_consumer_lag{partition="1"} ${n.lag[1]}`,
    'modstream_batch_size_bucket{le="+Inf"} 12',
    'modstream_inference_duration_ms_sum 1.5e3',
    '',
  ].join('\n');
}

test('the text parser reads names, escaped label values and special values; it skips what it cannot parse', () => {
  const samples = parsePrometheusText(
    [
      '# HELP x help',
      'plain 3',
      'with_ts{a="b"} 4 1700000000000',
      'escaped{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",} 1',
      'inf{le="+Inf"} +Inf',
      'nan NaN',
      'broken{a="unterminated} 1',
      'novalue{a="b"}',
      'garbage value',
    ].join('\n'),
  );
  assert.deepEqual(
    samples.map((sample) => [sample.name, sample.labels, sample.value]),
    [
      ['plain', {}, 3],
      ['with_ts', { a: 'b' }, 4],
      ['escaped', { path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb' }, 1],
      ['inf', { le: '+Inf' }, Infinity],
      ['nan', {}, NaN],
    ],
  );
});

test('totals and rates of the worker metrics the overview charts', () => {
  const before = workerTotals(
    parsePrometheusText(exposition({ in: 100, out: 90, dlq: 2, hit: 30, miss: 70, lag: [5, 7] })),
  );
  assert.deepEqual(before, {
    eventsIn: 100,
    eventsOut: 90,
    deadLetters: 2,
    cacheHits: 30,
    cacheLookups: 100,
    consumerLag: 12,
  });
  const after = workerTotals(
    parsePrometheusText(exposition({ in: 200, out: 190, dlq: 4, hit: 105, miss: 95, lag: [0, 1] })),
  );
  assert.deepEqual(workerPoint(1_000, 10, before, after), {
    t: 1_000,
    eventsInPerSecond: 10,
    eventsOutPerSecond: 10,
    deadLettersPerSecond: 0.2,
    cacheHitRatio: 0.75,
    consumerLag: 1,
  });
  // A worker restart resets its counters: the new value is the increase, never a negative rate.
  const restarted = workerTotals(
    parsePrometheusText(exposition({ in: 20, out: 20, dlq: 0, hit: 0, miss: 0, lag: [0, 0] })),
  );
  const point = workerPoint(1_010, 10, after, restarted);
  assert.equal(point.eventsInPerSecond, 2);
  assert.equal(point.cacheHitRatio, null, 'no lookups in the interval');
});

test('the scraper sums several workers, charts rates between scrapes and survives a worker that is down', async () => {
  let counter = 0;
  let failing = false;
  const server = createServer((request, response) => {
    if (failing && request.url === '/b') {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(exposition({ in: counter, out: counter, dlq: 0, hit: counter, miss: 0, lag: [1, 0] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let now = 0;
  const errors: string[] = [];
  const scraper = new WorkerMetricsScraper({
    urls: [`http://127.0.0.1:${port}/a`, `http://127.0.0.1:${port}/b`],
    intervalMs: 1_000,
    now: () => now,
    onError: (url) => errors.push(url),
  });
  try {
    await scraper.scrape();
    assert.deepEqual(scraper.snapshot().points, [], 'one scrape makes no rate');
    counter = 50;
    now = 5_000;
    await scraper.scrape();
    let snapshot = scraper.snapshot();
    assert.equal(snapshot.up, true);
    assert.deepEqual(snapshot.points, [
      {
        t: 5,
        eventsInPerSecond: 20,
        eventsOutPerSecond: 20,
        deadLettersPerSecond: 0,
        cacheHitRatio: 1,
        consumerLag: 2,
      },
    ]);

    failing = true;
    now = 10_000;
    await scraper.scrape();
    snapshot = scraper.snapshot();
    assert.equal(snapshot.up, false);
    assert.match(snapshot.lastError ?? '', /\/b: HTTP 503/);
    assert.deepEqual(errors, [`http://127.0.0.1:${port}/b`]);
    assert.equal(snapshot.points.length, 1, 'a failed scrape adds no point');

    failing = false;
    counter = 60;
    now = 15_000;
    await scraper.scrape();
    assert.equal(
      scraper.snapshot().points.length,
      1,
      'the first scrape after a gap has nothing to compare with',
    );
    counter = 70;
    now = 20_000;
    await scraper.scrape();
    assert.equal(scraper.snapshot().points.at(-1)?.eventsInPerSecond, 4);
  } finally {
    await scraper.stop();
    server.close();
  }
});
