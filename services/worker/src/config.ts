import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DEAD_LETTER_MAX_ORIGINAL_BYTES } from '@modstream/events';
import { DEFAULT_MAX_REQUEST_BYTES } from '@modstream/kafka-io';
import { topicSettings, type OutputTopics } from '@modstream/moderation';
import { z } from 'zod';

/** Raised with every configuration problem found, one line each, naming the variable. */
export class ConfigError extends Error {
  readonly kind = 'config';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const text = (fallback: string) => z.string().trim().default(fallback);
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));
const integer = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * ONNX sessions × intra-op threads for a CPU count: one single-threaded session per core. Since each labeled
 * event is published as soon as it is ready, a second session lets a new comment start while a batch runs:
 * on 2 cores 2 × 1 matched 1 × 2 in cache-miss throughput and cut p99 under half load from 155 ms to 50 ms,
 * for about 190 MiB more RSS (the weights are held per session; docs/BENCHMARKS.md).
 */
export function defaultInferenceLayout(cores: number): { sessions: number; intraOpThreads: number } {
  return { sessions: Math.max(1, cores), intraOpThreads: 1 };
}

const inferenceLayout = defaultInferenceLayout(availableParallelism());

export const DEFAULT_MODEL_DIR = 'models/incivility-minilm-l6';

/** The repository root: three levels above this file in src/ or dist/. */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The one model-directory resolver. A configured directory (MODSTREAM_MODEL_DIR, MODSTREAM_SHADOW_MODEL_DIR)
 * that is relative is looked up in the working directory first, then in the repository root.
 */
function resolveModelDir(dir: string): string {
  if (isAbsolute(dir)) return dir;
  const fromCwd = resolve(dir);
  return existsSync(fromCwd) ? fromCwd : resolve(repoRoot, dir);
}

const modelDir = optionalText.transform((value) => resolveModelDir(value ?? DEFAULT_MODEL_DIR));
const shadowModelDir = optionalText.transform((value) =>
  value === undefined ? undefined : resolveModelDir(value),
);

/** Smallest produce request size accepted: room for a labeled event with its passthrough fields. */
const MIN_REQUEST_BYTES = 65_536;
/** A dead letter's fields besides the original: error, source, key (at most 1 KiB in base64), hashes. */
const DEAD_LETTER_FIELDS_BYTES = 4_096;

/** A comma-separated host:port list (empty entries ignored). */
export const brokerListSchema = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker !== ''),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')));

/** One setting per output kind that has a topic (MODSTREAM_OUTPUT_TOPIC, ...), as OUTPUT_KINDS declares. */
const outputTopicsSchema = z
  .object(Object.fromEntries(topicSettings().map(([, setting]) => [setting.env, text(setting.default)])))
  .transform(
    (values) =>
      Object.fromEntries(
        topicSettings().map(([kind, setting]) => [kind, String(values[setting.env])]),
      ) as OutputTopics,
  );

