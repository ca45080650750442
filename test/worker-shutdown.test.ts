import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { openAdmin } from '@modstream/kafka-io';
import { createTestKafka, deleteTestTopics, requireStack, waitFor } from '@modstream/testkit';
import {
  OutputCollector,
  findLog,
  killWorker,
  makeEvents,
  produceEvents,
  startWorker,
  workerSetup,
  workerTestContext,
} from './worker-harness.js';

const DEADLINE_MS = 15_000;

before(async () => {
  await requireStack();
});

test('SIGTERM mid-stream: the chunk in flight is published and committed, exit 0 within the deadline', async (t) => {
  const { kafka, topics, env } = await workerTestContext(t, 'sigterm', 2);
  const admin = await openAdmin(kafka);
  t.after(() => admin.disconnect());
  const events = makeEvents(4_000, { repeatRatio: 0.1, idPrefix: 't', seed: 3 });
  await produceEvents(kafka, topics.input, events);

  const worker = await startWorker({ ...env, MODSTREAM_SHUTDOWN_DEADLINE_MS: String(DEADLINE_MS) });
  t.after(() => killWorker(worker));
  await worker.waitReady();
  const collector = new OutputCollector(kafka, topics);
  await collector.start();
  t.after(() => collector.stop());
  await collector.waitForIds(
    events.slice(0, 300).map((e) => e.id),
    60_000,
  );

  const signalledAt = Date.now();
  worker.child.kill('SIGTERM');
  const exit = await worker.exited;
  const stopMs = Date.now() - signalledAt;
  assert.equal(exit.code, 0);
  assert.ok(stopMs < DEADLINE_MS, `stopped in ${stopMs} ms`);
  await collector.waitCaughtUp();

  // Per partition: the outputs cover offsets 0..n-1 without a gap and the committed offset is exactly n.
  const group = await admin.committedOffsets(env.MODSTREAM_GROUP_ID!, topics.input);
  const partitions = await admin.watermarks(topics.input);
  let output = 0;
  for (const { partition, high } of partitions) {
    const offsets = new Set(
      collector.labeled.filter((e) => e.source.partition === partition).map((e) => Number(e.source.offset)),
    );
    const committed = Number(group.find((p) => p.partition === partition)?.offset ?? -1);
    const expected = offsets.size === 0 ? -1 : Math.max(...offsets) + 1;
    console.log(
      `sigterm: partition ${partition}: end ${high}, output ${offsets.size}, committed ${committed}`,
    );
    assert.equal(
      committed,
      expected,
      `partition ${partition}: committed offset equals the end of what was output`,
    );
    if (offsets.size > 0)
      assert.equal(offsets.size, expected, `partition ${partition}: outputs without gaps`);
    output += offsets.size;
  }
  console.log(`sigterm: ${output} of ${events.length} events output and committed; stopped in ${stopMs} ms`);
  assert.ok(output < events.length, 'SIGTERM arrived mid-stream');
});

test('a second signal exits 130 at once; a stop past the deadline exits 1 with a log line', async (t) => {
  const kafka = createTestKafka();
  const { topics, env } = await workerSetup(kafka, 'signals', 1);
  t.after(() => deleteTestTopics(...Object.values(topics)));

  const [twice, late] = await Promise.all([
    startWorker(env),
    startWorker({
      ...env,
      MODSTREAM_GROUP_ID: `${env.MODSTREAM_GROUP_ID}-late`,
      MODSTREAM_SHUTDOWN_DEADLINE_MS: '1',
    }),
  ]);
  t.after(() => killWorker(twice));
  t.after(() => killWorker(late));
  await Promise.all([twice.waitReady(), late.waitReady()]);

  twice.child.kill('SIGTERM');
  await waitFor(() => findLog(twice, 'stopping'), { timeoutMs: 10_000, message: 'first signal logged' });
  twice.child.kill('SIGINT');
  assert.equal((await twice.exited).code, 130);
  assert.ok(findLog(twice, 'second signal; exiting now'));

  late.child.kill('SIGTERM');
  assert.equal((await late.exited).code, 1);
  assert.ok(findLog(late, 'shutdown deadline passed; exiting without a clean stop'));
});
