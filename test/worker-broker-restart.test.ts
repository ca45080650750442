import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { requireStack } from '@modstream/testkit';
import {
  OutputCollector,
  killWorker,
  makeEvents,
  produceEvents,
  restartStackService,
  startWorker,
  tally,
  workerTestContext,
  type WorkerProcess,
} from './worker-harness.js';

before(async () => {
  await requireStack();
});

/** Polls the worker's /readyz until stopped; counts the answers that were not 200 (broker away). */
function watchReadiness(worker: WorkerProcess): { stop(): { samples: number; notReady: number } } {
  let samples = 0;
  let notReady = 0;
  const timer = setInterval(() => {
    fetch(`http://127.0.0.1:${worker.port}/readyz`)
      .then((response) => {
        samples++;
        if (response.status !== 200) notReady++;
      })
      .catch(() => {
        samples++;
        notReady++;
      });
  }, 500);
  return {
    stop: () => {
      clearInterval(timer);
      return { samples, notReady };
    },
  };
}

function alive(worker: WorkerProcess): boolean {
  return worker.child.exitCode === null && worker.child.signalCode === null;
}

/** The worker's "consumer crashed" log lines, as `restart=<bool> <error name>: <message>`. */
function consumerCrashes(worker: WorkerProcess): string[] {
  return worker.logs.flatMap((line) => {
    if (!line.includes('consumer crashed')) return [];
    try {
      const entry = JSON.parse(line) as { restart?: boolean; err?: { type?: string; message?: string } };
      return [`restart=${entry.restart} ${entry.err?.type}: ${entry.err?.message}`];
    } catch {
      return [line];
    }
  });
}

test('broker restarted mid-stream with its data: the worker stays up and ready again, no input id missing, duplicates counted', async (t) => {
  const { kafka, topics, env } = await workerTestContext(t, 'broker-restart');
  const events = makeEvents(4_000, { malformedRatio: 0.02, repeatRatio: 0.2, idPrefix: 'b', seed: 11 });
  await produceEvents(kafka, topics.input, events);

  const collector = new OutputCollector(kafka, topics);
  const worker = await startWorker(env);
  t.after(() => killWorker(worker));
  await worker.waitReady(120_000);
  await collector.start();
  t.after(() => collector.stop());
  await collector.waitForIds(
    events.slice(0, 100).map((e) => e.id),
    120_000,
  );

  const outBefore = collector.covered().size;
  assert.ok(outBefore < events.length, `restarted mid-stream (${outBefore} of ${events.length} already out)`);
  const readiness = watchReadiness(worker);
  const restart = await restartStackService('kafka');
  assert.equal(restart.code, 0, `stack.sh restart kafka failed:\n${restart.output}`);
  assert.match(restart.output, /kafka: stopped/);
  assert.doesNotMatch(restart.output, /formatting storage/);
  const outAfterRestart = collector.covered().size;
  assert.ok(alive(worker), `worker exited during the broker restart:\n${worker.logs.slice(-30).join('\n')}`);

  await collector
    .waitForIds(
      events.map((e) => e.id),
      600_000,
    )
    .catch((error: Error) => {
      const state = alive(worker) ? 'still running' : `exited (${worker.child.exitCode})`;
      throw new Error(`${error.message}\nworker ${state}; log tail:\n${worker.logs.slice(-30).join('\n')}`);
    });
  const { samples, notReady } = readiness.stop();
  assert.ok(alive(worker), `worker exited after the broker restart:\n${worker.logs.slice(-30).join('\n')}`);
  // Ready again: the consumer rejoined its group on the restarted broker.
  await worker.waitReady(120_000);

  const stopStarted = Date.now();
  worker.child.kill('SIGTERM');
  assert.deepEqual(await worker.exited, { code: 0, signal: null });
  const stopMs = Date.now() - stopStarted;
  await collector.waitCaughtUp(120_000);
  await collector.stop();

  const { missing, duplicates } = tally(collector, events);
  const crashLines = consumerCrashes(worker);
  const crashes = [...new Set(crashLines)];
  const collectorCrashes = collector.crashes.map((c) => `restart=${c.restart} ${c.error}`);
  console.log(
    `broker restart: ${events.length} events, ${outBefore} out before the restart, ${outAfterRestart} when ` +
      `stack.sh restart kafka returned (${(restart.ms / 1000).toFixed(1)} s); ${collector.labeled.length} ` +
      `labeled + ${collector.deadLetters.length} dead letters, ${missing.length} missing, ${duplicates} ` +
      `duplicates; SIGTERM to exit 0 in ${stopMs} ms; /readyz not 200 in ${notReady} of ${samples} ` +
      `samples; worker consumer crashes: ${crashLines.length} ${JSON.stringify(crashes)}; collector ` +
      `consumer crashes: ${collector.crashes.length} ${JSON.stringify(collectorCrashes)}; connections ` +
      `left open by the Kafka client: ${collector.leakedSockets}`,
  );
  assert.deepEqual(missing, []);
});
