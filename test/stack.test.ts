import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { openAdmin, withAdmin } from '@modstream/kafka-io';
import {
  consumeUntil,
  createTestKafka,
  createTestRedis,
  createTestSaslKafka,
  createTestTopic,
  countKeysWithPrefix,
  deleteKeysWithPrefix,
  deleteTestTopics,
  produceToTopic,
  requireStack,
  testStackSettings,
  uniqueName,
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
  await produceToTopic(
    kafka,
    topic,
    [...sent].map(([key, value]) => ({ key, value })),
  );

  const groupId = uniqueName('stack-group');
  const received = new Map<string, string>();
  const partitions = new Set<number>();
  let deliveries = 0;
  await consumeUntil(kafka, {
    topics: [topic],
    groupId,
    onRecord: ({ partition, key, value }) => {
      deliveries += 1;
      partitions.add(partition);
      received.set(key?.toString() ?? '', value?.toString() ?? '');
    },
    done: () => received.size >= messageCount,
    timeoutMs: 60_000,
    message: `consuming ${messageCount} messages from ${topic}`,
  });

  assert.equal(received.size, messageCount);
  assert.deepEqual(received, sent);
  assert.ok(deliveries >= messageCount);
  assert.deepEqual([...partitions].sort(), [0, 1, 2]);

  const committed = await withAdmin(kafka, (admin) => admin.committedOffsets(groupId, topic));
  const total = committed.reduce((sum, p) => sum + Number(p.offset), 0);
  assert.equal(total, messageCount, 'the group committed every consumed offset');
});

test('Kafka: the SASL listener accepts SCRAM-SHA-256/512 for the stack user and rejects a wrong password', async () => {
  for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
    const cluster = await withAdmin(createTestSaslKafka(mechanism), (admin) => admin.describeCluster());
    assert.equal(cluster.brokers.length, 1, mechanism);
  }
  const settings = testStackSettings();
  const intruder = createTestKafka({
    brokers: settings.kafkaSaslBrokers,
    sasl: { mechanism: 'scram-sha-256', username: settings.kafkaSasl.username, password: 'wrong' },
    retries: 0,
  });
  await assert.rejects(openAdmin(intruder), /authentication failed/i);
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
