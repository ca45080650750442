import { createKafkaClient, createTopics, deleteTopics, withAdmin } from '@modstream/kafka-io';
import type { KafkaClient, KafkaClientOptions, SaslMechanism } from '@modstream/kafka-io';
import { testStackSettings } from './settings.js';
import { uniqueName } from './unique-name.js';

export type TestKafkaOptions = Partial<KafkaClientOptions>;

/** A kafkajs client for the test broker (PLAINTEXT listener unless overridden). */
export function createTestKafka(options: TestKafkaOptions = {}): KafkaClient {
  return createKafkaClient({
    brokers: testStackSettings().kafkaBrokers,
    clientId: uniqueName('modstream-test'),
    ...options,
  });
}

/** A kafkajs client for the test broker's SASL_PLAINTEXT listener, authenticated with SCRAM. */
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