const envSchema = z.object({
  MODSTREAM_KAFKA_BROKERS: brokerListSchema,
  MODSTREAM_KAFKA_CLIENT_ID: text('modstream'),
  MODSTREAM_GROUP_ID: text('modstream-worker'),
  MODSTREAM_INPUT_TOPIC: text('comments'),
  MODSTREAM_CREATE_TOPICS: flag(false),
  MODSTREAM_TOPIC_PARTITIONS: integer(4, 1),
  MODSTREAM_KAFKA_SASL_MECHANISM: z
    .enum(['', 'plain', 'scram-sha-256', 'scram-sha-512'], {
      error: 'expected plain, scram-sha-256 or scram-sha-512',
    })
    .default('')
    .transform((value) => (value === '' ? undefined : value)),
  MODSTREAM_KAFKA_SASL_USERNAME: optionalText,
  MODSTREAM_KAFKA_SASL_PASSWORD: optionalText,
  MODSTREAM_KAFKA_TLS: flag(false),
  MODSTREAM_KAFKA_TLS_CA_FILE: optionalText,
  MODSTREAM_KAFKA_TLS_CERT_FILE: optionalText,
  MODSTREAM_KAFKA_TLS_KEY_FILE: optionalText,
  MODSTREAM_KAFKA_TLS_REJECT_UNAUTHORIZED: flag(true),
  MODSTREAM_CONSUME_CHUNK_SIZE: integer(256, 1),
  MODSTREAM_PARTITIONS_CONCURRENTLY: integer(4, 1),
  MODSTREAM_SESSION_TIMEOUT_MS: integer(30_000, 6_000),
  MODSTREAM_REDIS_URL: z
    .string()
    .trim()
    .default('')
    .refine(
      (value) => value === '' || /^rediss?:\/\//.test(value),
      'expected redis:// or rediss:// (or empty)',
    ),
  MODSTREAM_REDIS_USERNAME: optionalText,
  MODSTREAM_REDIS_PASSWORD: optionalText,
  MODSTREAM_REDIS_TLS_CA_FILE: optionalText,
  MODSTREAM_REDIS_COMMAND_TIMEOUT_MS: integer(500, 1),
  MODSTREAM_CACHE_TTL_SECONDS: integer(604_800, 1),
  MODSTREAM_CACHE_KEY_PREFIX: z.string().default('modstream:'),
  MODSTREAM_CACHE_MEMORY_ENTRIES: integer(100_000, 1),
  MODSTREAM_MODEL_DIR: modelDir,
  MODSTREAM_INFERENCE_SESSIONS: integer(inferenceLayout.sessions, 1),
  MODSTREAM_INTRA_OP_THREADS: integer(inferenceLayout.intraOpThreads, 1),
  MODSTREAM_BATCH_MAX_ITEMS: integer(16, 1),
  MODSTREAM_BATCH_MAX_TOKENS: integer(2048, 1),
  // 0: a batch leaves as soon as a session is free and fills while it is busy. Paced at half the worker's
  // capacity, p99 was 387 ms with 0, 819 ms with 3 and 1,176 ms with 10 (bench/latency-breakdown.ts).
  MODSTREAM_BATCH_MAX_WAIT_MS: integer(0, 0),
  MODSTREAM_MAX_IN_FLIGHT: integer(256, 1),
  MODSTREAM_MAX_TEXT_BYTES: integer(16_384, 1),
  MODSTREAM_DLQ_MAX_ORIGINAL_BYTES: integer(DEFAULT_DEAD_LETTER_MAX_ORIGINAL_BYTES, 0),
  MODSTREAM_KAFKA_MAX_REQUEST_BYTES: integer(DEFAULT_MAX_REQUEST_BYTES, MIN_REQUEST_BYTES),
  MODSTREAM_ROUTING_POLICY_FILE: optionalText,
  MODSTREAM_SHADOW_MODEL_DIR: shadowModelDir,
  MODSTREAM_SHADOW_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.1),
  MODSTREAM_SHADOW_SESSIONS: integer(1, 1),
  MODSTREAM_SHADOW_MAX_PENDING: integer(64, 1),
  // The shadow's latency does not matter: a long wait fills its batches, which costs the main path less CPU.
  MODSTREAM_SHADOW_BATCH_MAX_WAIT_MS: integer(1_000, 0),
  MODSTREAM_HTTP_PORT: integer(9464, 0).pipe(z.number().max(65_535)),
  MODSTREAM_SHUTDOWN_DEADLINE_MS: integer(20_000, 1),
  MODSTREAM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MODSTREAM_LOG_TEXT: flag(false),
});

type Env = z.output<typeof envSchema>;

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  groupId: string;
  inputTopic: string;
  /** The topic of every output kind that has one setting (@modstream/moderation OUTPUT_KINDS). */
  outputTopics: OutputTopics;
  createTopics: boolean;
  topicPartitions: number;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  tls?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized: boolean };
  chunkSize: number;
  partitionsConcurrently: number;
  sessionTimeoutMs: number;
  /** Produce requests are split to stay under this; a single output above it becomes a dead letter. */
  maxRequestBytes: number;
}

