// Smoke flow for scripts/demo.sh: proves the local stack works end to end. It does not classify anything.
import {
  consumeUntil,
  createTestKafka,
  createTestRedis,
  createTestTopic,
  deleteKeysWithPrefix,
  deleteTestTopics,
  produceToTopic,
  requireStack,
  uniqueName,
} from '@modstream/testkit';

const count = 10;

async function kafkaRoundTrip(): Promise<void> {
  const topic = await createTestTopic(3, { prefix: 'smoke' });
  console.log(`kafka: created topic ${topic} with 3 partitions`);
  const kafka = createTestKafka();
  await produceToTopic(
    kafka,
    topic,
    Array.from({ length: count }, (_, i) => ({ key: `key-${i}`, value: `message ${i}` })),
  );
  console.log(`kafka: produced ${count} keyed messages`);

  const seen = new Map<number, number>();
  let received = 0;
  await consumeUntil(kafka, {
    topics: [topic],
    groupId: uniqueName('smoke'),
    onRecord: ({ partition }) => {
      received += 1;
      seen.set(partition, (seen.get(partition) ?? 0) + 1);
    },
    done: () => received >= count,
    timeoutMs: 30_000,
    message: 'consuming the smoke messages',
  });
  const perPartition = [...seen].sort(([a], [b]) => a - b).map(([p, n]) => `p${p}=${n}`);
  console.log(`kafka: consumed ${received} messages through a consumer group (${perPartition.join(' ')})`);
  await deleteTestTopics(topic);
  console.log(`kafka: deleted topic ${topic}`);
}

async function redisRoundTrip(): Promise<void> {
  const redis = createTestRedis();
  const prefix = `${uniqueName('smoke')}:`;
  try {
    await redis.set(`${prefix}hello`, 'world', 'EX', 60);
    const value = await redis.get(`${prefix}hello`);
    if (value !== 'world') throw new Error(`redis: read back ${String(value)}, expected "world"`);
    console.log(`redis: wrote and read back ${prefix}hello`);
    console.log(`redis: removed ${await deleteKeysWithPrefix(redis, prefix)} key(s)`);
  } finally {
    await redis.quit();
  }
}

await requireStack();
await kafkaRoundTrip();
await redisRoundTrip();
console.log('smoke flow passed (the moderation worker is not part of this demo yet)');
