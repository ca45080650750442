import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './client.js';
import { toConsumedRecord, type ConsumedRecord } from './records.js';

/** The topic to read does not exist. */
export class TopicNotFoundError extends Error {
  readonly kind = 'topic_not_found';
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist`);
    this.name = 'TopicNotFoundError';
  }
}

/** The brokers could not be reached (or refused the connection, e.g. wrong credentials). */
export class KafkaConnectError extends Error {
  readonly kind = 'connect';
  constructor(cause: unknown) {
    super(`cannot connect to Kafka: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'KafkaConnectError';
  }
}

export interface ReadTopicOptions {
  /** Start at each partition's first message with a timestamp at or after this; the beginning when absent. */
  since?: Date;
  /** Called for every record in offset order per partition; the read waits for it (a throw ends the read). */
  onRecord(record: ConsumedRecord): void | Promise<void>;
  /** Prefix of the throwaway consumer group (a unique suffix is added; the group is deleted afterwards). */
  groupIdPrefix?: string;
}

export interface PartitionRange {
  partition: number;
  /** First offset read. */
  start: string;
  /** The high watermark when the read started: offsets up to it, excluding it, are read. */
  end: string;
}

export interface ReadTopicResult {
  topic: string;
  partitions: PartitionRange[];
  /** Records handed to `onRecord`. */
  records: number;
}

/**
 * Reads a whole topic once, from `since` (or the beginning) to the high watermarks it had when the read
 * started, and resolves when every partition reached its end; empty partitions and empty topics finish at
 * once. The records come from a consumer in a throwaway group that seeks every partition to its start
 * offset whenever it joins; nothing is committed, and the group is deleted afterwards. A redelivery inside
 * kafkajs (a consumer restarted after a broker error) is not passed on twice.
 */
export async function readTopic(
  client: KafkaClient,
  topic: string,
  options: ReadTopicOptions,
): Promise<ReadTopicResult> {
  const admin = kafkajsOf(client).admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new KafkaConnectError(error);
  }
  const groupId = `${options.groupIdPrefix ?? 'modstream-read'}-${randomBytes(6).toString('hex')}`;
  let groupCreated = false;
  try {
    if (!(await admin.listTopics()).includes(topic)) throw new TopicNotFoundError(topic);
    const ends = await admin.fetchTopicOffsets(topic);
    const starts =
      options.since === undefined
        ? ends.map(({ partition, low }) => ({ partition, offset: low }))
        : await admin.fetchTopicOffsetsByTimestamp(topic, options.since.getTime());
    const partitions: PartitionRange[] = ends
      .map(({ partition, high }) => {
        const start = starts.find((s) => s.partition === partition)?.offset ?? high;
        return { partition, start: BigInt(start) < BigInt(high) ? start : high, end: high };
      })
      .sort((a, b) => a.partition - b.partition);
    const result: ReadTopicResult = { topic, partitions, records: 0 };
    if (partitions.every((p) => p.start === p.end)) return result;

    groupCreated = true;
    result.records = await consumeRanges(client, groupId, topic, partitions, options.onRecord);
    return result;
  } finally {
    // Nothing was committed: the group may be gone already (GROUP_ID_NOT_FOUND), which is as good.
    if (groupCreated) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Runs the consumer until every partition's position reached its end; returns the records passed on. */
async function consumeRanges(
  client: KafkaClient,
  groupId: string,
  topic: string,
  ranges: PartitionRange[],
  onRecord: ReadTopicOptions['onRecord'],
): Promise<number> {
  const end = new Map(ranges.map((r) => [r.partition, BigInt(r.end)]));
  /** Next offset to pass on, per partition: a record below it was passed on already. */
  const next = new Map(ranges.map((r) => [r.partition, BigInt(r.start)]));
  const open = new Set(ranges.filter((r) => r.start !== r.end).map((r) => r.partition));
  let records = 0;
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Awaited below; a failure before that point must not count as an unhandled rejection.
  done.catch(() => undefined);
  let failed = false;
  const failWith = (error: unknown) => {
    failed = true;
    fail(error);
  };
  const reached = (partition: number, position: bigint) => {
    if (!open.has(partition) || position < end.get(partition)!) return;
    open.delete(partition);
    if (open.size === 0) finish();
  };

  const consumer: Consumer = kafkajsOf(client).consumer({
    groupId,
    allowAutoTopicCreation: false,
    // A partition that reached its end is paused; this bounds the wait on the others' fetches.
    maxWaitTimeInMs: 500,
  });
  // A batch of control records only (transaction markers) advances the position without an eachBatch call.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === topic) reached(payload.partition, BigInt(payload.lastOffset) + 1n);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) failWith(payload.error);
  });
  // Manual assignment does not exist in kafkajs: every join (also after kafkajs restarted the consumer)
  // seeks each partition to what it has not passed on yet. Batches fetched before a seek is applied are
  // dropped by kafkajs, and `next` skips anything passed on already.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const partition of payload.memberAssignment[topic] ?? []) {
      const offset = open.has(partition) ? next.get(partition) : end.get(partition);
      if (offset !== undefined) consumer.seek({ topic, partition, offset: offset.toString() });
    }
  });
  try {
    await consumer.connect();
    // Where a seek lands on an offset deleted meanwhile (retention), the partition starts at its earliest.
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, pause }) => {
        const { partition } = batch;
        const last = end.get(partition);
        if (failed || last === undefined) return;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= last) break;
          if (offset < next.get(partition)!) continue;
          try {
            await onRecord(toConsumedRecord(topic, partition, message));
          } catch (error) {
            failWith(error);
            return;
          }
          records++;
          next.set(partition, offset + 1n);
        }
        if (BigInt(batch.lastOffset()) + 1n >= last) {
          pause();
          reached(partition, last);
        }
      },
    });
    await done;
    return records;
  } finally {
    await consumer.disconnect();
  }
}
