import type { Consumer } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './client.js';
import type { ConsumerEvents, ConsumerPort, TopicPartition, TopicPartitionOffset } from './consumer-port.js';
import { toConsumedRecord } from './records.js';

export interface KafkajsConsumerOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Batches (partitions) handed to `eachBatch` at once. */
  partitionsConsumedConcurrently?: number;
  /** Where a group without committed offsets starts; true never skips events written before it joined. */
  fromBeginning?: boolean;
}

/**
 * A kafkajs consumer group member with auto-commit off: the fetch position moves with `resolveOffset`,
 * commits happen only through `commit`. kafkajs heartbeats between fetches and after each batch.
 */
export class KafkajsConsumer implements ConsumerPort {
  readonly #consumer: Consumer;
  readonly #options: KafkajsConsumerOptions;

  constructor(client: KafkaClient, options: KafkajsConsumerOptions) {
    this.#options = options;
    this.#consumer = kafkajsOf(client).consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      allowAutoTopicCreation: false,
      // Bounds how long a stop waits for the fetch in flight, and how long a resumed partition waits for
      // the next fetch when every other partition is idle.
      maxWaitTimeInMs: 1_000,
    });
  }

  async run(topic: string, events: ConsumerEvents): Promise<void> {
    const consumer = this.#consumer;
    const names = consumer.events;
    consumer.on(names.GROUP_JOIN, ({ payload }) =>
      events.joined({
        groupId: payload.groupId,
        memberId: payload.memberId,
        assignment: Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        ),
      }),
    );
    consumer.on(names.REBALANCING, () => events.rebalancing());
    consumer.on(names.STOP, () => events.stopped());
    consumer.on(names.CRASH, ({ payload }) => events.crashed(payload.error, payload.restart));

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: this.#options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 4,
      eachBatch: ({ batch, resolveOffset, heartbeat }) =>
        events.eachBatch(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            records: batch.messages.map((message) => toConsumedRecord(batch.topic, batch.partition, message)),
          },
          { resolveOffset, heartbeat },
        ),
    });
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    await this.#consumer.commitOffsets(offsets);
  }

  pause(partitions: TopicPartition[]): void {
    try {
      this.#consumer.pause(byTopic(partitions));
    } catch {
      // Not running (before run, or between a crash and its restart): there is nothing to pause.
    }
  }

  resume(partitions: TopicPartition[]): void {
    try {
      this.#consumer.resume(byTopic(partitions));
    } catch {
      // Not running: a restarted consumer starts with nothing paused.
    }
  }

  async stop(): Promise<void> {
    try {
      await this.#consumer.stop();
    } finally {
      await this.#consumer.disconnect();
    }
  }
}

function byTopic(partitions: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = topics.get(topic);
    if (list === undefined) topics.set(topic, (list = []));
    list.push(partition);
  }
  return [...topics].map(([topic, list]) => ({ topic, partitions: list }));
}
