import type { KafkaSaslOptions } from '@modstream/kafka-io';

/** Where tests find Kafka and Redis: the `pnpm stack up` defaults, overridable by env. */
export interface TestStackSettings {
  kafkaBrokers: string[];
  kafkaSaslBrokers: string[];
  kafkaSasl: Omit<KafkaSaslOptions, 'mechanism'>;
  redisUrl: string;
  redisAuthUrl: string;
}

export const stackDefaults: TestStackSettings = {
  kafkaBrokers: ['127.0.0.1:19092'],
  kafkaSaslBrokers: ['127.0.0.1:19094'],
  kafkaSasl: { username: 'modstream', password: 'modstream-secret' },
  redisUrl: 'redis://127.0.0.1:16379',
  redisAuthUrl: 'redis://:modstream-secret@127.0.0.1:16380',
};

function brokerList(value: string | undefined, fallback: string[]): string[] {
  const brokers = (value ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  return brokers.length > 0 ? brokers : fallback;
}

function nonEmpty(value: string | undefined, fallback: string): string {
  return value !== undefined && value.trim() !== '' ? value.trim() : fallback;
}

export function testStackSettings(env: NodeJS.ProcessEnv = process.env): TestStackSettings {
  return {
    kafkaBrokers: brokerList(env.MODSTREAM_TEST_KAFKA_BROKERS, stackDefaults.kafkaBrokers),
    kafkaSaslBrokers: brokerList(env.MODSTREAM_TEST_KAFKA_SASL_BROKERS, stackDefaults.kafkaSaslBrokers),
    kafkaSasl: stackDefaults.kafkaSasl,
    redisUrl: nonEmpty(env.MODSTREAM_TEST_REDIS_URL, stackDefaults.redisUrl),
    redisAuthUrl: nonEmpty(env.MODSTREAM_TEST_REDIS_AUTH_URL, stackDefaults.redisAuthUrl),
  };
}
