import type { Kafka, KafkaMessage } from 'kafkajs';
import { trackedKafkajsOf, type KafkaClient } from './client.js';
import { KafkaConnectError } from './read-topic.js';
import { toConsumedRecord, type ConsumedRecord } from './records.js';

/**
 * What `RecordReader.read` found at one offset:
 * - `deleted`: below the partition's log start offset (retention or DeleteRecords removed it);
 * - `not_in_log`: within the log but no record has this offset any more (compacted away, an aborted or
 *   uncommitted transactional record), or at or past the end of the log;
 * - `no_partition`: the topic or the partition does not exist.
 */
export type RecordAt =
  | { found: true; record: ConsumedRecord }
  | { found: false; reason: 'deleted' | 'not_in_log' | 'no_partition' };

export interface RecordRequest {
  topic: string;
  partition: number;
  /** Decimal strings. */
  offsets: readonly string[];
}

export interface RecordReaderOptions {
  /**
   * Bytes one fetch asks for per partition (default 256 KiB). The broker always returns at least the whole
   * record batch holding the requested offset, so this bounds only what comes with it.
   */
  maxBytesPerFetch?: number;
  /** Tries of a partition's read after a retriable broker error (leader moved, ...) (default 3). */
  attempts?: number;
}

/** The key of one offset in `RecordReader.read`'s result: `topic:partition:offset` (topic names have no ':'). */
export function recordAddress(topic: string, partition: number, offset: string): string {
  return `${topic}:${partition}:${offset}`;
}

/**
 * Reads single records by their offsets, without a consumer group: one Fetch request per partition and
 * run of wanted offsets, to the partition's leader, after one ListOffsets round for the log bounds. Keeps
 * its connections until `close()`; safe to call concurrently.
 *
 * kafkajs has no public API for this (its consumers only exist in groups), so this uses the client's
 * internal cluster (kafkajs 2.2.x; the lockfile pins the version): construction fails with a clear error
 * where it has changed.
 */
export class RecordReader {
  readonly #client: KafkaClient;
  readonly #maxBytes: number;
  readonly #attempts: number;
  #cluster: InternalCluster | undefined;
  /** Ends the sockets of the current cluster that kafkajs left open after its disconnect. */
  #endSockets: (() => void) | undefined;
  #connecting: Promise<InternalCluster> | undefined;

  constructor(client: KafkaClient, options: RecordReaderOptions = {}) {
    this.#client = client;
    this.#maxBytes = options.maxBytesPerFetch ?? 256 * 1024;
    this.#attempts = options.attempts ?? 3;
  }

  /**
   * The record at each requested offset, keyed by `recordAddress`. Only a broker that cannot be reached or
   * keeps failing makes it throw (KafkaConnectError for the first connection); an offset without a record
   * is a `found: false` entry.
   */
  async read(requests: readonly RecordRequest[]): Promise<Map<string, RecordAt>> {
    const wanted = mergeRequests(requests);
    if (wanted.length === 0) return new Map();
    try {
      return await this.#readOnce(wanted, await this.#connect());
    } catch (error) {
      if (error instanceof KafkaConnectError) throw error;
      // A long-lived cluster can hold stale state (e.g. a topic it tracks was deleted): once more on a fresh one.
      await this.close();
      return await this.#readOnce(wanted, await this.#connect());
    }
  }

