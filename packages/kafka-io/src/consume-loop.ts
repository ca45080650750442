import type { KafkaClient } from './client.js';
import {
  DEFAULT_RETRY_BACKOFF,
  RetryTimers,
  type FailedGroup,
  type RetryBackoff,
  type RetryStep,
} from './consume-loop-retries.js';
import type {
  BatchControl,
  ConsumerBatch,
  ConsumerPort,
  GroupMember,
  TopicPartition,
} from './consumer-port.js';
import { KafkajsConsumer, type KafkajsConsumerOptions } from './kafkajs-consumer.js';
import { OffsetCommits } from './offset-commits.js';
import { PartitionWindow, type WindowEntry } from './offset-window.js';
import type { OutputProducer, ReplaceRefused } from './producer.js';
import type { ConsumedRecord, OutboundMessage } from './records.js';

export interface ConsumeLoopLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ConsumeLoopSettings<T extends OutboundMessage = OutboundMessage> {
  topic: string;
  producer: Pick<OutputProducer, 'send'>;
  /**
   * Starts handling a chunk of records: one promise per record, in the same order, that resolves with
   * that record's outputs (labeled events, queue events, dead letters) as soon as they are ready. A
   * rejection is a transient failure of that record: it is handled again after a backoff, and nothing
   * at or after it in its partition is committed before its outputs were published.
   */
  handle(records: ConsumedRecord[]): Promise<T[]>[];
  /** Replaces an output the broker refuses for itself (too large, invalid), e.g. with a dead letter. */
  replaceRefused?: ReplaceRefused<T>;
  /** Backoff between attempts at a record that failed transiently: doubles from initialMs up to maxMs. */
  retryBackoff?: RetryBackoff;
  /** Records failed transiently at `step` and are tried again after `delayMs`. */
  onRetry?(step: RetryStep, attempt: number, delayMs: number): void;
  /** Most records handed to `handle` at a time. */
  chunkSize?: number;
  /** Records of one partition accepted and not yet acknowledged (default: chunkSize). */
  maxInFlightPerPartition?: number;
  /** ... of all partitions together (default: chunkSize × partitionsConsumedConcurrently). */
  maxInFlight?: number;
  /**
   * Offsets are committed after every acknowledgement by default (fewest duplicates after a crash); a
   * larger value commits once that many records were acknowledged, or every second, whichever comes first.
   */
  commitEveryOffsets?: number;
  /** How often a batch waiting for room in the window keeps the group membership alive. */
  heartbeatIntervalMs?: number;
  logger: ConsumeLoopLogger;
  onLag?(topic: string, partition: number, lag: number): void;
  /** Outputs of `records` records of one partition were acknowledged together. */
  onPublished?(group: { topic: string; partition: number; records: number; messages: number }): void;
  /** The consumer crashed and will not restart. */
  onFatal?(error: Error): void;
}

export interface ConsumeLoopOptions<T extends OutboundMessage = OutboundMessage>
  extends ConsumeLoopSettings<T>, KafkajsConsumerOptions {
  client: KafkaClient;
}

/** A loop on a consumer other than Kafka's (tests: an in-memory fake). */
export interface ConsumeLoopPortOptions<
  T extends OutboundMessage = OutboundMessage,
> extends ConsumeLoopSettings<T> {
  consumer: ConsumerPort;
}

/**
 * At-least-once consume → handle → publish loop. Each record's outputs are published as soon as they are
 * ready; an offset is committed only once the outputs of it and of every offset before it in its partition
 * were acknowledged by the brokers (acks=-1). Batches return to the consumer as soon as their records are
 * in the in-flight window, so the next fetch does not wait for them.
 */
export class ConsumeLoop<T extends OutboundMessage = OutboundMessage> {
  readonly #options: ConsumeLoopSettings<T>;
  readonly #consumer: ConsumerPort;
  readonly #chunkSize: number;
  readonly #maxPerPartition: number;
  readonly #maxInFlight: number;
  readonly #heartbeatIntervalMs: number;
  readonly #windows = new Map<string, PartitionWindow<T>>();
  readonly #retries: RetryTimers<WindowEntry<T>>;
  readonly #commits: OffsetCommits;
  #assignment: TopicPartition[] = [];
  #ready: WindowEntry<T>[] = [];
  #publishScheduled = false;
  #changed: (() => void)[] = [];
  #joined = false;
  #started = false;
  #stopping = false;

