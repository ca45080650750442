import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { before, test } from 'node:test';
import {
  createTestKafka,
  createTestRedis,
  deleteTestTopics,
  requireKafka,
  requireRedis,
  waitFor,
} from '@modstream/testkit';
import {
  OutputCollector,
  findLog,
  freePort,
  killWorker,
  makeEvents,
  produceEvents,
  startWorker,
  tally,
  workerSetup,
  type TestEvent,
} from './worker-harness.js';

before(async () => {
  await requireKafka();
});

/** A throwaway redis-server on its own port (never the shared stack's Redis: this test stops it). */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await waitFor(() => requireRedis(`redis://127.0.0.1:${port}`).then(() => true), {
    timeoutMs: 10_000,
    message: `redis-server on ${port}`,
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

test('Redis stopped mid-stream and started again: nothing lost, processing continues, the cache is used again', async (t) => {
  const kafka = createTestKafka();
  const { topics, env } = await workerSetup(kafka, 'redis-outage');
  t.after(() => deleteTestTopics(...Object.values(topics)));
  const port = await freePort();
  let redisServer = await startRedis(port);
  t.after(() => stopRedis(redisServer));

  const worker = await startWorker({ ...env, MODSTREAM_REDIS_URL: `redis://127.0.0.1:${port}` });
  t.after(() => killWorker(worker));
  await worker.waitReady();
  const collector = new OutputCollector(kafka, topics);
  await collector.start();
  t.after(() => collector.stop());

  const all = makeEvents(3_000, { malformedRatio: 0.05, repeatRatio: 0.2, idPrefix: 'r', seed: 5 });
  const phase = (from: number, to: number) => all.slice(from, to);
  const ids = (events: readonly TestEvent[]) => events.map((e) => e.id);

  // 1. Redis up.
  await produceEvents(kafka, topics.input, phase(0, 1_000));
  await collector.waitForIds(ids(phase(0, 1_000)), 120_000);

  // 2. Redis down: every lookup is a bypass, processing goes on.
  await stopRedis(redisServer);
  await produceEvents(kafka, topics.input, phase(1_000, 2_000));
  await collector.waitForIds(ids(phase(1_000, 2_000)), 240_000);

  // 3. Redis back (empty): new texts are cached again, and their repeats are served from it. Texts classified
  // before the worker reconnected are not cached (writes to a Redis that is away are dropped), so the phase starts
  // once the worker says its cache is in use again.
  const readyLogs = () => worker.logs.filter((line) => line.includes('redis ready; cache in use')).length;
  const readyBefore = readyLogs();
  redisServer = await startRedis(port);
  await waitFor(() => readyLogs() > readyBefore, {
    timeoutMs: 30_000,
    message: 'worker reconnected to Redis',
  });
  const fresh = phase(2_000, 3_000);
  await produceEvents(kafka, topics.input, fresh);
  await collector.waitForIds(ids(fresh), 240_000);
  const redis = createTestRedis(`redis://127.0.0.1:${port}`);
  redis.on('error', () => undefined); // the server is killed at the end of the test
  t.after(() => redis.disconnect());
  const keysAfterRestart = await redis.dbsize();
  const again = fresh
    .filter((e) => e.malformed === undefined)
    .slice(0, 300)
    .map((e, i) => ({
      ...e,
      id: `again${i}`,
      value: Buffer.from(JSON.stringify({ id: `again${i}`, text: e.text })),
    }));
  await produceEvents(kafka, topics.input, again);
  await collector.waitForIds(ids(again), 60_000);

  worker.child.kill('SIGTERM');
  assert.equal((await worker.exited).code, 0);
  await collector.waitCaughtUp();

  const { missing, duplicates } = tally(collector, [...all, ...again]);
  const cacheStats = (findLog(worker, 'stopped')?.stats as { cache?: { bypassed: number; hits: number } })
    .cache;
  const againIds = new Set(ids(again));
  const againHits = collector.labeled.filter((e) => againIds.has(e.id) && e.cache_hit).length;
  console.log(
    `redis outage: ${all.length + again.length} events, ${missing.length} missing, ${duplicates} duplicates; ` +
      `${cacheStats?.bypassed} lookups bypassed while Redis was down; ${keysAfterRestart} keys written after the ` +
      `restart; ${againHits}/${again.length} re-sent texts were cache hits`,
  );
  assert.deepEqual(missing, []);
  assert.ok((cacheStats?.bypassed ?? 0) > 0, 'the worker saw Redis down and bypassed the cache');
  assert.ok(keysAfterRestart > 0, 'results cached again after Redis came back');
  assert.equal(againHits, again.length, 're-sent texts served from the cache');
});
