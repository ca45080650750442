import type { Consumer } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './client.js';
import { toConsumedRecord, type ConsumedRecord } from './records.js';

export interface GroupConsumerCrash {
  error: Error;
  /** The client restarts the consumer itself; when false, the consumer has stopped for good. */
  restart: boolean;
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a partition the group has no committed offset for starts: its beginning (default) or its end. */
  fromBeginning?: boolean;
  /** Most bytes one fetch returns (default 10 MiB). */
  maxBytes?: number;
  /** Called for every record, in offset order per partition; offsets are committed once it returned. */
  onRecord(record: ConsumedRecord): void | Promise<void>;
  onCrash?(crash: GroupConsumerCrash): void;
}

/**
 * A member of a consumer group that hands every record of its assigned partitions to `onRecord` and
 * commits what was handled. Topics are never created by subscribing.
 */
export class GroupConsumer {
  readonly #consumer: Consumer;
  readonly #options: GroupConsumerOptions;

  constructor(client: KafkaClient, options: GroupConsumerOptions) {
    this.#options = options;
    this.#consumer = kafkajsOf(client).consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    });
    const { onCrash } = options;
    if (onCrash !== undefined) {
      this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) =>
        onCrash({ error: payload.error, restart: payload.restart }),
      );
    }
  }

  /** Joins the group and starts consuming; resolves once consuming started, not when it ends. */
  async start(): Promise<void> {
    const { topics, fromBeginning = true, onRecord } = this.#options;
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics, fromBeginning });
    await this.#consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages)
          await onRecord(toConsumedRecord(batch.topic, batch.partition, message));
      },
    });
  }

  /** Leaves the group (committing what was handled) and closes the connections. */
  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
