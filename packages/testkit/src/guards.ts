import { Redis } from 'ioredis';
import { createKafkaClient, withAdmin } from '@modstream/kafka-io';
import { testStackSettings } from './settings.js';

export class StackUnavailableError extends Error {
  override readonly name = 'StackUnavailableError';
}

const hint = 'Start the local stack with `pnpm stack up` (logs in .stack/logs/).';

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\.+$/, '');
}

/** Throws StackUnavailableError unless the test broker answers a metadata request. */
export async function requireKafka(brokers: string[] = testStackSettings().kafkaBrokers): Promise<void> {
  const client = createKafkaClient({
    brokers,
    clientId: 'modstream-testkit-guard',
    connectionTimeoutMs: 2_000,
    requestTimeoutMs: 5_000,
    retries: 1,
  });
  try {
    await withAdmin(client, (admin) => admin.describeCluster());
  } catch (error) {
    throw new StackUnavailableError(
      `Kafka is not reachable at ${brokers.join(',')}: ${reason(error)}. ${hint}`,
      { cause: error },
    );
  }
}

/** Throws StackUnavailableError unless the test Redis answers PING. */
export async function requireRedis(url: string = testStackSettings().redisUrl): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Connection errors surface through connect()/ping() below; this stops ioredis reporting them twice.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const reply = await redis.ping();
    if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
  } catch (error) {
    throw new StackUnavailableError(
      `Redis is not reachable at ${redactUrl(url)}: ${reason(error)}. ${hint}`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}

/** Throws StackUnavailableError unless both Kafka and Redis answer; reports both problems at once. */
export async function requireStack(): Promise<void> {
  const results = await Promise.allSettled([requireKafka(), requireRedis()]);
  const problems = results.flatMap((result) => (result.status === 'rejected' ? [reason(result.reason)] : []));
  if (problems.length > 0) throw new StackUnavailableError(problems.join('\n'));
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
