import {
  ConsumeLoop,
  OutputProducer,
  createKafkaClient,
  type ConsumedRecord,
  type OutboundMessage,
} from '@modstream/kafka-io';
import { brokers } from './kafka.js';

/** Settings the driver hands to the pass-through and naive workers; the same defaults as the worker's. */
export interface ServiceEnv {
  groupId: string;
  input: string;
  output: string;
  chunkSize: number;
  partitionsConcurrently: number;
}

export function serviceEnv(): ServiceEnv {
  const get = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`${name} is required`);
    return value;
  };
  return {
    groupId: get('BENCH_GROUP_ID'),
    input: get('BENCH_INPUT_TOPIC'),
    output: get('BENCH_OUTPUT_TOPIC'),
    chunkSize: Number(process.env.BENCH_CHUNK_SIZE ?? 256),
    partitionsConcurrently: Number(process.env.BENCH_PARTITIONS_CONCURRENTLY ?? 4),
  };
}

const logger = {
  info: () => undefined,
  warn: (fields: object, message: string) =>
    console.error(JSON.stringify({ level: 'warn', msg: message, ...fields })),
  error: (fields: object, message: string) =>
    console.error(JSON.stringify({ level: 'error', msg: message, ...fields })),
};

/**
 * A consume → handle → produce service on the kafka-io ConsumeLoop and OutputProducer, with the worker's
 * consumer and producer settings; stops cleanly on SIGTERM.
 */
export async function runKafkaService(
  env: ServiceEnv,
  handle: (records: ConsumedRecord[]) => Promise<OutboundMessage[]>,
  onStop: () => Promise<void> = async () => undefined,
): Promise<void> {
  const kafka = createKafkaClient({ brokers, clientId: env.groupId, logLevel: 'warn' });
  const producer = new OutputProducer(kafka);
  await producer.connect();
  const loop = new ConsumeLoop({
    client: kafka,
    groupId: env.groupId,
    topic: env.input,
    producer,
    handle: (records) => {
      // The chunk's outputs ride on its first record: no offset of it is committed before they are acknowledged.
      const outputs = handle(records);
      return records.map((_, i) => (i === 0 ? outputs : outputs.then(() => [])));
    },
    chunkSize: env.chunkSize,
    partitionsConsumedConcurrently: env.partitionsConcurrently,
    sessionTimeoutMs: 30_000,
    logger,
    onFatal: (error) => {
      console.error(error);
      process.exit(1);
    },
  });
  const stop = async (): Promise<void> => {
    await loop.stop();
    await producer.disconnect();
    await onStop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  await loop.start();
}
