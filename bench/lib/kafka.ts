import {
  OutputProducer,
  createKafkaClient,
  createTopics,
  openAdmin,
  topicMessageCount,
  withAdmin,
  type KafkaClient,
  type OutboundMessage,
} from '@modstream/kafka-io';
import { consumeUntil, testStackSettings, uniqueName, waitFor } from '@modstream/testkit';

export const brokers = (process.env.BENCH_KAFKA_BROKERS ?? testStackSettings().kafkaBrokers.join(','))
  .split(',')
  .filter((broker) => broker !== '');
export const redisUrl = process.env.BENCH_REDIS_URL ?? testStackSettings().redisUrl;

export function benchKafka(): KafkaClient {
  return createKafkaClient({ brokers, clientId: uniqueName('modstream-bench') });
}

export async function ensureTopics(kafka: KafkaClient, topics: string[], partitions: number): Promise<void> {
  await withAdmin(kafka, (admin) =>
    createTopics(
      admin,
      topics.map((topic) => ({ topic, partitions })),
    ),
  );
}

/** Messages currently in a topic (sum over partitions of high − low watermark). */
export async function topicCount(kafka: KafkaClient, topic: string): Promise<number> {
  return withAdmin(kafka, (admin) => topicMessageCount(admin, topic));
}

export async function waitForCount(
  kafka: KafkaClient,
  topic: string,
  count: number,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const admin = await openAdmin(kafka);
  try {
    await waitFor(
      async () => {
        if (!isAlive()) throw new Error('the process under test exited');
        return (await topicMessageCount(admin, topic)) >= count;
      },
      { timeoutMs, intervalMs: 250, message: `${count} messages in ${topic}` },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Writes the messages in acknowledged chunks (acks=-1), as fast as the broker takes them. */
export async function produceAll(kafka: KafkaClient, messages: readonly OutboundMessage[]): Promise<number> {
  const producer = new OutputProducer(kafka);
  await producer.connect();
  const start = performance.now();
  try {
    for (let i = 0; i < messages.length; i += 1_000) await producer.send(messages.slice(i, i + 1_000));
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - start) / 1000;
}

export interface PacedRun {
  /** Send time (ms since the epoch) of every message, by key. */
  sentAt: Map<string, number>;
  offeredPerSec: number;
  sentPerSec: number;
  seconds: number;
}

/** Sends `make(i)` at `ratePerSec` for `seconds`, in small acknowledged batches on a 5 ms schedule. */
export async function producePaced(
  kafka: KafkaClient,
  ratePerSec: number,
  seconds: number,
  make: (i: number) => OutboundMessage & { key: string },
): Promise<PacedRun> {
  const producer = new OutputProducer(kafka);
  await producer.connect();
  const sentAt = new Map<string, number>();
  const start = performance.now();
  let sent = 0;
  try {
    for (;;) {
      const elapsed = (performance.now() - start) / 1000;
      if (elapsed >= seconds) break;
      const due = Math.floor(ratePerSec * elapsed) - sent;
      if (due <= 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      const batch = Array.from({ length: Math.min(due, 500) }, (_, j) => make(sent + j));
      const now = Date.now();
      for (const message of batch) sentAt.set(message.key, now);
      await producer.send(batch);
      sent += batch.length;
    }
  } finally {
    await producer.disconnect();
  }
  const seconds_ = (performance.now() - start) / 1000;
  return { sentAt, offeredPerSec: ratePerSec, sentPerSec: sent / seconds_, seconds: seconds_ };
}

export interface OutputRecord {
  key: string;
  timestamp: number;
  bytes: number;
}

/** Reads the first `count` messages of a topic from the beginning (key, broker timestamp, value size). */
export async function readOutputs(
  kafka: KafkaClient,
  topic: string,
  count: number,
  timeoutMs = 120_000,
): Promise<OutputRecord[]> {
  const records: OutputRecord[] = [];
  await consumeUntil(kafka, {
    topics: [topic],
    groupId: uniqueName('bench-reader'),
    maxBytes: 16 * 1024 * 1024,
    onRecord: ({ key, timestamp, value }) =>
      void records.push({ key: key?.toString() ?? '', timestamp, bytes: value?.length ?? 0 }),
    done: () => records.length >= count,
    timeoutMs,
    intervalMs: 100,
    message: `reading ${count} messages of ${topic}`,
  });
  return records;
}
