import type { Admin } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './client.js';

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic-level configs, e.g. `{ 'retention.ms': '3600000' }`. */
  config?: Record<string, string>;
}

export interface TopicAdminOptions {
  /** How long to wait for the broker (including partition leaders after creation). */
  timeoutMs?: number;
}

/** Offsets are decimal strings: Kafka offsets can exceed 2^53. */
export interface PartitionWatermarks {
  partition: number;
  /** The earliest offset still in the partition. */
  low: string;
  /** The offset the next message will get. */
  high: string;
}

export interface CommittedOffset {
  partition: number;
  /** The next offset the group will read; '-1' where the group committed nothing. */
  offset: string;
}

export interface ClusterDescription {
  brokers: { nodeId: number; host: string; port: number }[];
  controller: number | null;
  clusterId: string;
}

/** A connected admin session; `withAdmin` or `openAdmin` create one. */
export interface KafkaAdmin {
  listTopics(): Promise<string[]>;
  watermarks(topic: string): Promise<PartitionWatermarks[]>;
  committedOffsets(groupId: string, topic: string): Promise<CommittedOffset[]>;
  listGroups(): Promise<string[]>;
  /** Fails where a group does not exist or still has members. */
  deleteGroups(groupIds: string[]): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
  disconnect(): Promise<void>;
}

const defaultTimeoutMs = 30_000;
const kafkajsAdmins = new WeakMap<KafkaAdmin, Admin>();

function kafkajsAdminOf(admin: KafkaAdmin): Admin {
  const raw = kafkajsAdmins.get(admin);
  if (raw === undefined) throw new Error('not a KafkaAdmin made by openAdmin');
  return raw;
}

/** Connects an admin session; the caller disconnects it. A failed connection is disconnected and thrown. */
export async function openAdmin(client: KafkaClient): Promise<KafkaAdmin> {
  const raw = kafkajsOf(client).admin();
  try {
    await raw.connect();
  } catch (error) {
    await raw.disconnect().catch(() => undefined);
    throw error;
  }
  const admin: KafkaAdmin = {
    listTopics: () => raw.listTopics(),
    watermarks: async (topic) =>
      (await raw.fetchTopicOffsets(topic))
        .map(({ partition, low, high }) => ({ partition, low, high }))
        .sort((a, b) => a.partition - b.partition),
    committedOffsets: async (groupId, topic) => {
      const [offsets] = await raw.fetchOffsets({ groupId, topics: [topic] });
      return (offsets?.partitions ?? [])
        .map(({ partition, offset }) => ({ partition, offset }))
        .sort((a, b) => a.partition - b.partition);
    },
    listGroups: async () => (await raw.listGroups()).groups.map((group) => group.groupId),
    deleteGroups: async (groupIds) => {
      await raw.deleteGroups(groupIds);
    },
    describeCluster: () => raw.describeCluster(),
    disconnect: () => raw.disconnect(),
  };
  kafkajsAdmins.set(admin, raw);
  return admin;
}

/** Connects an admin session, runs `fn`, and always disconnects. */
export async function withAdmin<T>(client: KafkaClient, fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = await openAdmin(client);
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Messages a topic holds now: the sum over its partitions of high − low watermark. */
export async function topicMessageCount(admin: KafkaAdmin, topic: string): Promise<number> {
  const watermarks = await admin.watermarks(topic);
  return watermarks.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
}

/**
 * Creates the topics that do not exist yet and waits until every partition of every
 * requested topic has a leader. Existing topics are left as they are.
 */
export async function createTopics(
  admin: KafkaAdmin,
  topics: TopicSpec[],
  options: TopicAdminOptions = {},
): Promise<void> {
  if (topics.length === 0) return;
  const raw = kafkajsAdminOf(admin);
  const timeout = options.timeoutMs ?? defaultTimeoutMs;
  const existing = new Set(await raw.listTopics());
  const missing = topics.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) {
    await raw.createTopics({
      waitForLeaders: true,
      timeout,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor ?? 1,
        configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  await waitForLeaders(
    raw,
    topics.map((spec) => spec.topic),
    timeout,
  );
}

export async function deleteTopics(
  admin: KafkaAdmin,
  topics: string[],
  options: TopicAdminOptions = {},
): Promise<void> {
  const raw = kafkajsAdminOf(admin);
  const existing = new Set(await raw.listTopics());
  const present = topics.filter((topic) => existing.has(topic));
  if (present.length === 0) return;
  await raw.deleteTopics({ topics: present, timeout: options.timeoutMs ?? defaultTimeoutMs });
}

/**
 * Deletes the records of each partition before `offset` (Kafka's DeleteRecords): the partition's log start
 * offset (low watermark) moves up to it, as retention would. Offset '-1' deletes everything up to the
 * high watermark.
 */
export async function deleteRecordsBefore(
  admin: KafkaAdmin,
  topic: string,
  partitions: { partition: number; offset: string }[],
): Promise<void> {
  const raw = kafkajsAdminOf(admin);
  // Loads the topic's metadata (partition leaders), which deleteTopicRecords expects.
  await raw.fetchTopicOffsets(topic);
  await raw.deleteTopicRecords({ topic, partitions });
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    const leaderless = metadata.filter(
      (topic) => topic.partitions.length === 0 || topic.partitions.some((p) => p.leader < 0),
    );
    if (leaderless.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `topics without partition leaders after ${timeoutMs} ms: ${leaderless.map((t) => t.name).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
