/** The Kafka-side limit: consume → produce the same bytes, no processing, with the worker's settings. */
import { runKafkaService, serviceEnv } from './lib/kafka-service.js';

const env = serviceEnv();
await runKafkaService(env, async (records) =>
  records.map((record) => ({ topic: env.output, key: record.key, value: record.value ?? Buffer.alloc(0) })),
);