  async #readOnce(
    wanted: readonly PartitionWant[],
    cluster: InternalCluster,
  ): Promise<Map<string, RecordAt>> {
    const result = new Map<string, RecordAt>();

    const topics = [...new Set(wanted.map((w) => w.topic))];
    const { topicMetadata } = await cluster.metadata();
    const partitionsOf = new Map(
      topicMetadata.map((t) => [t.topic, new Set(t.partitionMetadata.map((p) => p.partitionId))]),
    );
    const present = wanted.filter((w) => partitionsOf.get(w.topic)?.has(w.partition) === true);
    for (const w of wanted) {
      if (present.includes(w)) continue;
      for (const offset of w.offsets)
        result.set(recordAddress(w.topic, w.partition, offset.toString()), missing('no_partition'));
    }
    if (present.length === 0) return result;
    await cluster.addMultipleTargetTopics(topics.filter((topic) => partitionsOf.has(topic)));

    const bounds = await this.#logBounds(cluster, present);
    await Promise.all(
      present.map(async (w) => {
        const where = `${w.topic}:${w.partition}`;
        const found = await this.#readPartition(cluster, w, bounds.get(where)!);
        for (const [offset, at] of found)
          result.set(recordAddress(w.topic, w.partition, offset.toString()), at);
      }),
    );
    return result;
  }

  /** Closes the connections; a later `read` opens them again. */
  async close(): Promise<void> {
    const connecting = this.#connecting;
    this.#connecting = undefined;
    this.#cluster = undefined;
    const endSockets = this.#endSockets;
    this.#endSockets = undefined;
    const cluster = await connecting?.catch(() => undefined);
    await cluster?.disconnect().catch(() => undefined);
    endSockets?.();
  }

  async #connect(): Promise<InternalCluster> {
    if (this.#cluster !== undefined) return this.#cluster;
    this.#connecting ??= (async () => {
      const tracked = trackedKafkajsOf(this.#client);
      this.#endSockets = tracked.endSockets;
      const cluster = internalCluster(tracked.kafka);
      try {
        await cluster.connect();
      } catch (error) {
        await cluster.disconnect().catch(() => undefined);
        throw new KafkaConnectError(error);
      }
      return cluster;
    })();
    try {
      this.#cluster = await this.#connecting;
      return this.#cluster;
    } catch (error) {
      this.#connecting = undefined;
      throw error;
    }
  }

  /** Log start offset and end (the last stable offset: what a read-committed fetch can return) per partition. */
  async #logBounds(
    cluster: InternalCluster,
    wanted: readonly PartitionWant[],
  ): Promise<Map<string, LogBounds>> {
    const byTopic = new Map<string, { partition: number }[]>();
    for (const { topic, partition } of wanted) {
      const partitions = byTopic.get(topic) ?? [];
      partitions.push({ partition });
      byTopic.set(topic, partitions);
    }
    const list = (fromBeginning: boolean) =>
      cluster.fetchTopicsOffset(
        [...byTopic].map(([topic, partitions]) => ({ topic, partitions, fromBeginning })),
      );
    const [starts, ends] = await Promise.all([list(true), list(false)]);
    const bounds = new Map<string, LogBounds>();
    for (const { topic, partitions } of starts)
      for (const { partition, offset } of partitions)
        bounds.set(`${topic}:${partition}`, { start: BigInt(offset), end: 0n });
    for (const { topic, partitions } of ends)
      for (const { partition, offset } of partitions) {
        const entry = bounds.get(`${topic}:${partition}`);
        if (entry !== undefined) entry.end = BigInt(offset);
      }
    return bounds;
  }

  async #readPartition(
    cluster: InternalCluster,
    { topic, partition, offsets }: PartitionWant,
    bounds: LogBounds,
  ): Promise<Map<bigint, RecordAt>> {
    const found = new Map<bigint, RecordAt>();
    let pending: bigint[] = [];
    for (const offset of offsets) {
      if (offset < bounds.start) found.set(offset, missing('deleted'));
      else if (offset >= bounds.end) found.set(offset, missing('not_in_log'));
      else pending.push(offset);
    }
    let failures = 0;
    while (pending.length > 0) {
      const from = pending[0]!;
      let messages: InternalRecord[];
      try {
        messages = await fetchFrom(cluster, topic, partition, from, this.#maxBytes);
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'KafkaJSOffsetOutOfRange') {
          // Deleted since the bounds were read: what is below the new start is gone.
          const [start] = await cluster.fetchTopicsOffset([
            { topic, partitions: [{ partition }], fromBeginning: true },
          ]);
          const newStart = BigInt(start?.partitions.find((p) => p.partition === partition)?.offset ?? '0');
          if (newStart <= from) throw error;
          for (const offset of pending.filter((o) => o < newStart)) found.set(offset, missing('deleted'));
          pending = pending.filter((o) => o >= newStart);
          continue;
        }
        if ((error as { retriable?: boolean }).retriable !== true || ++failures >= this.#attempts)
          throw error;
        await cluster.refreshMetadata();
        continue;
      }
      const records = new Map<bigint, InternalRecord>();
      let last = from - 1n;
      for (const message of messages) {
        const offset = BigInt(message.offset);
        if (offset > last) last = offset;
        if (offset >= from && message.isControlRecord !== true) records.set(offset, message);
      }
      if (last < from) {
        // Nothing at or after `from` up to the end of the log (e.g. only aborted records remain).
        for (const offset of pending) found.set(offset, missing('not_in_log'));
        break;
      }
      for (const offset of pending) {
        if (offset > last) break;
        const message = records.get(offset);
        found.set(
          offset,
          message === undefined
            ? missing('not_in_log')
            : { found: true, record: toConsumedRecord(topic, partition, message as unknown as KafkaMessage) },
        );
      }
      pending = pending.filter((offset) => offset > last);
    }
    return found;
  }
}

