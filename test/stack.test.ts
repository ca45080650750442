import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  createTestKafka,
  createTestRedis,
  createTestSaslKafka,
  createTestTopic,
  countKeysWithPrefix,
  deleteKeysWithPrefix,
  deleteTestTopics,
  requireStack,
  testStackSettings,
  uniqueName,
  waitFor,
} from '@modstream/testkit';

const messageCount = 1_000;

before(async () => {
  await requireStack();
});

test('Kafka: 1,000 keyed messages on a 3-partition topic all reach a consumer group', async (t) => {
  const topic = await createTestTopic(3, { prefix: 'stack' });
  t.after(() => deleteTestTopics(topic));
  const kafka = createTestKafka();

  const sent = new Map<string, string>();
  for (let i = 0; i < messageCount; i += 1) sent.set(`key-${i}`, `value-${i}`);
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [...sent].map(([key, value]) => ({ key, value })),
    });
  } finally {
    await producer.disconnect();
  }

  const groupId = uniqueName('stack-group');
  const received = new Map<string, string>();
  const partitions = new Set<number>();
  let deliveries = 0;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        deliveries += 1;
        partitions.add(partition);
        received.set(message.key?.toString() ?? '', message.value?.toString() ?? '');
      },
    });
    await waitFor(() => received.size >= messageCount, {
      timeoutMs: 60_000,
      message: `consuming ${messageCount} messages from ${topic}`,
    });
  } finally {
    await consumer.disconnect();
  }

  assert.equal(received.size, messageCount);
  assert.deepEqual(received, sent);
  assert.ok(deliveries >= messageCount);
  assert.deepEqual([...partitions].sort(), [0, 1, 2]);

  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = (committed?.partitions ?? []).reduce((sum, p) => sum + Number(p.offset), 0);
    assert.equal(total, messageCount, 'the group committed every consumed offset');
  } finally {
    await admin.disconnect();
  }
});

test('Kafka: the SASL listener accepts SCRAM-SHA-256/512 for the stack user and rejects a wrong password', async () => {
  for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
    const admin = createTestSaslKafka(mechanism).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      assert.equal(cluster.brokers.length, 1, mechanism);
    } finally {
      await admin.disconnect();
    }
  }
  const settings = testStackSettings();
  const intruder = createTestKafka({
    brokers: settings.kafkaSaslBrokers,
    sasl: { mechanism: 'scram-sha-256', username: settings.kafkaSasl.username, password: 'wrong' },
    retries: 0,
  }).admin();
  await assert.rejects(intruder.connect(), /authentication failed/i);
  await intruder.disconnect();
});

test('Redis: keys written under a unique prefix read back and are cleaned up', async (t) => {
  const redis = createTestRedis();
  const prefix = `${uniqueName('stack-test')}:`;
  t.after(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  const entries = Array.from({ length: 100 }, (_, i) => [`${prefix}${i}`, `value-${i}`] as const);
  await redis.mset(...entries.flat());
  const values = await redis.mget(...entries.map(([key]) => key));
  assert.deepEqual(
    values,
    entries.map(([, value]) => value),
  );
  await redis.set(`${prefix}ttl`, 'x', 'EX', 60);
  const ttl = await redis.ttl(`${prefix}ttl`);
  assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);

  assert.equal(await countKeysWithPrefix(redis, prefix), entries.length + 1);
  assert.equal(await deleteKeysWithPrefix(redis, prefix), entries.length + 1);
  assert.equal(await countKeysWithPrefix(redis, prefix), 0);
  assert.equal((await redis.mget(...entries.map(([key]) => key))).filter((v) => v !== null).length, 0);
});

test('Redis: the password-protected instance refuses anonymous commands and accepts the stack password', async (t) => {
  const settings = testStackSettings();
  const authed = createTestRedis(settings.redisAuthUrl);
  t.after(() => authed.quit());
  assert.equal(await authed.ping(), 'PONG');

  const anonymousUrl = settings.redisAuthUrl.replace(/\/\/[^@/]*@/, '//');
  const anonymous = createTestRedis(anonymousUrl, { maxRetriesPerRequest: 0 });
  anonymous.on('error', () => undefined);
  t.after(() => anonymous.disconnect());
  await assert.rejects(anonymous.ping(), /NOAUTH/);
});
