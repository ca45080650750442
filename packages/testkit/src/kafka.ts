import {
  createKafkaClient,
  createTopics,
  deleteTopics,
  GroupConsumer,
  produceMessages,
  withAdmin,
  type ConsumedRecord,
  type KafkaClient,
  type KafkaClientOptions,
  type SaslMechanism,
} from '@modstream/kafka-io';
import { testStackSettings } from './settings.js';
import { uniqueName } from './unique-name.js';
import { waitFor } from './wait-for.js';

export type TestKafkaOptions = Partial<KafkaClientOptions>;

/** A Kafka client for the test broker (PLAINTEXT listener unless overridden). */
export function createTestKafka(options: TestKafkaOptions = {}): KafkaClient {
  return createKafkaClient({
    brokers: testStackSettings().kafkaBrokers,
    clientId: uniqueName('modstream-test'),
    ...options,
  });
}

/** A Kafka client for the test broker's SASL_PLAINTEXT listener, authenticated with SCRAM. */
export function createTestSaslKafka(
  mechanism: SaslMechanism = 'scram-sha-256',
  options: TestKafkaOptions = {},
): KafkaClient {
  const settings = testStackSettings();
  return createTestKafka({
    brokers: settings.kafkaSaslBrokers,
    sasl: { mechanism, ...settings.kafkaSasl },
    ...options,
  });
}

export interface TestTopicOptions {
  prefix?: string;
  timeoutMs?: number;
}

/** Creates a topic with a unique name, waits for its partition leaders and returns the name. */
export async function createTestTopic(partitions = 1, options: TestTopicOptions = {}): Promise<string> {
  const topic = uniqueName(options.prefix ?? 'test');
  await withAdmin(createTestKafka(), (admin) =>
    createTopics(admin, [{ topic, partitions }], { timeoutMs: options.timeoutMs ?? 30_000 }),
  );
  return topic;
}

export async function deleteTestTopics(...topics: string[]): Promise<void> {
  await withAdmin(createTestKafka(), (admin) => deleteTopics(admin, topics));
}

export interface TestMessage {
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
  /** The partition to write to; chosen from the key when absent. */
  partition?: number;
  /** Milliseconds since the epoch; the producer's clock when absent. */
  timestamp?: number;
}

/** Writes the messages to `topic` in order; resolves once every in-sync replica acknowledged them. */
export async function produceToTopic(
  kafka: KafkaClient,
  topic: string,
  messages: readonly TestMessage[],
): Promise<void> {
  await produceMessages(
    kafka,
    messages.map(({ key, value, headers, partition, timestamp }) => ({
      topic,
      key: key ?? null,
      value: Buffer.isBuffer(value) ? value : Buffer.from(value),
      ...(headers !== undefined ? { headers } : {}),
      ...(partition !== undefined ? { partition } : {}),
      ...(timestamp !== undefined ? { timestamp } : {}),
    })),
  );
}

/** Produces each comment as JSON, keyed by its id. */
export async function produceJsonComments(
  kafka: KafkaClient,
  topic: string,
  comments: readonly ({ id: string } & Record<string, unknown>)[],
): Promise<void> {
  await produceToTopic(
    kafka,
    topic,
    comments.map((comment) => ({ key: comment.id, value: JSON.stringify(comment) })),
  );
}

export interface ConsumeUntilOptions {
  topics: string[];
  /** A unique group by default. */
  groupId?: string;
  maxBytes?: number;
  onRecord(record: ConsumedRecord): void;
  /** Checked every `intervalMs`; the group is left once it holds. */
  done(): boolean;
  timeoutMs: number;
  intervalMs?: number;
  /** What was awaited, for the timeout error. */
  message: string;
}

/**
 * Reads the topics from the beginning as a member of a consumer group (committing what it read) until
 * `done()` holds, then leaves the group.
 */
export async function consumeUntil(kafka: KafkaClient, options: ConsumeUntilOptions): Promise<void> {
  const consumer = new GroupConsumer(kafka, {
    groupId: options.groupId ?? uniqueName('test-reader'),
    topics: options.topics,
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    onRecord: options.onRecord,
  });
  try {
    await consumer.start();
    await waitFor(options.done, {
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 50,
      message: options.message,
    });
  } finally {
    await consumer.stop();
  }
}

/** The first `count` records a new consumer group reads from `topic` (every partition from its beginning). */
export async function readRecords(
  kafka: KafkaClient,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  await consumeUntil(kafka, {
    topics: [topic],
    onRecord: (record) => void records.push(record),
    done: () => records.length >= count,
    timeoutMs,
    message: `${count} messages of ${topic}`,
  });
  return records;
}