/**
 * Reads the records at the given offsets of one partition with a reader of its own; the result is keyed by
 * offset. See `RecordReader` for what a missing record reports.
 */
export async function readRecordsAt(
  client: KafkaClient,
  topic: string,
  partition: number,
  offsets: readonly string[],
  options: RecordReaderOptions = {},
): Promise<Map<string, RecordAt>> {
  const reader = new RecordReader(client, options);
  try {
    const read = await reader.read([{ topic, partition, offsets }]);
    return new Map(offsets.map((offset) => [offset, read.get(recordAddress(topic, partition, offset))!]));
  } finally {
    await reader.close();
  }
}

interface PartitionWant {
  topic: string;
  partition: number;
  /** Sorted, without repeats. */
  offsets: bigint[];
}

interface LogBounds {
  start: bigint;
  end: bigint;
}

function missing(reason: 'deleted' | 'not_in_log' | 'no_partition'): RecordAt {
  return { found: false, reason };
}

function mergeRequests(requests: readonly RecordRequest[]): PartitionWant[] {
  const merged = new Map<string, { topic: string; partition: number; offsets: Set<bigint> }>();
  for (const { topic, partition, offsets } of requests) {
    const key = `${topic}:${partition}`;
    const entry = merged.get(key) ?? { topic, partition, offsets: new Set<bigint>() };
    for (const offset of offsets) {
      if (!/^\d+$/.test(offset))
        throw new RangeError(`offset must be a decimal string, got ${JSON.stringify(offset)}`);
      entry.offsets.add(BigInt(offset));
    }
    merged.set(key, entry);
  }
  return [...merged.values()].map(({ topic, partition, offsets }) => ({
    topic,
    partition,
    offsets: [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  }));
}

async function fetchFrom(
  cluster: InternalCluster,
  topic: string,
  partition: number,
  offset: bigint,
  maxBytes: number,
): Promise<InternalRecord[]> {
  const leaders = cluster.findLeaderForPartitions(topic, [partition]);
  const nodeId = Object.keys(leaders)[0];
  if (nodeId === undefined)
    throw Object.assign(new Error(`no leader for ${topic}:${partition}`), { retriable: true });
  const broker = await cluster.findBroker({ nodeId });
  const { responses } = await broker.fetch({
    isolationLevel: READ_COMMITTED,
    maxWaitTime: 0,
    minBytes: 1,
    maxBytes,
    topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes }] }],
  });
  return responses
    .filter((r) => r.topicName === topic)
    .flatMap((r) => r.partitions.filter((p) => p.partition === partition).flatMap((p) => p.messages));
}

const READ_COMMITTED = 1;

/** The parts of kafkajs' internal Cluster and Broker this module uses (kafkajs 2.2.x, src/cluster, src/broker). */
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  metadata(): Promise<{
    topicMetadata: { topic: string; partitionMetadata: { partitionId: number; leader: number }[] }[];
  }>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(request: { nodeId: string }): Promise<InternalBroker>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

interface InternalBroker {
  fetch(request: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{
    responses: { topicName: string; partitions: { partition: number; messages: InternalRecord[] }[] }[];
  }>;
}

interface InternalRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  isControlRecord?: boolean;
}

/** A new internal cluster with the client's settings (brokers, SASL, TLS, timeouts, retries, logger). */
function internalCluster(kafka: Kafka): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const create = symbol === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof create !== 'function')
    throw new Error(
      'RecordReader: this kafkajs version has no internal createCluster (written for kafkajs 2.2.x)',
    );
  const cluster = (create as (options: object) => unknown).call(kafka, {
    allowAutoTopicCreation: false,
    isolationLevel: READ_COMMITTED,
  }) as InternalCluster;
  for (const method of [
    'connect',
    'metadata',
    'findBroker',
    'fetchTopicsOffset',
    'findLeaderForPartitions',
  ] as const) {
    if (typeof cluster[method] !== 'function')
      throw new Error(`RecordReader: kafkajs' internal cluster has no ${method} (written for kafkajs 2.2.x)`);
  }
  return cluster;
}
