import type { Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { OutputProducer } from './producer.js';
import { toConsumedRecord, type ConsumedRecord, type OutboundMessage } from './records.js';

export interface ConsumeLoopLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ConsumeLoopOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  producer: OutputProducer;
  /**
   * Turns consumed records into the messages to publish for them (labeled events, queue events, dead
   * letters). Throwing means a transient failure: nothing of the chunk is resolved and Kafka redelivers it.
   */
  handle(records: ConsumedRecord[]): Promise<OutboundMessage[]>;
  /** Records handed to `handle` at a time; offsets are resolved after each chunk is acknowledged. */
  chunkSize?: number;
  /** Partitions processed at once; above 1 their chunks merge in the app's shared batcher. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Offsets are committed after every published chunk by default (fewest duplicates after a crash);
   * a larger value commits after that many resolved offsets, or every second, whichever comes first.
   */
  commitEveryOffsets?: number;
  /** Where a group without committed offsets starts; true never skips events written before it joined. */
  fromBeginning?: boolean;
  logger: ConsumeLoopLogger;
  onLag?(topic: string, partition: number, lag: number): void;
  onPublished?(chunk: { topic: string; partition: number; records: number; messages: number }): void;
  /** The consumer crashed and kafkajs will not restart it. */
  onFatal?(error: Error): void;
}

/**
 * At-least-once consume → handle → publish loop on kafkajs `eachBatch`. An offset is resolved (and
 * later committed) only after every output message of it and of all offsets before it was
 * acknowledged by the brokers (acks=-1).
 */
export class ConsumeLoop {
  readonly #options: ConsumeLoopOptions;
  readonly #consumer: Consumer;
  readonly #chunkSize: number;
  readonly #heartbeatIntervalMs: number;
  #joined = false;
  #started = false;

  constructor(options: ConsumeLoopOptions) {
    this.#options = options;
    this.#chunkSize = options.chunkSize ?? 256;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: this.#heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      // Bounds how long a stop waits for the fetch in flight.
      maxWaitTimeInMs: 1_000,
    });
    const { events } = this.#consumer;
    this.#consumer.on(events.GROUP_JOIN, ({ payload }) => {
      this.#joined = true;
      options.logger.info(
        { groupId: payload.groupId, memberId: payload.memberId, assignment: payload.memberAssignment },
        'joined consumer group',
      );
    });
    this.#consumer.on(events.REBALANCING, () => options.logger.info({}, 'consumer group rebalancing'));
    this.#consumer.on(events.STOP, () => (this.#joined = false));
    this.#consumer.on(events.CRASH, ({ payload }) => {
      this.#joined = false;
      options.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      if (!payload.restart) options.onFatal?.(payload.error);
    });
  }

  /** True once the consumer joined its group and until it stops or crashes. */
  get joined(): boolean {
    return this.#joined;
  }

  async start(): Promise<void> {
    this.#started = true;
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topics: [this.#options.topic],
      fromBeginning: this.#options.fromBeginning ?? true,
    });
    await this.#consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      autoCommitThreshold: this.#options.commitEveryOffsets ?? 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
  }

  /**
   * Stops fetching, lets the chunk in flight finish publishing, commits what was acknowledged and
   * leaves the group. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    try {
      await this.#consumer.stop();
    } finally {
      await this.#consumer.disconnect();
    }
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition, messages } = batch;
    this.#reportLag(batch, BigInt(batch.firstOffset() ?? batch.highWatermark));
    for (let start = 0; start < messages.length; start += this.#chunkSize) {
      if (!isRunning() || isStale()) return;
      const records = messages
        .slice(start, start + this.#chunkSize)
        .map((m) => toConsumedRecord(topic, partition, m));
      const last = records[records.length - 1];
      if (last === undefined) return;

      const heartbeats = new BackgroundHeartbeat(heartbeat, this.#heartbeatIntervalMs);
      try {
        const outputs = await this.#options.handle(records);
        // A seek (or a lost assignment) makes the fetched data stale: it is fetched again, not published.
        if (isStale()) return;
        await this.#options.producer.send(outputs);
        resolveOffset(last.offset);
        this.#options.onPublished?.({ topic, partition, records: records.length, messages: outputs.length });
      } finally {
        heartbeats.stop();
      }
      this.#reportLag(batch, BigInt(last.offset) + 1n);
      heartbeats.rethrow();
      await heartbeat();
      await commitOffsetsIfNecessary();
    }
  }

  /** Messages of the partition not yet processed, from `next` to the high watermark. */
  #reportLag(batch: Batch, next: bigint): void {
    if (this.#options.onLag === undefined) return;
    const lag = BigInt(batch.highWatermark) - next;
    this.#options.onLag(batch.topic, batch.partition, Number(lag < 0n ? 0n : lag));
  }
}

/** Keeps the group membership alive while a long inference or produce call is in flight. */
class BackgroundHeartbeat {
  readonly #timer: NodeJS.Timeout;
  #error: unknown;

  constructor(heartbeat: () => Promise<void>, intervalMs: number) {
    this.#timer = setInterval(() => {
      heartbeat().catch((error: unknown) => (this.#error ??= error));
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** A rebalance seen while working surfaces after the chunk was published, so kafkajs rejoins. */
  rethrow(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}
