import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { requireStack } from '@modstream/testkit';
import {
  OutputCollector,
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

test('kill -9 of the worker mid-stream, then a restart: no input id missing, duplicates counted', async (t) => {
  const { kafka, topics, env } = await workerTestContext(t, 'crash');
  const events = makeEvents(4_000, { malformedRatio: 0.05, repeatRatio: 0.2, idPrefix: 'k', seed: 7 });
  await produceEvents(kafka, topics.input, events);

  const collector = new OutputCollector(kafka, topics);
  const first = await startWorker(env);
  t.after(() => killWorker(first));
  await first.waitReady();
  await collector.start();
  t.after(() => collector.stop());
  await collector.waitForIds(
    events.slice(0, 100).map((e) => e.id),
    60_000,
  );
  const { covered } = { covered: collector.covered().size };
  first.child.kill('SIGKILL');
  const exit = await first.exited;
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(covered < events.length, `killed mid-stream (${covered} of ${events.length} already out)`);

  const second = await startWorker(env);
  t.after(() => killWorker(second));
  await second.waitReady();
  await collector.waitForIds(
    events.map((e) => e.id),
    300_000,
  );
  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0);
  await collector.waitCaughtUp();

  const { missing, duplicates } = tally(collector, events);
  console.log(
    `crash: ${events.length} events, ~${covered} out before kill -9, after restart ${collector.labeled.length} labeled + ` +
      `${collector.deadLetters.length} dead letters, ${missing.length} missing, ${duplicates} duplicates`,
  );
  assert.deepEqual(missing, []);
});
