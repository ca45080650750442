import { kafkajsOf, type KafkaClient } from './client.js';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  estimateMessageBytes,
  groupByTopic,
  OutputProducer,
  splitBySize,
  type OutputProducerOptions,
} from './producer.js';
import type { ProduceMessage } from './records.js';

/** Sends the messages in input order with a producer of its own, acknowledged like `OutputProducer.send`. */
export async function produceMessages(
  client: KafkaClient,
  messages: readonly ProduceMessage[],
  options: OutputProducerOptions = {},
): Promise<void> {
  const producer = new OutputProducer(client, options);
  try {
    await producer.connect();
    await producer.send(messages);
  } finally {
    await producer.disconnect();
  }
}

/** A message for a partition of its topic chosen by the caller. */
export interface PartitionedMessage extends Omit<ProduceMessage, 'partition' | 'value'> {
  partition: number;
  /** Null writes a tombstone. */
  value: Buffer | null;
}

const noBytes = Buffer.alloc(0);

/**
 * Writes each message to its partition, in input order and in requests split like `OutputProducer.send`,
 * with a producer of its own; resolves with the offset each message got, in input order.
 */
export async function produceToPartitions(
  client: KafkaClient,
  messages: readonly PartitionedMessage[],
  options: Pick<OutputProducerOptions, 'ackTimeoutMs' | 'maxRequestBytes'> = {},
): Promise<string[]> {
  const producer = kafkajsOf(client).producer({ allowAutoTopicCreation: false, idempotent: false });
  const offsets: string[] = [];
  await producer.connect();
  try {
    const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    const size = (message: PartitionedMessage) =>
      estimateMessageBytes({ ...message, value: message.value ?? noBytes });
    for (const request of splitBySize(messages, maxRequestBytes, size)) {
      const appended = await producer.sendBatch({
        acks: -1,
        timeout: options.ackTimeoutMs ?? 30_000,
        topicMessages: groupByTopic(request),
      });
      const next = new Map(
        appended.map((a) => [`${a.topicName}:${a.partition}`, BigInt(a.baseOffset ?? '0')]),
      );
      for (const { topic, partition } of request) {
        const where = `${topic}:${partition}`;
        const offset = next.get(where);
        if (offset === undefined) throw new Error(`no acknowledgement for ${where}`);
        offsets.push(offset.toString());
        next.set(where, offset + 1n);
      }
    }
  } finally {
    await producer.disconnect();
  }
  return offsets;
}