export interface WorkerConfig {
  kafka: KafkaConfig;
  redis?: { url: string; username?: string; password?: string; tlsCaFile?: string; commandTimeoutMs: number };
  cache: { ttlSeconds: number; keyPrefix: string; memoryEntries: number };
  /** `dir` is absolute (resolveModelDir). */
  model: { dir: string; sessions: number; intraOpThreads: number };
  batch: { maxItems: number; maxTokens: number; maxWaitMs: number; maxInFlight: number };
  maxTextBytes: number;
  /** Bytes of the original message a dead letter carries; the rest is described by size and sha256. */
  dlqMaxOriginalBytes: number;
  routingPolicyFile?: string;
  /** A candidate bundle scored on a sample of comments, on the side (MODSTREAM_SHADOW_*); `dir` is absolute. */
  shadow?: {
    dir: string;
    sampleRate: number;
    topic: string;
    sessions: number;
    maxPending: number;
    batchMaxWaitMs: number;
  };
  httpPort: number;
  shutdownDeadlineMs: number;
  logLevel: Env['MODSTREAM_LOG_LEVEL'];
  logText: boolean;
  /** Spans are recorded when OTEL_TRACES_EXPORTER names an exporter (the SDK reads the other OTEL_* variables). */
  tracing: boolean;
}

export type ConfigMode = 'worker' | 'embedded';

