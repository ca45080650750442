import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { before, test } from 'node:test';
import * as kafkaIo from '@modstream/kafka-io';
import {
  GroupConsumer,
  produceToPartitions,
  readTopic,
  withAdmin,
  type ConsumedRecord,
} from '@modstream/kafka-io';
import {
  createTestKafka,
  createTestTopic,
  deleteTestTopics,
  requireKafka,
  uniqueName,
  waitFor,
} from '@modstream/testkit';

before(async () => {
  await requireKafka();
});

test('kafka-io exports no handle on the underlying client library', () => {
  assert.deepEqual(
    Object.keys(kafkaIo).filter((name) => /kafkajs|raw/i.test(name)),
    [],
  );
  assert.deepEqual(Object.keys(createTestKafka()).sort(), ['brokers', 'clientId']);
});

test('produceToPartitions: every message lands on its partition at the offset it reports', async (t) => {
  const topic = await createTestTopic(3, { prefix: 'kafka-io-produce' });
  t.after(() => deleteTestTopics(topic));
  const kafka = createTestKafka();
  const at = Date.now() - 60_000;
  const messages = Array.from({ length: 30 }, (_, i) => ({
    topic,
    partition: i % 3,
    key: `k${i}`,
    value: i === 7 ? null : Buffer.from(`v${i}`),
    headers: { n: String(i) },
    timestamp: at + i,
  }));
  const offsets = await produceToPartitions(kafka, messages);
  assert.equal(offsets.length, messages.length);

  const read = new Map<string, ConsumedRecord>();
  await readTopic(kafka, topic, {
    onRecord: (record) => void read.set(`${record.partition}:${record.offset}`, record),
  });
  assert.equal(read.size, messages.length);
  messages.forEach((message, i) => {
    const record = read.get(`${message.partition}:${offsets[i]}`);
    assert.equal(record?.key?.toString(), message.key, `message ${i}`);
    assert.equal(record.value?.toString() ?? null, message.value?.toString() ?? null);
    assert.equal(record.headers.n, String(i));
    assert.equal(record.timestamp, message.timestamp);
  });
});

test('GroupConsumer: reads every partition from the beginning through the socket factory, commits on stop', async (t) => {
  const topic = await createTestTopic(2, { prefix: 'kafka-io-group' });
  t.after(() => deleteTestTopics(topic));
  const sockets: Socket[] = [];
  const kafka = createTestKafka({
    socketFactory: ({ host, port, ssl, onConnect }) => {
      assert.equal(ssl, undefined, 'the test listener is plaintext');
      const socket = connect({ host, port }, onConnect);
      sockets.push(socket);
      return socket;
    },
  });
  await kafkaIo.produceMessages(
    kafka,
    Array.from({ length: 40 }, (_, i) => ({
      topic,
      partition: i % 2,
      key: `k${i}`,
      value: Buffer.from(`v${i}`),
    })),
  );

  const groupId = uniqueName('kafka-io-group');
  const values = new Set<string>();
  const crashes: unknown[] = [];
  const consumer = new GroupConsumer(kafka, {
    groupId,
    topics: [topic],
    onRecord: (record) => void values.add(record.value?.toString() ?? ''),
    onCrash: (crash) => crashes.push(crash),
  });
  await consumer.start();
  await waitFor(() => values.size === 40, { timeoutMs: 30_000, message: '40 records' });
  await consumer.stop();
  assert.ok(sockets.length > 0, 'connections opened by the given socket factory');
  assert.deepEqual(crashes, []);

  const [watermarks, committed] = await withAdmin(kafka, async (admin) => [
    await admin.watermarks(topic),
    await admin.committedOffsets(groupId, topic),
  ]);
  assert.deepEqual(
    watermarks.map(({ partition, low, high }) => [partition, low, high]),
    [
      [0, '0', '20'],
      [1, '0', '20'],
    ],
  );
  assert.deepEqual(committed, [
    { partition: 0, offset: '20' },
    { partition: 1, offset: '20' },
  ]);
});
