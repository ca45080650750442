import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { before, test } from 'node:test';
import {
  createKafkaClient,
  deleteRecordsBefore,
  KafkaConnectError,
  readRecordsAt,
  recordAddress,
  RecordReader,
  withAdmin,
  type RecordAt,
} from '@modstream/kafka-io';
import {
  createTestKafka,
  createTestTopic,
  deleteTestTopics,
  produceToTopic,
  requireKafka,
} from '@modstream/testkit';

before(async () => {
  await requireKafka();
});

const valueAt = (at: RecordAt | undefined) => (at?.found ? at.record.value?.toString() : at?.reason);

test('readRecordsAt: the records at given offsets; deleted, past the end and missing partitions say so', async (t) => {
  const topic = await createTestTopic(2, { prefix: 'records-at' });
  t.after(() => deleteTestTopics(topic));
  const kafka = createTestKafka();

  // Three produce requests: three record batches in partition 0 (offsets 0–3, 4–7, 8–9).
  const batch = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({
      key: `k${from + i}`,
      value: `v${from + i}`,
      partition: 0,
      headers: { n: String(from + i) },
    }));
  await produceToTopic(kafka, topic, batch(0, 4));
  await produceToTopic(kafka, topic, batch(4, 8));
  await produceToTopic(kafka, topic, batch(8, 10));
  await produceToTopic(kafka, topic, [{ key: 'p1', value: 'p1-0', partition: 1 }]);

  const read = await readRecordsAt(kafka, topic, 0, ['9', '0', '5', '5', '10', '123']);
  assert.deepEqual([...read.keys()], ['9', '0', '5', '10', '123']);
  assert.equal(valueAt(read.get('0')), 'v0');
  assert.equal(valueAt(read.get('5')), 'v5');
  assert.equal(valueAt(read.get('9')), 'v9');
  assert.equal(valueAt(read.get('10')), 'not_in_log', 'the high watermark');
  assert.equal(valueAt(read.get('123')), 'not_in_log');
  const record = read.get('5');
  assert.ok(record?.found);
  assert.equal(record.record.key?.toString(), 'k5');
  assert.deepEqual(record.record.headers, { n: '5' });
  assert.equal(record.record.offset, '5');
  assert.equal(record.record.partition, 0);
  assert.ok(record.record.timestamp > Date.now() - 60_000);

  // Offsets 0–5 deleted (the log start offset moves to 6, as retention would move it).
  await withAdmin(kafka, (admin) => deleteRecordsBefore(admin, topic, [{ partition: 0, offset: '6' }]));
  const reader = new RecordReader(kafka, { maxBytesPerFetch: 1 });
  try {
    await readAfterDeletion(reader, topic);
  } finally {
    await reader.close();
  }
});

async function readAfterDeletion(reader: RecordReader, topic: string): Promise<void> {
  const after = await reader.read([
    { topic, partition: 0, offsets: ['2', '5', '6', '8', '9'] },
    { topic, partition: 1, offsets: ['0'] },
    { topic, partition: 7, offsets: ['0'] },
    { topic: `${topic}-missing`, partition: 0, offsets: ['0'] },
  ]);
  const at = (partition: number, offset: string, name = topic) =>
    valueAt(after.get(recordAddress(name, partition, offset)));
  assert.equal(at(0, '2'), 'deleted');
  assert.equal(at(0, '5'), 'deleted');
  // maxBytesPerFetch 1: every fetch returns one record batch, so 6, 8 and 9 take two fetches of two batches.
  assert.equal(at(0, '6'), 'v6');
  assert.equal(at(0, '8'), 'v8');
  assert.equal(at(0, '9'), 'v9');
  assert.equal(at(1, '0'), 'p1-0');
  assert.equal(at(7, '0'), 'no_partition');
  assert.equal(at(0, '0', `${topic}-missing`), 'no_partition');
  assert.equal(after.size, 8);

  // The reader keeps its connection for the next read.
  const again = await reader.read([{ topic, partition: 0, offsets: ['7'] }]);
  assert.equal(valueAt(again.get(recordAddress(topic, 0, '7'))), 'v7');
}

test('readRecordsAt: an offset that is not a decimal string is refused; an unreachable broker is a KafkaConnectError', async () => {
  await assert.rejects(readRecordsAt(createTestKafka(), 'any', 0, ['-1']), RangeError);

  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    const client = createKafkaClient({
      brokers: [`127.0.0.1:${port}`],
      connectionTimeoutMs: 500,
      retries: 0,
    });
    await assert.rejects(readRecordsAt(client, 'any', 0, ['0']), KafkaConnectError);
  } finally {
    server.close();
  }
});