/** Reads the MODSTREAM_* variables once; throws a ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv, mode: ConfigMode = 'worker'): WorkerConfig {
  const problems = crossFieldProblems(env, mode);
  const parsed = envSchema.safeParse(env);
  const topics = outputTopicsSchema.safeParse(env);
  for (const result of [parsed, topics]) {
    if (result.success) continue;
    problems.unshift(
      ...result.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(env)'}: ${issue.message}`,
      ),
    );
  }
  if (parsed.success) problems.push(...outputSizeProblems(parsed.data));
  if (!parsed.success || !topics.success || problems.length > 0) throw new ConfigError(problems);
  const outputTopics = topics.data;
  const e = parsed.data;
  const saslMechanism = e.MODSTREAM_KAFKA_SASL_MECHANISM;

  return {
    kafka: {
      brokers: e.MODSTREAM_KAFKA_BROKERS,
      clientId: e.MODSTREAM_KAFKA_CLIENT_ID,
      groupId: e.MODSTREAM_GROUP_ID,
      inputTopic: e.MODSTREAM_INPUT_TOPIC,
      outputTopics,
      createTopics: e.MODSTREAM_CREATE_TOPICS,
      topicPartitions: e.MODSTREAM_TOPIC_PARTITIONS,
      sasl:
        saslMechanism === undefined
          ? undefined
          : {
              mechanism: saslMechanism,
              username: e.MODSTREAM_KAFKA_SASL_USERNAME ?? '',
              password: e.MODSTREAM_KAFKA_SASL_PASSWORD ?? '',
            },
      tls: e.MODSTREAM_KAFKA_TLS
        ? {
            caFile: e.MODSTREAM_KAFKA_TLS_CA_FILE,
            certFile: e.MODSTREAM_KAFKA_TLS_CERT_FILE,
            keyFile: e.MODSTREAM_KAFKA_TLS_KEY_FILE,
            rejectUnauthorized: e.MODSTREAM_KAFKA_TLS_REJECT_UNAUTHORIZED,
          }
        : undefined,
      chunkSize: e.MODSTREAM_CONSUME_CHUNK_SIZE,
      partitionsConcurrently: e.MODSTREAM_PARTITIONS_CONCURRENTLY,
      sessionTimeoutMs: e.MODSTREAM_SESSION_TIMEOUT_MS,
      maxRequestBytes: e.MODSTREAM_KAFKA_MAX_REQUEST_BYTES,
    },
    redis:
      e.MODSTREAM_REDIS_URL === ''
        ? undefined
        : {
            url: e.MODSTREAM_REDIS_URL,
            username: e.MODSTREAM_REDIS_USERNAME,
            password: e.MODSTREAM_REDIS_PASSWORD,
            tlsCaFile: e.MODSTREAM_REDIS_TLS_CA_FILE,
            commandTimeoutMs: e.MODSTREAM_REDIS_COMMAND_TIMEOUT_MS,
          },
    cache: {
      ttlSeconds: e.MODSTREAM_CACHE_TTL_SECONDS,
      keyPrefix: e.MODSTREAM_CACHE_KEY_PREFIX,
      memoryEntries: e.MODSTREAM_CACHE_MEMORY_ENTRIES,
    },
    model: {
      dir: e.MODSTREAM_MODEL_DIR,
      sessions: e.MODSTREAM_INFERENCE_SESSIONS,
      intraOpThreads: e.MODSTREAM_INTRA_OP_THREADS,
    },
    batch: {
      maxItems: e.MODSTREAM_BATCH_MAX_ITEMS,
      maxTokens: e.MODSTREAM_BATCH_MAX_TOKENS,
      maxWaitMs: e.MODSTREAM_BATCH_MAX_WAIT_MS,
      maxInFlight: e.MODSTREAM_MAX_IN_FLIGHT,
    },
    maxTextBytes: e.MODSTREAM_MAX_TEXT_BYTES,
    dlqMaxOriginalBytes: e.MODSTREAM_DLQ_MAX_ORIGINAL_BYTES,
    routingPolicyFile: e.MODSTREAM_ROUTING_POLICY_FILE,
    shadow:
      e.MODSTREAM_SHADOW_MODEL_DIR === undefined
        ? undefined
        : {
            dir: e.MODSTREAM_SHADOW_MODEL_DIR,
            sampleRate: e.MODSTREAM_SHADOW_SAMPLE_RATE,
            topic: outputTopics.shadow,
            sessions: e.MODSTREAM_SHADOW_SESSIONS,
            maxPending: e.MODSTREAM_SHADOW_MAX_PENDING,
            batchMaxWaitMs: e.MODSTREAM_SHADOW_BATCH_MAX_WAIT_MS,
          },
    httpPort: e.MODSTREAM_HTTP_PORT,
    shutdownDeadlineMs: e.MODSTREAM_SHUTDOWN_DEADLINE_MS,
    logLevel: e.MODSTREAM_LOG_LEVEL,
    logText: e.MODSTREAM_LOG_TEXT,
    tracing: (env.OTEL_TRACES_EXPORTER ?? 'none').trim() !== 'none',
  };
}

function crossFieldProblems(env: NodeJS.ProcessEnv, mode: ConfigMode): string[] {
  const isSet = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (mode === 'worker' && !isSet('MODSTREAM_KAFKA_BROKERS')) {
    problems.push('MODSTREAM_KAFKA_BROKERS: required (comma-separated host:port list)');
  }
  if (isSet('MODSTREAM_KAFKA_SASL_MECHANISM')) {
    for (const name of ['MODSTREAM_KAFKA_SASL_USERNAME', 'MODSTREAM_KAFKA_SASL_PASSWORD']) {
      if (!isSet(name)) problems.push(`${name}: required when MODSTREAM_KAFKA_SASL_MECHANISM is set`);
    }
  }
  if (isSet('MODSTREAM_KAFKA_TLS_CERT_FILE') !== isSet('MODSTREAM_KAFKA_TLS_KEY_FILE')) {
    problems.push('MODSTREAM_KAFKA_TLS_CERT_FILE and MODSTREAM_KAFKA_TLS_KEY_FILE: set both or neither');
  }
  return problems;
}

/**
 * A dead letter (its original's base64 plus its fields) must fit in one produce request, or every
 * dead letter would be replaced by a minimal one.
 */
function outputSizeProblems(e: Env): string[] {
  const maxRequestBytes = e.MODSTREAM_KAFKA_MAX_REQUEST_BYTES;
  const maxOriginalBytes = e.MODSTREAM_DLQ_MAX_ORIGINAL_BYTES;
  const deadLetterBytes = Math.ceil(maxOriginalBytes / 3) * 4 + DEAD_LETTER_FIELDS_BYTES;
  if (deadLetterBytes + MIN_REQUEST_BYTES / 2 <= maxRequestBytes) return [];
  return [
    `MODSTREAM_DLQ_MAX_ORIGINAL_BYTES: a dead letter of ${maxOriginalBytes} original bytes takes about ` +
      `${deadLetterBytes} bytes, too close to MODSTREAM_KAFKA_MAX_REQUEST_BYTES (${maxRequestBytes})`,
  ];
}

/**
 * The bundle a model command (classify, explain, eval) runs on: its --model flag, relative to the working
 * directory, else MODSTREAM_MODEL_DIR (or the default bundle) resolved as for the worker.
 */
export function commandModelDir(env: NodeJS.ProcessEnv, flag: string | undefined): string {
  return flag === undefined ? modelDir.parse(env.MODSTREAM_MODEL_DIR) : resolve(flag);
}
