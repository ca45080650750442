import {
  GroupConsumer,
  OutputProducer,
  TopicNotFoundError,
  withAdmin,
  type ConsumedRecord,
  type KafkaClient,
} from '@modstream/kafka-io';
import type { ReviewBoard } from './board.js';
import { FeedIngest, type FeedStats, type ReviewLogger } from './ingest.js';

export interface ReviewFeedOptions {
  client: KafkaClient;
  /** The review queue topics (modstream.review.v1 events). */
  queueTopics: readonly string[];
  decisionsTopic: string;
  /** Where invalid decision and review events go. */
  deadLetterTopic: string;
  board: ReviewBoard;
  logger: ReviewLogger;
  /**
   * A group id of this process alone (e.g. `uniqueName('modstream-review')`): every instance reads every
   * queue and every decision from the beginning. The group is deleted on stop.
   */
  groupId: string;
  deadLetterMaxOriginalBytes?: number;
}

/**
 * Reads the queue topics and the decisions topic from their beginning into the board, then follows them.
 * `caughtUp()` turns true once every partition was read up to the end offset it had at start.
 */
export class ReviewFeed {
  readonly #options: ReviewFeedOptions;
  readonly #producer: OutputProducer;
  readonly #consumer: GroupConsumer;
  readonly #ingest: FeedIngest;
  /** `topic:partition` → the end offset at start, for those not read up to it yet. */
  readonly #behind = new Map<string, bigint>();
  #started = false;
  #stopped = false;
  #caughtUp = false;
  #failure: Error | undefined;

  constructor(options: ReviewFeedOptions) {
    this.#options = options;
    this.#producer = new OutputProducer(options.client);
    this.#ingest = new FeedIngest({
      board: options.board,
      decisionsTopic: options.decisionsTopic,
      deadLetterTopic: options.deadLetterTopic,
      publish: (messages) => this.#producer.send(messages),
      logger: options.logger,
      ...(options.deadLetterMaxOriginalBytes !== undefined
        ? { deadLetterMaxOriginalBytes: options.deadLetterMaxOriginalBytes }
        : {}),
    });
    this.#consumer = new GroupConsumer(options.client, {
      groupId: options.groupId,
      topics: this.#topics(),
      fromBeginning: true,
      onRecord: (record) => this.#onRecord(record),
      onCrash: ({ error, restart }) => {
        options.logger.error(
          { group: options.groupId, error: error.message, restart },
          'review feed consumer crashed',
        );
        if (!restart) this.#failure = error;
      },
    });
  }

  /**
   * Checks that the topics exist (TopicNotFoundError otherwise), notes their end offsets, connects the
   * dead-letter producer and joins the group; resolves once consuming started.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('ReviewFeed: start() called twice');
    this.#started = true;
    const topics = this.#topics();
    const ends = await withAdmin(this.#options.client, async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.find((topic) => !existing.has(topic));
      if (missing !== undefined) throw new TopicNotFoundError(missing);
      return Promise.all(topics.map(async (topic) => ({ topic, watermarks: await admin.watermarks(topic) })));
    });
    for (const { topic, watermarks } of ends)
      for (const { partition, low, high } of watermarks)
        if (BigInt(high) > BigInt(low)) this.#behind.set(`${topic}:${partition}`, BigInt(high));
    this.#caughtUp = this.#behind.size === 0;
    await this.#producer.connect();
    await this.#consumer.start();
    this.#options.logger.info(
      { group: this.#options.groupId, topics, partitions_behind: this.#behind.size },
      'review feed started',
    );
  }

  /** Leaves the group, disconnects, and deletes the group; safe twice, every step runs. */
  async stop(): Promise<void> {
    if (this.#stopped || !this.#started) return;
    this.#stopped = true;
    const { logger, groupId, client } = this.#options;
    const step = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        logger.warn(
          { group: groupId, step: name, error: (error as Error).message },
          'review feed stop step failed',
        );
      }
    };
    await step('consumer', () => this.#consumer.stop());
    await step('producer', () => this.#producer.disconnect());
    await step('group', () => withAdmin(client, (admin) => admin.deleteGroups([groupId])));
  }

  /** True once every partition was read up to the end offset it had when the feed started. */
  caughtUp(): boolean {
    return this.#caughtUp;
  }

  /** The error that stopped the consumer for good, if any. */
  failure(): Error | undefined {
    return this.#failure;
  }

  stats(): FeedStats {
    return { ...this.#ingest.stats };
  }

  async #onRecord(record: ConsumedRecord): Promise<void> {
    await this.#ingest.handle(record);
    if (this.#caughtUp) return;
    const key = `${record.topic}:${record.partition}`;
    const end = this.#behind.get(key);
    if (end !== undefined && BigInt(record.offset) + 1n >= end) {
      this.#behind.delete(key);
      if (this.#behind.size === 0) {
        this.#caughtUp = true;
        this.#options.logger.info({ group: this.#options.groupId }, 'review feed caught up');
      }
    }
  }

  #topics(): string[] {
    return [...new Set([...this.#options.queueTopics, this.#options.decisionsTopic])];
  }
}
