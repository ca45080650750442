import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ConsumeLoop, openAdmin, OutputProducer, type ConsumedRecord } from '@modstream/kafka-io';
import {
  consumeUntil,
  createTestKafka,
  createTestTopic,
  deleteTestTopics,
  produceToTopic,
  requireKafka,
  uniqueName,
  waitFor,
} from '@modstream/testkit';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

before(async () => {
  await requireKafka();
});

test('consume loop: every input gets its output; a stop mid-stream and a restart lose nothing', async (t) => {
  const [input, output] = [
    await createTestTopic(3, { prefix: 'loop-in' }),
    await createTestTopic(1, { prefix: 'loop-out' }),
  ];
  t.after(() => deleteTestTopics(input, output));
  const kafka = createTestKafka();
  const groupId = uniqueName('loop-group');
  const total = 3_000;

  const admin = await openAdmin(kafka);
  t.after(() => admin.disconnect());
  await produceToTopic(
    kafka,
    input,
    Array.from({ length: total }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  );

  const producer = new OutputProducer(kafka);
  await producer.connect();
  t.after(() => producer.disconnect());
  const handled: number[] = [];
  const startLoop = () => {
    const loop = new ConsumeLoop({
      client: kafka,
      groupId,
      topic: input,
      producer,
      chunkSize: 50,
      logger: silent,
      handle: (records: ConsumedRecord[]) => {
        handled.push(records.length);
        return records.map(async (r) => {
          await new Promise((resolve) => setImmediate(resolve));
          return [{ topic: output, key: r.key, value: Buffer.from(`out:${r.value?.toString()}`) }];
        });
      },
    });
    return loop;
  };

  const first = startLoop();
  await first.start();
  await waitFor(() => handled.reduce((a, b) => a + b, 0) >= total / 3, {
    timeoutMs: 30_000,
    message: 'first third',
  });
  await first.stop();
  const second = startLoop();
  await second.start();
  t.after(() => second.stop());

  const committedEnd = async () => {
    const offsets = await admin.committedOffsets(groupId, input);
    const ends = await admin.watermarks(input);
    return ends.every((end) => offsets.find((p) => p.partition === end.partition)?.offset === end.high);
  };
  await waitFor(committedEnd, { timeoutMs: 60_000, message: 'offsets committed up to the end' });

  const outputEnd = Number((await admin.watermarks(output))[0]?.high);
  const values = new Set<string>();
  let read = 0;
  await consumeUntil(kafka, {
    topics: [output],
    groupId: uniqueName('loop-reader'),
    onRecord: ({ value }) => {
      read++;
      values.add(value?.toString() ?? '');
    },
    done: () => read >= outputEnd,
    timeoutMs: 30_000,
    message: 'read all outputs',
  });

  const missing = Array.from({ length: total }, (_, i) => `out:v${i}`).filter((v) => !values.has(v));
  assert.deepEqual(missing, []);
  console.log(
    `consume loop: ${total} inputs, ${outputEnd} outputs, ${outputEnd - total} duplicates after stop/restart`,
  );
});

test('consume loop: a chunk slower than the session timeout does not cost the group membership', async (t) => {
  const [input, output] = [
    await createTestTopic(1, { prefix: 'slow-in' }),
    await createTestTopic(1, { prefix: 'slow-out' }),
  ];
  t.after(() => deleteTestTopics(input, output));
  const kafka = createTestKafka();
  await produceToTopic(
    kafka,
    input,
    Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  );

  const producer = new OutputProducer(kafka);
  await producer.connect();
  t.after(() => producer.disconnect());
  const joins: unknown[] = [];
  const errors: unknown[] = [];
  let handled = 0;
  const sessionTimeoutMs = 6_000;
  const loop = new ConsumeLoop({
    client: kafka,
    groupId: uniqueName('slow-group'),
    topic: input,
    producer,
    sessionTimeoutMs,
    heartbeatIntervalMs: 500,
    logger: {
      info: (_fields, message) => message === 'joined consumer group' && joins.push(message),
      warn: () => undefined,
      error: (fields) => errors.push(fields),
    },
    handle: (records) => {
      const chunk = (async () => {
        // Simulated inference longer than the session timeout.
        if (handled === 0) await new Promise((resolve) => setTimeout(resolve, sessionTimeoutMs + 3_000));
        handled += records.length;
      })();
      return records.map(async (r) => {
        await chunk;
        return [{ topic: output, key: r.key, value: r.value ?? Buffer.alloc(0) }];
      });
    },
  });
  await loop.start();
  t.after(() => loop.stop());
  await waitFor(() => handled >= 20, { timeoutMs: 60_000, message: 'all 20 handled' });
  assert.equal(joins.length, 1, 'joined once: never evicted');
  assert.deepEqual(errors, []);
  assert.equal(handled, 20, 'no redelivery');
});

test('consume loop: a chunk whose handling fails transiently is retried with backoff, never skipped, and the loop lives on', async (t) => {
  const [input, output] = [
    await createTestTopic(2, { prefix: 'loop-retry-in' }),
    await createTestTopic(1, { prefix: 'loop-retry-out' }),
  ];
  t.after(() => deleteTestTopics(input, output));
  const kafka = createTestKafka();
  const total = 400;
  await produceToTopic(
    kafka,
    input,
    Array.from({ length: total }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  );

  const producer = new OutputProducer(kafka);
  await producer.connect();
  t.after(() => producer.disconnect());
  const failuresLeft = new Map([['v7', 3]]);
  const retries: string[] = [];
  const published = new Set<string>();
  const loop = new ConsumeLoop({
    client: kafka,
    groupId: uniqueName('loop-retry-group'),
    topic: input,
    producer,
    chunkSize: 25,
    logger: silent,
    retryBackoff: { initialMs: 50, maxMs: 200 },
    onRetry: (step, attempt) => retries.push(`${step}:${attempt}`),
    onFatal: (error) => assert.fail(`the consumer died: ${error.message}`),
    handle: (records: ConsumedRecord[]) =>
      records.map(async (record) => {
        const left = failuresLeft.get(record.value?.toString() ?? '') ?? 0;
        if (left > 0) {
          failuresLeft.set(record.value!.toString(), left - 1);
          throw new Error('model session unavailable');
        }
        published.add(record.value!.toString());
        return [{ topic: output, key: record.key, value: Buffer.from(`out:${record.value?.toString()}`) }];
      }),
  });
  await loop.start();
  t.after(() => loop.stop());
  await waitFor(() => published.size === total, { timeoutMs: 60_000, message: `${total} records published` });
  assert.deepEqual(retries, ['handle:1', 'handle:2', 'handle:3']);
  assert.ok(published.has('v7'), 'the failing record was retried, not skipped');
  assert.ok(loop.joined, 'the consumer is still in its group');
});