  constructor(options: ConsumeLoopOptions<T> | ConsumeLoopPortOptions<T>) {
    this.#options = options;
    this.#consumer = 'consumer' in options ? options.consumer : new KafkajsConsumer(options.client, options);
    const concurrency = 'consumer' in options ? 1 : (options.partitionsConsumedConcurrently ?? 4);
    this.#chunkSize = options.chunkSize ?? 256;
    this.#maxPerPartition = options.maxInFlightPerPartition ?? this.#chunkSize;
    this.#maxInFlight = options.maxInFlight ?? this.#chunkSize * concurrency;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
    this.#retries = new RetryTimers({
      backoff: options.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
      scheduled: (group) => this.#retryScheduled(group),
      due: (step, entries) => this.#retryDue(step, entries),
    });
    this.#commits = new OffsetCommits({
      commit: (offsets) => this.#consumer.commit(offsets),
      windows: () => this.#windows.values(),
      everyOffsets: options.commitEveryOffsets ?? 1,
      intervalMs: 1_000,
      onError: (error) => options.logger.warn({ err: error }, 'offset commit failed'),
    });
  }

  /** True once the consumer joined its group and until it stops or crashes. */
  get joined(): boolean {
    return this.#joined;
  }

  async start(): Promise<void> {
    this.#started = true;
    const { logger, onFatal } = this.#options;
    await this.#consumer.run(this.#options.topic, {
      eachBatch: (batch, control) => this.#eachBatch(batch, control),
      joined: (member) => this.#onJoined(member),
      rebalancing: () => logger.info({}, 'consumer group rebalancing'),
      stopped: () => (this.#joined = false),
      crashed: (error, restart) => {
        this.#joined = false;
        logger.error({ err: error, restart }, 'consumer crashed');
        for (const window of [...this.#windows.values()]) this.#giveUp(window);
        if (!restart) onFatal?.(error);
      },
    });
  }

  /**
   * Stops fetching, lets the records in flight finish publishing (those waiting for a retry are given up),
   * commits what was acknowledged and leaves the group. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#stopping = true;
    try {
      this.#consumer.pause(this.#assignment);
      this.#retries.cancel();
      this.#changes();
      while ([...this.#windows.values()].some((window) => window.busy())) await this.#nextChange();
      await this.#commits.flush();
    } finally {
      this.#commits.close();
      await this.#consumer.stop();
    }
  }

  #onJoined(member: GroupMember): void {
    this.#joined = true;
    this.#assignment = member.assignment;
    this.#options.logger.info(
      { groupId: member.groupId, memberId: member.memberId, assignment: member.assignment },
      'joined consumer group',
    );
    const assigned = new Set(member.assignment.map(partitionKey));
    for (const window of [...this.#windows.values()])
      if (!assigned.has(partitionKey(window))) this.#giveUp(window);
  }

  /** Work of a partition no longer ours: outputs already published stay, nothing more of it is committed. */
  #giveUp(window: PartitionWindow<T>): void {
    window.active = false;
    this.#windows.delete(partitionKey(window));
    if (window.paused) this.#consumer.resume([window]);
    this.#changes();
  }

  async #eachBatch(batch: ConsumerBatch, control: BatchControl): Promise<void> {
    if (this.#stopping) return;
    const window = this.#windowOf(batch);
    window.highWatermark = BigInt(batch.highWatermark);
    const records = window.unseen(batch.records);
    const last = batch.records[batch.records.length - 1];
    if (records.length === 0 && last !== undefined) control.resolveOffset(last.offset);
    for (let start = 0; start < records.length && !this.#stopping && window.active;) {
      const room = Math.min(this.#maxPerPartition - window.size, this.#maxInFlight - this.#inFlight());
      if (room > 0) {
        const chunk = records.slice(start, start + Math.min(room, this.#chunkSize));
        start += chunk.length;
        control.resolveOffset(chunk[chunk.length - 1]!.offset);
        this.#handle(window.accept(chunk));
      } else if (window.size >= this.#maxPerPartition && window.blocked()) {
        // Full behind a record in backoff: paused until it drains, so that it does not hold up the
        // fetches of the other partitions. The records left are fetched again.
        window.paused = true;
        this.#consumer.pause([window]);
        break;
      } else {
        await this.#nextChange();
        await control.heartbeat();
      }
    }
    if (window.active) this.#reportLag(window);
  }

  #handle(entries: WindowEntry<T>[]): void {
    for (const entry of entries) entry.state = 'handling';
    let results: Promise<T[]>[];
    try {
      results = this.#options.handle(entries.map((entry) => entry.record));
    } catch (error) {
      for (const entry of entries) this.#failed(entry, 'handle', error);
      return;
    }
    entries.forEach((entry, i) => {
      const result = results[i];
      if (result === undefined) {
        this.#failed(
          entry,
          'handle',
          new Error(`handle returned ${results.length} results for ${entries.length}`),
        );
        return;
      }
      result.then(
        (outputs) => this.#outputsReady(entry, outputs),
        (error: unknown) => this.#failed(entry, 'handle', error),
      );
    });
  }

  #outputsReady(entry: WindowEntry<T>, outputs: T[]): void {
    if (!entry.window.active) return;
    entry.outputs = outputs;
    entry.state = 'ready';
    this.#ready.push(entry);
    this.#schedulePublish();
  }

  /** Outputs that become ready in the same macrotask (one inference batch) leave in one send. */
  #schedulePublish(): void {
    if (this.#publishScheduled) return;
    this.#publishScheduled = true;
    setImmediate(() => this.#publishReady());
  }

  #publishReady(): void {
    this.#publishScheduled = false;
    const entries = this.#ready.filter((entry) => entry.window.active).sort(byPartitionAndOffset);
    this.#ready = [];
    if (entries.length === 0) return;
    for (const entry of entries) entry.state = 'publishing';
    const messages = entries.flatMap((entry) => entry.outputs ?? []);
    this.#options.producer.send(messages, this.#options.replaceRefused).then(
      () => this.#acknowledged(entries),
      (error: unknown) => {
        for (const entry of entries) this.#failed(entry, 'publish', error);
      },
    );
  }

  #acknowledged(entries: WindowEntry<T>[]): void {
    const groups = new Map<PartitionWindow<T>, { records: number; messages: number; grown: number }>();
    for (const entry of entries) {
      const { window } = entry;
      if (!window.active) continue;
      let group = groups.get(window);
      if (group === undefined) groups.set(window, (group = { records: 0, messages: 0, grown: 0 }));
      group.records++;
      group.messages += entry.outputs?.length ?? 0;
      group.grown += window.ack(entry);
    }
    for (const [window, { records, messages, grown }] of groups) {
      this.#options.onPublished?.({ topic: window.topic, partition: window.partition, records, messages });
      if (grown === 0) continue;
      this.#commits.acknowledged(grown);
      this.#reportLag(window);
      if (window.paused && window.size < this.#maxPerPartition) {
        window.paused = false;
        this.#consumer.resume([window]);
      }
    }
    this.#changes();
  }

  /** A transient failure: retried after a backoff while the partition is ours and the loop runs. */
  #failed(entry: WindowEntry<T>, step: RetryStep, error: unknown): void {
    if (!entry.window.active) return;
    entry.state = 'backoff';
    entry.failures++;
    if (!this.#stopping) this.#retries.failed(entry, step, entry.failures, error);
    this.#changes();
  }

  #retryScheduled({ step, attempt, entries, error, delayMs }: FailedGroup<WindowEntry<T>>): void {
    const first = entries[0]?.record;
    this.#options.logger.warn(
      {
        err: error,
        step,
        attempt,
        delayMs,
        records: entries.length,
        topic: first?.topic,
        partition: first?.partition,
        offset: first?.offset,
      },
      'records failed; retrying',
    );
    this.#options.onRetry?.(step, attempt, delayMs);
  }

  #retryDue(step: RetryStep, entries: WindowEntry<T>[]): void {
    const live = entries.filter((entry) => entry.window.active && entry.state === 'backoff');
    if (this.#stopping || live.length === 0) return;
    if (step === 'publish') {
      for (const entry of live) {
        entry.state = 'ready';
        this.#ready.push(entry);
      }
      this.#schedulePublish();
      return;
    }
    for (let start = 0; start < live.length; start += this.#chunkSize)
      this.#handle(live.slice(start, start + this.#chunkSize));
  }

  #windowOf({ topic, partition }: TopicPartition): PartitionWindow<T> {
    const key = partitionKey({ topic, partition });
    let window = this.#windows.get(key);
    if (window === undefined) this.#windows.set(key, (window = new PartitionWindow<T>(topic, partition)));
    return window;
  }

  #inFlight(): number {
    let total = 0;
    for (const window of this.#windows.values()) total += window.size;
    return total;
  }

  #reportLag(window: PartitionWindow<T>): void {
    this.#options.onLag?.(window.topic, window.partition, window.lag());
  }

  /** Wakes whoever waits for a window to drain (a batch waiting for room, a stop waiting to finish). */
  #changes(): void {
    const waiting = this.#changed;
    this.#changed = [];
    for (const wake of waiting) wake();
  }

  /** The next change, or the heartbeat interval, whichever comes first. */
  #nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.#heartbeatIntervalMs);
      this.#changed.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function partitionKey({ topic, partition }: TopicPartition): string {
  return `${topic}\u0000${partition}`;
}

function byPartitionAndOffset<T>(a: WindowEntry<T>, b: WindowEntry<T>): number {
  if (a.record.topic !== b.record.topic) return a.record.topic < b.record.topic ? -1 : 1;
  if (a.record.partition !== b.record.partition) return a.record.partition - b.record.partition;
  const offsetA = BigInt(a.record.offset);
  const offsetB = BigInt(b.record.offset);
  return offsetA < offsetB ? -1 : offsetA > offsetB ? 1 : 0;
}
