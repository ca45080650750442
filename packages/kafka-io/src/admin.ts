import type { KafkaAdmin, KafkaClient } from './client.js';

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

const defaultTimeoutMs = 30_000;

/** Connects an admin client, runs `fn`, and always disconnects. */
export async function withAdmin<T>(client: KafkaClient, fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = client.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
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
  const timeout = options.timeoutMs ?? defaultTimeoutMs;
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) {
    await admin.createTopics({
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
    admin,
    topics.map((spec) => spec.topic),
    timeout,
  );
}

export async function deleteTopics(
  admin: KafkaAdmin,
  topics: string[],
  options: TopicAdminOptions = {},
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((topic) => existing.has(topic));
  if (present.length === 0) return;
  await admin.deleteTopics({ topics: present, timeout: options.timeoutMs ?? defaultTimeoutMs });
}

async function waitForLeaders(admin: KafkaAdmin, topics: string[], timeoutMs: number): Promise<void> {
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
