// Shared helpers of the worker end-to-end tests: a worker child process, synthetic comment events
// (valid, repeated and malformed), a producer and an output collector on the real broker.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect as netConnect, createServer, isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import {
  createTopics,
  GroupConsumer,
  withAdmin,
  type KafkaClient,
  type KafkaSocketFactory,
} from '@modstream/kafka-io';
import type { TestContext } from 'node:test';
import {
  createTestKafka,
  createTestRedis,
  deleteKeysWithPrefix,
  deleteTestTopics,
  produceToTopic,
  testStackSettings,
  uniqueName,
  waitFor,
} from '@modstream/testkit';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const MAX_TEXT_BYTES = 2_048;

// ---------------------------------------------------------------- worker child process

export interface WorkerProcess {
  child: ChildProcess;
  port: number;
  /** The worker's JSON log lines (the last 2,000). */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitReady(timeoutMs?: number): Promise<void>;
}

export function cliArgs(...args: string[]): string[] {
  return [
    '--conditions=@modstream/source',
    '--import',
    'tsx',
    join(repoRoot, 'services/worker/src/cli.ts'),
    ...args,
  ];
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, cliArgs('worker'), {
    cwd: repoRoot,
    env: { ...process.env, ...env, MODSTREAM_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (line: string) => {
    logs.push(line);
    if (logs.length > 2_000) logs.shift();
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  return {
    child,
    port,
    logs,
    exited,
    waitReady: async (timeoutMs = 60_000) => {
      await waitFor(
        async () => {
          if (exitedEarly) throw new Error(`worker exited before ready:\n${logs.slice(-30).join('\n')}`);
          const response = await fetch(`http://127.0.0.1:${port}/readyz`);
          return response.status === 200;
        },
        { timeoutMs, intervalMs: 200, message: 'worker /readyz' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- worker log ---\n${logs.slice(-30).join('\n')}`);
      });
    },
  };
}

/** Kills a worker that is still running (test cleanup). */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
}

/**
 * `bash scripts/stack.sh restart <service>` from the repository root: stops the service and starts it
 * again (Kafka on the storage it had). Resolves once the script exited, with its exit code and output.
 */
export async function restartStackService(
  service: 'kafka' | 'redis' | 'redis-auth',
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn('bash', [join(repoRoot, 'scripts/stack.sh'), 'restart', service], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output, ms: Date.now() - started };
}

/** Parses a JSON log line with the given msg (pino), if the worker wrote one. */
export function findLog(worker: WorkerProcess, msg: string): Record<string, unknown> | undefined {
  for (const line of worker.logs) {
    if (!line.includes(msg)) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.msg === msg) return parsed;
    } catch {
      // not JSON
    }
  }
  return undefined;
}

export interface WorkerTopics {
  input: string;
  output: string;
  dlq: string;
  review: string;
  priority: string;
}

/** Unique topic names for one test, and the env that points a worker at them. */
/** A worker test's Kafka client, topics, env and Redis client; cleans up keys and topics after the test. */
export async function workerTestContext(
  t: TestContext,
  name: string,
  inputPartitions?: number,
): Promise<{
  kafka: KafkaClient;
  topics: WorkerTopics;
  env: Record<string, string>;
  redis: ReturnType<typeof createTestRedis>;
}> {
  const kafka = createTestKafka();
  const { topics, env } = await workerSetup(kafka, name, inputPartitions);
  const redis = createTestRedis();
  t.after(async () => {
    await deleteKeysWithPrefix(redis, env.MODSTREAM_CACHE_KEY_PREFIX!);
    redis.disconnect();
    await deleteTestTopics(...Object.values(topics));
  });
  return { kafka, topics, env, redis };
}

export async function workerSetup(
  kafka: KafkaClient,
  name: string,
  inputPartitions = 4,
): Promise<{ topics: WorkerTopics; env: Record<string, string> }> {
  const base = uniqueName(name);
  const topics: WorkerTopics = {
    input: `${base}.in`,
    output: `${base}.labeled`,
    dlq: `${base}.dlq`,
    review: `${base}.review`,
    priority: `${base}.review.priority`,
  };
  await withAdmin(kafka, (admin) =>
    createTopics(admin, [{ topic: topics.input, partitions: inputPartitions }]),
  );
  const dir = await mkdtemp(join(tmpdir(), 'modstream-worker-test-'));
  const policyFile = join(dir, 'routing-policy.json');
  await writeFile(
    policyFile,
    JSON.stringify({
      match: 'first',
      rules: [
        {
          name: 'priority',
          queue: topics.priority,
          labels: ['vulgarity', 'namecalling', 'pejorative'],
          min_score: 0.9,
        },
        { name: 'review', queue: topics.review },
      ],
    }),
  );
  const env = {
    MODSTREAM_KAFKA_BROKERS: testStackSettings().kafkaBrokers.join(','),
    MODSTREAM_GROUP_ID: `${base}.group`,
    MODSTREAM_INPUT_TOPIC: topics.input,
    MODSTREAM_OUTPUT_TOPIC: topics.output,
    MODSTREAM_DLQ_TOPIC: topics.dlq,
    MODSTREAM_CREATE_TOPICS: 'true',
    MODSTREAM_TOPIC_PARTITIONS: '4',
    MODSTREAM_ROUTING_POLICY_FILE: policyFile,
    MODSTREAM_REDIS_URL: testStackSettings().redisUrl,
    MODSTREAM_CACHE_KEY_PREFIX: `${base}:`,
    // The shared test machine can be slow; a lookup timing out would be a (correct) bypass, not a hit.
    MODSTREAM_REDIS_COMMAND_TIMEOUT_MS: '3000',
    MODSTREAM_INFERENCE_SESSIONS: '2',
    MODSTREAM_INTRA_OP_THREADS: '1',
    MODSTREAM_MAX_TEXT_BYTES: String(MAX_TEXT_BYTES),
    MODSTREAM_SHUTDOWN_DEADLINE_MS: '15000',
    MODSTREAM_LOG_LEVEL: 'info',
  };
  return { topics, env };
}

// ---------------------------------------------------------------- events

export type MalformedKind =
  'invalid_json' | 'invalid_utf8' | 'schema_violation' | 'empty_text' | 'text_too_large';
const MALFORMED_KINDS: MalformedKind[] = [
  'invalid_json',
  'invalid_utf8',
  'schema_violation',
  'empty_text',
  'text_too_large',
];

export interface TestEvent {
  id: string;
  value: Buffer;
  /** The text of a valid event. */
  text?: string;
  malformed?: MalformedKind;
  /** True when an earlier event carried the same text. */
  repeat: boolean;
}

const WORDS = (
  'the this that moderator thread comment reply argument point idea article source claim evidence ' +
  'honestly really clearly never always maybe think believe know said wrong right stupid brilliant ' +
  'nonsense lovely ridiculous awful great terrible fine agree disagree please thanks read again ' +
  'you your they people everyone nobody city council budget park road school weather game team'
).split(' ');

/** Deterministic PRNG (mulberry32) so a failing run can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function syntheticText(rand: () => number, serial: number): string {
  const length = 4 + Math.floor(rand() * 26);
  const words = Array.from({ length }, () => WORDS[Math.floor(rand() * WORDS.length)]);
  return `${words.join(' ')} (${serial})`;
}

/**
 * `count` events keyed by id: a `malformedRatio` share malformed (every kind in turn), a `repeatRatio`
 * share repeating the text of an earlier valid event, the rest with new texts.
 */
export function makeEvents(
  count: number,
  options: { malformedRatio?: number; repeatRatio?: number; idPrefix?: string; seed?: number } = {},
): TestEvent[] {
  const rand = random(options.seed ?? 42);
  const idPrefix = options.idPrefix ?? 'c';
  const malformedEvery = options.malformedRatio ? Math.round(1 / options.malformedRatio) : Infinity;
  const repeatRatio = options.repeatRatio ?? 0;
  const texts: string[] = [];
  const events: TestEvent[] = [];
  let malformedSerial = 0;
  for (let i = 0; i < count; i++) {
    const id = `${idPrefix}${i}`;
    if ((i + 1) % malformedEvery === 0) {
      const kind = MALFORMED_KINDS[malformedSerial++ % MALFORMED_KINDS.length]!;
      events.push({ id, value: malformed(kind, id), malformed: kind, repeat: false });
      continue;
    }
    const repeat = texts.length > 0 && rand() < repeatRatio / (1 - (options.malformedRatio ?? 0));
    const text = repeat ? texts[Math.floor(rand() * texts.length)]! : syntheticText(rand, i);
    if (!repeat) texts.push(text);
    events.push({ id, text, repeat, value: Buffer.from(JSON.stringify({ id, text, author: `u${i % 97}` })) });
  }
  return events;
}

function malformed(kind: MalformedKind, id: string): Buffer {
  switch (kind) {
    case 'invalid_json':
      return Buffer.from(`{"id": "${id}", "text": "unterminated`);
    case 'invalid_utf8':
      return Buffer.concat([
        Buffer.from(`{"id":"${id}","text":"bad `),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}'),
      ]);
    case 'schema_violation':
      return Buffer.from(JSON.stringify({ id, body: 'no text field here' }));
    case 'empty_text':
      return Buffer.from(JSON.stringify({ id, text: '   ' }));
    case 'text_too_large':
      return Buffer.from(JSON.stringify({ id, text: 'long '.repeat(MAX_TEXT_BYTES) }));
  }
}

export async function produceEvents(
  kafka: KafkaClient,
  topic: string,
  events: readonly TestEvent[],
): Promise<void> {
  await produceToTopic(
    kafka,
    topic,
    events.map((event) => ({ key: event.id, value: event.value })),
  );
}

// ---------------------------------------------------------------- outputs

export interface LabeledOut {
  id: string;
  labels: string[];
  scores: Record<string, number>;
  cache_hit: boolean;
  model_version: string;
  source: { topic: string; partition: number; offset: string };
}

export interface DeadLetterOut {
  id: string;
  reason: string;
  source: { topic: string; partition: number; offset: string };
}

/**
 * The Kafka client's default socket factory, remembering the sockets it opened. The client (kafkajs 2.2.4)
 * can leave a connection open after `disconnect()` when the broker restarted meanwhile: a fetch failing with
 * KafkaJSConnectionClosedError drops the broker from the pool (`removeBroker`) without disconnecting it,
 * while the consumer group keeps using that broker object as its coordinator and reconnects it. Such a
 * connection (its socket and its request-timeout interval) keeps the process alive until the broker closes
 * it as idle (`connections.max.idle.ms`, 10 minutes).
 */
export function trackedSockets(): {
  socketFactory: KafkaSocketFactory;
  /** Ends the sockets the client did not end itself and waits until all are closed; returns how many. */
  closeLeaked(timeoutMs?: number): Promise<number>;
} {
  const open = new Set<Socket>();
  return {
    socketFactory: ({ host, port, ssl, onConnect }) => {
      const socket = ssl
        ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
        : netConnect({ host, port }, onConnect);
      socket.setKeepAlive(true, 60_000);
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      return socket;
    },
    closeLeaked: async (timeoutMs = 10_000) => {
      // The client's own disconnect ends its sockets. Ending a forgotten one the same way makes the broker
      // close it too, and the client, seeing 'end', disconnects that connection (clearing its interval).
      const leaked = [...open].filter((socket) => !socket.writableEnded);
      for (const socket of leaked) socket.end();
      await waitFor(() => open.size === 0, { timeoutMs, message: 'kafka sockets closed' }).catch(() => {
        for (const socket of open) socket.destroy();
      });
      return leaked.length;
    },
  };
}

/**
 * Reads the labeled, dead-letter and queue topics from the beginning into memory. Each output message is
 * kept once (by topic, partition and offset), so a redelivery to the collector itself never looks like a
 * duplicate output; a consumer that crashed for good (e.g. a broker restart) is replaced by a new one in
 * the same group. The consumer has a Kafka client of its own (same broker), whose sockets `stop()` closes.
 */
export class OutputCollector {
  readonly labeled: LabeledOut[] = [];
  readonly deadLetters: DeadLetterOut[] = [];
  readonly review: { topic: string; id: string }[] = [];
  /** Crashes of the collector's consumer: the client restarted it, or the collector replaced it. */
  readonly crashes: { error: string; restart: boolean }[] = [];
  /** Connections the client left open after the consumer disconnected, closed by `stop()`. */
  leakedSockets = 0;
  readonly #kafka: KafkaClient;
  readonly #sockets = trackedSockets();
  readonly #consumerKafka = createTestKafka({ socketFactory: this.#sockets.socketFactory });
  readonly #topics: WorkerTopics;
  readonly #groupId = uniqueName('collector');
  readonly #seen = new Set<string>();
  #consumer: GroupConsumer | undefined;
  #stopped = false;

  constructor(kafka: KafkaClient, topics: WorkerTopics) {
    this.#kafka = kafka;
    this.#topics = topics;
  }

  async start(): Promise<void> {
    const { output, dlq, review, priority } = this.#topics;
    const consumer: GroupConsumer = new GroupConsumer(this.#consumerKafka, {
      groupId: this.#groupId,
      topics: [output, dlq, review, priority],
      onRecord: (record) => {
        const position = `${record.topic}:${record.partition}:${record.offset}`;
        if (this.#seen.has(position)) return;
        this.#seen.add(position);
        const value = JSON.parse(record.value?.toString('utf8') ?? 'null') as Record<string, unknown>;
        if (record.topic === output) this.labeled.push(value as unknown as LabeledOut);
        else if (record.topic === dlq) {
          const event = value as unknown as DeadLetterOut;
          this.deadLetters.push({ ...event, id: record.key?.toString('utf8') ?? '' });
        } else this.review.push({ topic: record.topic, id: String(value.id) });
      },
      onCrash: ({ error, restart }) => {
        this.crashes.push({ error: `${error.name}: ${error.message}`, restart });
        if (!restart && !this.#stopped && this.#consumer === consumer) void this.#replace();
      },
    });
    this.#consumer = consumer;
    await consumer.start();
  }

  /** A new consumer in the same group; retried until the broker answers again (or the collector stops). */
  async #replace(): Promise<void> {
    await this.#consumer?.stop().catch(() => undefined);
    while (!this.#stopped) {
      try {
        await this.start();
        return;
      } catch {
        await this.#consumer?.stop().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** Distinct input ids seen on the labeled or dead-letter topic. */
  covered(): Set<string> {
    return new Set([...this.labeled.map((e) => e.id), ...this.deadLetters.map((e) => e.id)]);
  }

  async waitForIds(ids: readonly string[], timeoutMs: number): Promise<void> {
    await waitFor(
      () => {
        const covered = this.covered();
        return ids.every((id) => covered.has(id));
      },
      { timeoutMs, intervalMs: 250, message: `outputs for ${ids.length} ids` },
    ).catch((error: Error) => {
      const covered = this.covered();
      const missing = ids.filter((id) => !covered.has(id));
      throw new Error(`${error.message}; ${missing.length} missing, e.g. ${missing.slice(0, 5).join(', ')}`);
    });
  }

  /** Waits until this collector read every message written so far to the output topics. */
  async waitCaughtUp(timeoutMs = 30_000): Promise<void> {
    const topics = [this.#topics.output, this.#topics.dlq, this.#topics.review, this.#topics.priority];
    const expected = await withAdmin(this.#kafka, async (admin) => {
      let sum = 0;
      for (const topic of topics) {
        for (const partition of await admin.watermarks(topic)) sum += Number(partition.high);
      }
      return sum;
    });
    await waitFor(() => this.labeled.length + this.deadLetters.length + this.review.length >= expected, {
      timeoutMs,
      message: `collector caught up to ${expected} messages`,
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    try {
      await this.#consumer?.stop();
    } finally {
      this.leakedSockets += await this.#sockets.closeLeaked();
    }
  }
}

/** Counts of output messages per input id: exactly-one checks, duplicates. */
export function tally(collector: OutputCollector, events: readonly TestEvent[]) {
  const counts = new Map<string, number>();
  for (const { id } of [...collector.labeled, ...collector.deadLetters])
    counts.set(id, (counts.get(id) ?? 0) + 1);
  const missing = events.filter((event) => !counts.has(event.id)).map((event) => event.id);
  const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  return { counts, missing, duplicates };
}
