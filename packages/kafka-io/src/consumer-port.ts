import type { ConsumedRecord } from './records.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to consume (one past the last one done), as a decimal string. */
  offset: string;
}

/** Records fetched from one partition, in offset order. */
export interface ConsumerBatch {
  topic: string;
  partition: number;
  /** Offset the partition's next appended message will get. */
  highWatermark: string;
  records: ConsumedRecord[];
}

export interface BatchControl {
  /** Moves the partition's fetch position past `offset`. Commits are separate: see `ConsumerPort.commit`. */
  resolveOffset(offset: string): void;
  /** Keeps the group membership alive; rejects when the group rebalances (let it reach the consumer). */
  heartbeat(): Promise<void>;
}

export interface GroupMember {
  groupId: string;
  memberId: string;
  assignment: TopicPartition[];
}

export interface ConsumerEvents {
  /**
   * Called for each fetched batch; the consumer fetches again once the batches of one fetch returned,
   * from the resolved offsets. A record that is not resolved is fetched again.
   */
  eachBatch(batch: ConsumerBatch, control: BatchControl): Promise<void>;
  /** Joined (or rejoined) the group with this assignment; fetch positions restart at the committed offsets. */
  joined(member: GroupMember): void;
  rebalancing(): void;
  stopped(): void;
  /** The consumer failed; with `restart` it rejoins by itself, otherwise it is gone for good. */
  crashed(error: Error, restart: boolean): void;
}

/** What ConsumeLoop needs from a consumer group member; `KafkajsConsumer` is the one onto Kafka. */
export interface ConsumerPort {
  /** Connects, subscribes to `topic` and starts fetching; resolves once fetching started. Nothing is committed by itself. */
  run(topic: string, events: ConsumerEvents): Promise<void>;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Stops fetching these partitions until resumed (kept across rebalances); does nothing when not running. */
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /** Stops fetching, leaves the group and disconnects. */
  stop(): Promise<void>;
}
