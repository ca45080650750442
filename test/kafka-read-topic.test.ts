import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { before, test } from 'node:test';
import {
  createKafkaClient,
  KafkaConnectError,
  readTopic,
  withAdmin,
  TopicNotFoundError,
  type ConsumedRecord,
} from '@modstream/kafka-io';
import {
  createTestKafka,
  createTestTopic,
  deleteTestTopics,
  produceToTopic,
  requireKafka,
  uniqueName,
} from '@modstream/testkit';

before(async () => {
  await requireKafka();
});

const HOUR = 3_600_000;

test('readTopic: the whole topic to the end offsets it had at the start, from the beginning or `since`', async (t) => {
  const topic = await createTestTopic(3, { prefix: 'read-topic' });
  t.after(() => deleteTestTopics(topic));
  const kafka = createTestKafka();

  // 30 messages two hours old, then 30 new ones; partition 2 gets only old ones.
  const old = Date.now() - 2 * HOUR;
  const message = (i: number, timestamp: number, partition: number) => ({
    key: `k${i}`,
    value: `v${i}`,
    partition,
    timestamp,
    headers: { n: String(i) },
  });
  await produceToTopic(
    kafka,
    topic,
    Array.from({ length: 30 }, (_, i) => message(i, old + i, i % 3)),
  );
  await produceToTopic(
    kafka,
    topic,
    Array.from({ length: 30 }, (_, i) => message(30 + i, Date.now(), i % 2)),
  );

  const groupIdPrefix = uniqueName('read-topic-group');
  const all: ConsumedRecord[] = [];
  let extraSent = false;
  const whole = await readTopic(kafka, topic, {
    groupIdPrefix,
    onRecord: async (record) => {
      all.push(record);
      if (!extraSent) {
        // Written after the read started: past the end offsets, so never read.
        extraSent = true;
        await produceToTopic(
          kafka,
          topic,
          [0, 1, 2].map((p) => message(999, p === 2 ? old : Date.now(), p)),
        );
      }
    },
  });
  assert.equal(whole.records, 60);
  assert.deepEqual(
    whole.partitions.map((p) => [p.partition, p.start, p.end]),
    [
      [0, '0', '25'],
      [1, '0', '25'],
      [2, '0', '10'],
    ],
  );
  assert.deepEqual(all.map((r) => r.value?.toString()).sort(), [
    ...Array.from({ length: 60 }, (_, i) => `v${i}`).sort(),
  ]);
  const first = all.find((r) => r.key?.toString() === 'k4')!;
  assert.equal(first.topic, topic);
  assert.equal(first.partition, 1);
  assert.equal(first.headers.n, '4');
  assert.equal(first.timestamp, old + 4);
  for (const partition of [0, 1, 2]) {
    const offsets = all.filter((r) => r.partition === partition).map((r) => Number(r.offset));
    assert.deepEqual(
      offsets,
      offsets.map((_, i) => i),
      `partition ${partition} in offset order, once each`,
    );
  }

  // `since` one hour ago: only the new messages, now including the extra ones of partitions 0 and 1 (the
  // extra one of partition 2 is two hours old, so partition 2 starts and ends at its end).
  const recent: string[] = [];
  const sinceResult = await readTopic(kafka, topic, {
    since: new Date(Date.now() - HOUR),
    groupIdPrefix,
    onRecord: (record) => void recent.push(record.value?.toString() ?? ''),
  });
  assert.deepEqual(
    recent.sort(),
    [...Array.from({ length: 30 }, (_, i) => `v${30 + i}`), 'v999', 'v999'].sort(),
  );
  assert.deepEqual(
    sinceResult.partitions.map((p) => [p.partition, p.start, p.end]),
    [
      [0, '10', '26'],
      [1, '10', '26'],
      [2, '11', '11'],
    ],
  );

  // `since` in the future: nothing to read, and no consumer needed.
  const future = await readTopic(kafka, topic, {
    since: new Date(Date.now() + HOUR),
    onRecord: () => assert.fail('no record expected'),
  });
  assert.equal(future.records, 0);

  const groups = await withAdmin(kafka, (admin) => admin.listGroups());
  assert.deepEqual(
    groups.filter((groupId) => groupId.startsWith(groupIdPrefix)),
    [],
    'the throwaway consumer groups are deleted',
  );
});

test('readTopic: an empty topic finishes at once; a missing topic and an unreachable broker are errors', async (t) => {
  const topic = await createTestTopic(2, { prefix: 'read-empty' });
  t.after(() => deleteTestTopics(topic));
  const kafka = createTestKafka();
  const empty = await readTopic(kafka, topic, { onRecord: () => assert.fail('no record expected') });
  assert.deepEqual(empty, {
    topic,
    records: 0,
    partitions: [
      { partition: 0, start: '0', end: '0' },
      { partition: 1, start: '0', end: '0' },
    ],
  });

  await assert.rejects(
    readTopic(kafka, uniqueName('read-missing'), { onRecord: () => undefined }),
    (error) => error instanceof TopicNotFoundError,
  );

  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  const nowhere = createKafkaClient({
    brokers: [`127.0.0.1:${port}`],
    retries: 0,
    connectionTimeoutMs: 1_000,
  });
  await assert.rejects(
    readTopic(nowhere, topic, { onRecord: () => undefined }),
    (error) => error instanceof KafkaConnectError,
  );
});
