import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test, type TestContext } from 'node:test';
import { shadowEventSchema, type ShadowEvent } from '@modstream/events';
import { inShadowSample } from '@modstream/moderation';
import type { KafkaClient } from '@modstream/kafka-io';
import {
  deleteTestTopics,
  readRecords,
  requireStack,
  uniqueName,
  writeBrokenBundle,
  writeThresholdsVariant,
} from '@modstream/testkit';
import {
  OutputCollector,
  findLog,
  killWorker,
  makeEvents,
  produceEvents,
  repoRoot,
  startWorker,
  workerTestContext,
  type LabeledOut,
  type TestEvent,
} from './worker-harness.js';

const EVENTS = 1_500;
const SAMPLE_RATE = 0.3;

before(async () => {
  await requireStack();
});

test('a shadow bundle leaves the main events unchanged, scores exactly the sampled ids, and a broken one does not stop the worker', async (t) => {
  const events = makeEvents(EVENTS, { malformedRatio: 0.02, repeatRatio: 0.2, idPrefix: 'sh', seed: 5 });
  const candidate = await writeThresholdsVariant(join(repoRoot, 'models/incivility-minilm-l6'), -0.1);

  const plain = await runWorker(t, 'shadow-off', events, {});
  const shadowTopic = uniqueName('shadow-events');
  t.after(() => deleteTestTopics(shadowTopic));
  const shadowed = await runWorker(t, 'shadow-on', events, {
    MODSTREAM_SHADOW_MODEL_DIR: candidate,
    MODSTREAM_SHADOW_SAMPLE_RATE: String(SAMPLE_RATE),
    MODSTREAM_SHADOW_TOPIC: shadowTopic,
    // Room for every sampled comment: this test counts them all (production drops what falls behind).
    MODSTREAM_SHADOW_MAX_PENDING: '10000',
  });
  const broken = await runWorker(t, 'shadow-broken', events, {
    MODSTREAM_SHADOW_MODEL_DIR: await writeBrokenBundle(),
  });

  const key = (event: LabeledOut) =>
    JSON.stringify([event.labels, event.model_version, Object.values(event.scores).map((s) => s.toFixed(3))]);
  for (const run of [shadowed, broken]) {
    assert.equal(run.labeled.size, plain.labeled.size);
    for (const [id, event] of plain.labeled)
      assert.equal(key(run.labeled.get(id)!), key(event), `${run.name} ${id}`);
  }
  assert.ok(
    findLog(broken.worker, 'shadow model failed to load; running without a shadow'),
    'the broken shadow bundle is logged',
  );

  const valid = events.filter((event) => event.malformed === undefined);
  const sampled = valid.filter((event) => inShadowSample(event.id, SAMPLE_RATE)).map((event) => event.id);
  const shadowEvents = await readShadowTopic(shadowed.kafka, shadowTopic, sampled.length);
  assert.deepEqual(
    shadowEvents.map((event) => event.id).sort(),
    [...sampled].sort(),
    'one shadow event per sampled id',
  );
  const differing = shadowEvents.filter((event) => event.differing_labels.length > 0).length;
  for (const event of shadowEvents) {
    assert.equal(event.primary.model_version, plain.labeled.get(event.id)!.model_version);
    assert.match(event.shadow.model_version, /\+candidate$/);
    assert.deepEqual(event.primary.labels, plain.labeled.get(event.id)!.labels);
  }
  assert.ok(differing > 0, 'a candidate with lower thresholds flags more');
  console.log(
    `shadow: ${valid.length} labeled per run; main path ${plain.seconds.toFixed(1)} s without a shadow, ` +
      `${shadowed.seconds.toFixed(1)} s with a ${SAMPLE_RATE * 100} % shadow, ${broken.seconds.toFixed(1)} s with a ` +
      `broken one; ${shadowEvents.length} shadow events (${sampled.length} sampled), ${differing} with differing labels`,
  );
});

async function runWorker(
  t: TestContext,
  name: string,
  events: TestEvent[],
  extraEnv: Record<string, string>,
) {
  const { kafka, topics, env } = await workerTestContext(t, name);
  await produceEvents(kafka, topics.input, events);
  const startedAt = Date.now();
  const worker = await startWorker({ ...env, ...extraEnv });
  t.after(() => killWorker(worker));
  await worker.waitReady(120_000);
  const collector = new OutputCollector(kafka, topics);
  await collector.start();
  t.after(() => collector.stop());
  await collector.waitForIds(
    events.map((event) => event.id),
    300_000,
  );
  const seconds = (Date.now() - startedAt) / 1000;
  assert.equal(worker.child.exitCode, null, `${name}: the worker runs`);
  worker.child.kill('SIGTERM');
  assert.equal((await worker.exited).code, 0, `${name}: exit code`);
  await collector.waitCaughtUp();
  const labeled = new Map(collector.labeled.map((event) => [event.id, event]));
  return { name, worker, collector, labeled, seconds, kafka };
}

/** Every shadow event, read until `expected` arrived. */
async function readShadowTopic(kafka: KafkaClient, topic: string, expected: number): Promise<ShadowEvent[]> {
  const records = await readRecords(kafka, topic, expected);
  return records.map((record) =>
    shadowEventSchema.parse(JSON.parse(record.value?.toString('utf8') ?? 'null')),
  );
}
