import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, test } from 'node:test';
import { requireStack, waitFor } from '@modstream/testkit';
import { createTopics, produceToPartitions, withAdmin, type KafkaClient } from '@modstream/kafka-io';
import { makeHostileInputs, type HostileInput } from './hostile-inputs.js';
import {
  OutputCollector,
  killWorker,
  makeEvents,
  produceEvents,
  startWorker,
  workerTestContext,
} from './worker-harness.js';

const HOSTILE = 10_000;
const NORMAL_MIXED_IN = 1_000;
const NORMAL_PHASE = 600;
const PARTITIONS = 4;

before(async () => {
  await requireStack();
});

test('10,000 hostile inputs mixed with normal comments: each input exactly once out, the worker never exits, throughput recovers', async (t) => {
  const { kafka, topics, env } = await workerTestContext(t, 'hostile', PARTITIONS);
  const worker = await startWorker(env);
  t.after(() => killWorker(worker));
  await worker.waitReady();
  // After the worker created the output topics.
  const collector = new OutputCollector(kafka, topics);
  await collector.start();
  t.after(() => collector.stop());

  const before = await timedPhase(kafka, topics.input, collector, 'before');

  const hostile = makeHostileInputs(HOSTILE, PARTITIONS, 'h');
  const normal = makeEvents(NORMAL_MIXED_IN, { idPrefix: 'mixed', seed: 11 });
  const mixed: HostileInput[] = [];
  hostile.forEach((input, i) => {
    mixed.push(input);
    const event = i % 10 === 9 ? normal[(i - 9) / 10] : undefined;
    if (event !== undefined)
      mixed.push({
        kind: 'normal',
        partition: i % PARTITIONS,
        key: Buffer.from(event.id),
        value: event.value,
        expect: 'labeled',
      });
  });
  const offsets = await produceAt(kafka, topics.input, mixed);
  const startedAt = Date.now();
  await waitFor(() => [...offsets.keys()].every((where) => outputsBySource(collector).has(where)), {
    timeoutMs: 600_000,
    intervalMs: 500,
    message: `outputs for ${mixed.length} hostile and normal inputs`,
  }).catch((error: Error) => {
    const covered = outputsBySource(collector);
    const missing = [...offsets].filter(([where]) => !covered.has(where)).map(([, input]) => input.kind);
    throw new Error(
      `${error.message}; missing kinds: ${[...new Set(missing)].join(', ')}\n${worker.logs.slice(-20).join('\n')}`,
    );
  });
  const hostileSeconds = (Date.now() - startedAt) / 1000;

  const after = await timedPhase(kafka, topics.input, collector, 'after');

  assert.equal(worker.child.exitCode, null, 'the worker never exited');
  assert.equal((await fetch(`http://127.0.0.1:${worker.port}/readyz`)).status, 200);
  worker.child.kill('SIGTERM');
  assert.equal((await worker.exited).code, 0);
  await collector.waitCaughtUp();

  const outputs = outputsBySource(collector);
  const wrong: string[] = [];
  for (const [where, input] of offsets) {
    const out = outputs.get(where) ?? [];
    assert.equal(out.length, 1, `${input.kind} at ${where}: ${out.length} outputs`);
    const got = out[0]!.reason ?? 'labeled';
    if (got !== input.expect) wrong.push(`${input.kind} at ${where}: ${got}, expected ${input.expect}`);
  }
  assert.deepEqual(wrong, []);

  const deadLetter = (kind: string) =>
    [...offsets]
      .filter(([, input]) => input.kind === kind)
      .map(([where, input]) => ({ input, out: outputs.get(where)![0]! }));
  for (const { input, out } of deadLetter('text_800kb')) {
    assert.equal(out.truncated, true);
    assert.equal(out.original_size, input.value!.byteLength);
    assert.equal(out.original_sha256, createHash('sha256').update(input.value!).digest('hex'));
    assert.equal(Buffer.from(out.original_base64!, 'base64').byteLength, 65_536);
  }
  const sixty = deadLetter('text_60kb');
  assert.equal(sixty.length, 300);
  for (const { input, out } of sixty) {
    assert.equal(out.truncated, false);
    assert.deepEqual(Buffer.from(out.original_base64!, 'base64'), input.value);
  }
  for (const { out } of deadLetter('key_1mb_malformed')) assert.equal(out.source.key_truncated, true);

  const byKind = new Map<string, number>();
  for (const input of mixed) byKind.set(input.kind, (byKind.get(input.kind) ?? 0) + 1);
  console.log(
    `hostile: ${mixed.length} inputs (${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')}) in ` +
      `${hostileSeconds.toFixed(1)} s; normal comments before ${before.toFixed(1)}/s, after ${after.toFixed(1)}/s`,
  );
  assert.ok(
    after >= before / 3,
    `throughput after the hostile inputs ${after.toFixed(1)}/s, before ${before.toFixed(1)}/s`,
  );
});

