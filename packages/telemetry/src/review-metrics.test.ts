import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, it } from 'node:test';
import { createReviewMetrics, type PrecisionFigure } from './review-metrics.js';
import { startTelemetry } from './start-telemetry.js';

const telemetry = startTelemetry({
  serviceName: 'review-metrics-test',
  serviceVersion: '0.0.0',
  enableTracing: false,
});
const server = createServer((request, response) => telemetry.metricsHandler(request, response));
after(async () => {
  server.close();
  await telemetry.shutdown();
});

it('exports decisions, queue depths and the live precision figures with their counts', async () => {
  let depths = [
    { name: 'comments.review.priority', depth: 3 },
    { name: 'comments.review', depth: 0 },
  ];
  let figures: PrecisionFigure[] = [
    {
      label: 'namecalling',
      modelVersion: 'm1',
      thresholdsVersion: 't1',
      flagged: 4,
      confirmed: 3,
      precision: 0.75,
    },
  ];
  const metrics = createReviewMetrics(telemetry.meter, { queues: () => depths, precision: () => figures });
  metrics.decision('remove', 'decided');
  metrics.decision('remove', 'decided');
  metrics.decision('approve', 'already_decided');

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  let body = await scrape();
  assert.match(body, /^modstream_review_decisions_total\{decision="remove",outcome="decided"\} 2$/m);
  assert.match(body, /^modstream_review_decisions_total\{decision="approve",outcome="already_decided"\} 1$/m);
  assert.match(body, /^modstream_review_decisions_total\{decision="relabel",outcome="decided"\} 0$/m);
  assert.match(body, /^modstream_review_queue_depth\{queue="comments.review.priority"\} 3$/m);
  assert.match(body, /^modstream_review_queue_depth\{queue="comments.review"\} 0$/m);
  const series = 'label="namecalling",model_version="m1",thresholds_version="t1"';
  assert.match(body, new RegExp(`^modstream_review_precision\\{${series}\\} 0.75$`, 'm'));
  assert.match(body, new RegExp(`^modstream_review_flagged\\{${series}\\} 4$`, 'm'));
  assert.match(body, new RegExp(`^modstream_review_confirmed\\{${series}\\} 3$`, 'm'));

  // The gauges read their sources at each collection.
  depths = [{ name: 'comments.review.priority', depth: 1 }];
  figures = [{ ...figures[0]!, flagged: 5, confirmed: 3, precision: 0.6 }];
  body = await scrape();
  assert.match(body, /^modstream_review_queue_depth\{queue="comments.review.priority"\} 1$/m);
  assert.match(body, new RegExp(`^modstream_review_precision\\{${series}\\} 0.6$`, 'm'));
  assert.match(body, new RegExp(`^modstream_review_flagged\\{${series}\\} 5$`, 'm'));
});
