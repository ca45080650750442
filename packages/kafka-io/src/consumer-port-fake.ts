import type {
  BatchControl,
  ConsumerBatch,
  ConsumerEvents,
  ConsumerPort,
  TopicPartition,
  TopicPartitionOffset,
} from './consumer-port.js';
import type { ReplaceRefused } from './producer.js';
import type { ConsumedRecord, OutboundMessage } from './records.js';

/**
 * An in-memory consumer group member for one topic, fetching like kafkajs: every assigned, unpaused
 * partition from its resolved offset, then again once all batches of the fetch returned. A rebalance
 * restarts the fetch positions at the committed offsets.
 */
export class FakeConsumer implements ConsumerPort {
  readonly topic: string;
  /** Every commit request, in order. */
  readonly commits: TopicPartitionOffset[][] = [];
  readonly committed = new Map<number, string>();
  readonly paused = new Set<number>();
  /** Fetch positions: the offset after the last resolved one. */
  readonly positions = new Map<number, bigint>();
  heartbeats = 0;
  left = false;
  /** Thrown by the next commit requests while set. */
  commitError: Error | undefined;
  readonly #logs = new Map<number, ConsumedRecord[]>();
  readonly #maxBatch: number;
  #assignment: number[];
  #events: ConsumerEvents | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #pendingAssignment: number[] | undefined;

  constructor(topic: string, options: { partitions: number; maxBatch?: number }) {
    this.topic = topic;
    this.#maxBatch = options.maxBatch ?? 100;
    this.#assignment = Array.from({ length: options.partitions }, (_, partition) => partition);
    for (const partition of this.#assignment) this.#logs.set(partition, []);
  }

  /** Appends records with these values to a partition; returns their offsets. */
  append(partition: number, ...values: string[]): string[] {
    const log = this.#logs.get(partition);
    if (log === undefined) throw new Error(`no partition ${partition}`);
    const offsets = values.map((value) => {
      const offset = String(log.length);
      log.push({
        topic: this.topic,
        partition,
        offset,
        key: Buffer.from(`k-${value}`),
        value: Buffer.from(value),
        headers: {},
        timestamp: Date.now(),
      });
      return offset;
    });
    this.#wake?.();
    return offsets;
  }

  /** Rejoins the group with this assignment, between two fetches as kafkajs does. */
  rebalance(partitions: number[]): void {
    this.#pendingAssignment = partitions;
    this.#wake?.();
  }

  async run(topic: string, events: ConsumerEvents): Promise<void> {
    if (topic !== this.topic) throw new Error(`subscribed to ${topic}, the fake holds ${this.topic}`);
    this.#events = events;
    this.#running = true;
    this.#join(this.#assignment);
    this.#loop = this.#fetchLoop();
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    await Promise.resolve();
    if (this.commitError !== undefined) throw this.commitError;
    this.commits.push(offsets);
    for (const { partition, offset } of offsets) this.committed.set(partition, offset);
  }

  pause(partitions: TopicPartition[]): void {
    for (const { partition } of partitions) this.paused.add(partition);
  }

  resume(partitions: TopicPartition[]): void {
    for (const { partition } of partitions) this.paused.delete(partition);
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    this.left = true;
    this.#events?.stopped();
  }

  #join(partitions: number[]): void {
    this.#assignment = partitions;
    this.positions.clear();
    for (const partition of partitions)
      this.positions.set(partition, BigInt(this.committed.get(partition) ?? '0'));
    this.#events?.joined({
      groupId: 'fake-group',
      memberId: 'fake-member',
      assignment: partitions.map((partition) => ({ topic: this.topic, partition })),
    });
  }

  async #fetchLoop(): Promise<void> {
    while (this.#running) {
      if (this.#pendingAssignment !== undefined) {
        this.#join(this.#pendingAssignment);
        this.#pendingAssignment = undefined;
      }
      const batches = this.#fetch();
      if (batches.length === 0) {
        this.heartbeats++;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 20);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        continue;
      }
      await Promise.all(
        batches.map((batch) => this.#events?.eachBatch(batch, this.#control(batch.partition))),
      );
      this.heartbeats++;
    }
  }

  #fetch(): ConsumerBatch[] {
    return this.#assignment.flatMap((partition) => {
      const log = this.#logs.get(partition) ?? [];
      const from = Number(this.positions.get(partition) ?? 0n);
      if (this.paused.has(partition) || from >= log.length) return [];
      const records = log.slice(from, from + this.#maxBatch);
      return [{ topic: this.topic, partition, highWatermark: String(log.length), records }];
    });
  }

  #control(partition: number): BatchControl {
    return {
      resolveOffset: (offset) => this.positions.set(partition, BigInt(offset) + 1n),
      heartbeat: async () => {
        this.heartbeats++;
      },
    };
  }
}

interface PendingSend {
  messages: OutboundMessage[];
  ack(): void;
  fail(error: Error): void;
}

/** Records what is sent; acknowledges at once, or when told (`autoAck = false`), or fails when told. */
export class FakeProducer {
  /** Messages the "broker" acknowledged, in acknowledgement order. */
  readonly acknowledged: OutboundMessage[] = [];
  readonly pending: PendingSend[] = [];
  autoAck = true;
  /** Sends that fail before any is acknowledged. */
  failNext = 0;
  sends = 0;
  lastReplaceRefused: unknown;

  async send<T extends OutboundMessage>(
    messages: readonly T[],
    replaceRefused?: ReplaceRefused<T>,
  ): Promise<void> {
    this.sends++;
    this.lastReplaceRefused = replaceRefused;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('broker unavailable');
    }
    if (this.autoAck) {
      this.acknowledged.push(...messages);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const send: PendingSend = {
        messages: [...messages],
        ack: () => {
          this.pending.splice(this.pending.indexOf(send), 1);
          this.acknowledged.push(...messages);
          resolve();
        },
        fail: (error) => {
          this.pending.splice(this.pending.indexOf(send), 1);
          reject(error);
        },
      };
      this.pending.push(send);
    });
  }

  /** The values of the acknowledged messages. */
  values(): string[] {
    return this.acknowledged.map((message) => message.value.toString());
  }
}