interface OutputOf {
  reason?: string;
  truncated?: boolean;
  original_size?: number;
  original_sha256?: string;
  original_base64?: string;
  source: { partition: number; offset: string; key_truncated?: boolean };
}

/** Labeled events and dead letters by the input they stand for (`partition:offset`). */
function outputsBySource(collector: OutputCollector): Map<string, OutputOf[]> {
  const bySource = new Map<string, OutputOf[]>();
  for (const out of [...collector.labeled, ...collector.deadLetters] as OutputOf[]) {
    const where = `${out.source.partition}:${out.source.offset}`;
    bySource.set(where, [...(bySource.get(where) ?? []), out]);
  }
  return bySource;
}

/** Normal comments produced as a backlog; their events per second through the worker. */
async function timedPhase(
  kafka: KafkaClient,
  topic: string,
  collector: OutputCollector,
  name: string,
): Promise<number> {
  const events = makeEvents(NORMAL_PHASE, { idPrefix: `${name}-`, seed: name.length });
  await produceEvents(kafka, topic, events);
  const startedAt = Date.now();
  await collector.waitForIds(
    events.map((event) => event.id),
    300_000,
  );
  return events.length / ((Date.now() - startedAt) / 1000);
}

/** Produces to explicit partitions; returns `partition:offset` → input. */
async function produceAt(
  kafka: KafkaClient,
  topic: string,
  inputs: HostileInput[],
): Promise<Map<string, HostileInput>> {
  const appended = await produceToPartitions(
    kafka,
    inputs.map(({ partition, key, value, headers }) => ({
      topic,
      partition,
      key,
      value,
      ...(headers !== undefined ? { headers } : {}),
    })),
  );
  const offsets = new Map(appended.map((offset, i) => [`${inputs[i]!.partition}:${offset}`, inputs[i]!]));
  assert.equal(offsets.size, inputs.length);
  return offsets;
}

test('outputs the broker refuses as too large (a topic with a small max.message.bytes) become minimal dead letters', async (t) => {
  const { kafka, topics, env } = await workerTestContext(t, 'refused', 2);
  await withAdmin(kafka, (admin) =>
    createTopics(admin, [{ topic: topics.output, partitions: 2, config: { 'max.message.bytes': '1500' } }]),
  );
  const events = Array.from({ length: 200 }, (_, i) => {
    const id = `r${i}`;
    const padding = i % 4 === 0 ? 'p'.repeat(1_600) : '';
    return {
      id,
      value: Buffer.from(
        JSON.stringify({ id, text: `comment number ${i} on the council budget`, metadata: { padding } }),
      ),
    };
  });
  await produceEvents(
    kafka,
    topics.input,
    events.map((event) => ({ ...event, repeat: false })),
  );
  const worker = await startWorker(env);
  t.after(() => killWorker(worker));
  await worker.waitReady();
  const collector = new OutputCollector(kafka, topics);
  await collector.start();
  t.after(() => collector.stop());
  await collector.waitForIds(
    events.map((event) => event.id),
    180_000,
  );
  assert.equal(worker.child.exitCode, null, 'the worker never exited');
  worker.child.kill('SIGTERM');
  assert.equal((await worker.exited).code, 0);
  await collector.waitCaughtUp();

  const refused = collector.deadLetters as (OutputOf & { id: string })[];
  assert.deepEqual(
    refused.map((dead) => dead.id).sort(),
    events
      .filter((_, i) => i % 4 === 0)
      .map((event) => event.id)
      .sort(),
  );
  for (const dead of refused) {
    assert.equal(dead.reason, 'output_too_large');
    assert.equal(dead.original_base64, '');
    assert.equal(dead.truncated, true);
  }
  const labeledIds = new Set(collector.labeled.map((event) => event.id));
  assert.equal(labeledIds.size, 150);
  console.log(
    `refused: ${refused.length} outputs refused by the broker replaced by dead letters, ${collector.labeled.length} labeled ` +
      `(${collector.labeled.length - labeledIds.size} repeated by the narrowing to one message per request)`,
  );
});
