import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { requireStack } from '@modstream/testkit';
import {
  OutputCollector,
  findLog,
  killWorker,
  makeEvents,
  produceEvents,
  startWorker,
  tally,
  workerTestContext,
} from './worker-harness.js';

before(async () => {
  await requireStack();
});

test('two workers in one group on a 4-partition topic, one stopped mid-stream: nothing lost', async (t) => {
  const { kafka, topics, env } = await workerTestContext(t, 'group', 4);
  // Small chunks spread the work over time, so the stop lands mid-stream.
  const workerEnv = { ...env, MODSTREAM_CONSUME_CHUNK_SIZE: '64' };
  const [a, b] = await Promise.all([startWorker(workerEnv), startWorker(workerEnv)]);
  t.after(() => killWorker(a));
  t.after(() => killWorker(b));
  await Promise.all([a.waitReady(), b.waitReady()]);

  const events = makeEvents(3_000, { malformedRatio: 0.05, repeatRatio: 0.2, idPrefix: 'g', seed: 11 });
  const collector = new OutputCollector(kafka, topics);
  await collector.start();
  t.after(() => collector.stop());
  await produceEvents(kafka, topics.input, events);
  await collector.waitForIds(
    events.slice(0, 200).map((e) => e.id),
    60_000,
  );
  const outBeforeStop = collector.covered().size;
  a.child.kill('SIGTERM');
  assert.equal((await a.exited).code, 0);

  await collector.waitForIds(
    events.map((e) => e.id),
    300_000,
  );
  b.child.kill('SIGTERM');
  assert.equal((await b.exited).code, 0);
  await collector.waitCaughtUp();

  const statsOf = (worker: typeof a) => (findLog(worker, 'stopped')?.stats ?? {}) as { eventsIn?: number };
  const { missing, duplicates } = tally(collector, events);
  console.log(
    `group: ${events.length} events, ${outBeforeStop} out when worker A stopped; A consumed ${statsOf(a).eventsIn}, ` +
      `B consumed ${statsOf(b).eventsIn}; ${missing.length} missing, ${duplicates} duplicates`,
  );
  assert.ok(outBeforeStop < events.length, 'worker A stopped mid-stream');
  assert.ok((statsOf(a).eventsIn ?? 0) > 0, 'worker A consumed part of the stream');
  assert.ok((statsOf(b).eventsIn ?? 0) > 0, 'worker B consumed part of the stream');
  assert.deepEqual(missing, []);
});
