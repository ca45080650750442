import type { Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { OutputProducer, ReplaceRefused } from './producer.js';
import { toConsumedRecord, type ConsumedRecord, type OutboundMessage } from './records.js';

export interface ConsumeLoopLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ConsumeLoopOptions<T extends OutboundMessage = OutboundMessage> {
  kafka: Kafka;
  groupId: string;
  topic: string;
  producer: OutputProducer;
  /**
   * Turns consumed records into the messages to publish for them (labeled events, queue events, dead
   * letters). Throwing means a transient failure: the chunk is handled again after a backoff, and nothing
   * of it (or after it, in its partition) is resolved until it was published.
   */
  handle(records: ConsumedRecord[]): Promise<T[]>;
  /** Replaces an output the broker refuses for itself (too large, invalid), e.g. with a dead letter. */
  replaceRefused?: ReplaceRefused<T>;
  /** Backoff between attempts at a chunk that failed transiently: doubles from initialMs up to maxMs. */
  retryBackoff?: { initialMs: number; maxMs: number };
  /** A chunk failed transiently and is tried again after `delayMs`. */
  onRetry?(step: 'handle' | 'publish', attempt: number, delayMs: number): void;
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
export class ConsumeLoop<T extends OutboundMessage = OutboundMessage> {
  readonly #options: ConsumeLoopOptions<T>;
  readonly #consumer: Consumer;
  readonly #chunkSize: number;
  readonly #heartbeatIntervalMs: number;
  #joined = false;
  #started = false;

  constructor(options: ConsumeLoopOptions<T>) {
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
      let published: boolean;
      try {
        published = await this.#handleAndPublish(records, isStale, () => !heartbeats.failed && isRunning());
        if (published) resolveOffset(last.offset);
      } finally {
        heartbeats.stop();
      }
      // Gave the chunk up (stopping, rebalancing, or a seek made it stale): it is fetched again later.
      if (!published) {
        heartbeats.rethrow();
        return;
      }
      this.#reportLag(batch, BigInt(last.offset) + 1n);
      heartbeats.rethrow();
      await heartbeat();
      await commitOffsetsIfNecessary();
    }
  }

  /**
   * Handles and publishes one chunk. A failure (the pipeline's transient errors, a producer that gave up)
   * is retried with backoff for as long as the partition is ours: it never kills the consumer, and no
   * offset at or after the chunk is resolved before it was published. False when it gave up the chunk.
   */
  async #handleAndPublish(
    records: ConsumedRecord[],
    isStale: () => boolean,
    mayRetry: () => boolean,
  ): Promise<boolean> {
    const { handle, producer, replaceRefused, logger } = this.#options;
    const backoff = this.#options.retryBackoff ?? { initialMs: 200, maxMs: 30_000 };
    const first = records[0];
    let outputs: T[] | undefined;
    for (let attempt = 1; ; attempt++) {
      const step = outputs === undefined ? 'handle' : 'publish';
      try {
        outputs ??= await handle(records);
        if (isStale()) return false;
        await producer.send(outputs, replaceRefused);
        if (first !== undefined)
          this.#options.onPublished?.({
            topic: first.topic,
            partition: first.partition,
            records: records.length,
            messages: outputs.length,
          });
        return true;
      } catch (error) {
        const delayMs = Math.min(backoff.initialMs * 2 ** Math.min(attempt - 1, 20), backoff.maxMs);
        logger.warn(
          {
            err: error,
            step,
            attempt,
            delayMs,
            topic: first?.topic,
            partition: first?.partition,
            offset: first?.offset,
          },
          'chunk failed; retrying',
        );
        this.#options.onRetry?.(step, attempt, delayMs);
        if (!(await sleepWhile(delayMs, () => mayRetry() && !isStale()))) return false;
      }
    }
  }

  /** Messages of the partition not yet processed, from `next` to the high watermark. */
  #reportLag(batch: Batch, next: bigint): void {
    if (this.#options.onLag === undefined) return;
    const lag = BigInt(batch.highWatermark) - next;
    this.#options.onLag(batch.topic, batch.partition, Number(lag < 0n ? 0n : lag));
  }
}

/** Sleeps `ms` unless `condition` turns false first; returns whether it still holds. */
async function sleepWhile(ms: number, condition: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (condition()) {
    const left = until - Date.now();
    if (left <= 0) return true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 100)));
  }
  return false;
}

/** Keeps the group membership alive while a long inference or produce call is in flight. */
class BackgroundHeartbeat {
  readonly #timer: NodeJS.Timeout;
  #error: unknown;

  /** A heartbeat failed (e.g. the group is rebalancing): the chunk should be given up, not retried. */
  get failed(): boolean {
    return this.#error !== undefined;
  }

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
