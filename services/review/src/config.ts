import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseUsersFile, type User } from './users.js';

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

/** A comma-separated list, empty entries ignored. */
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    );

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name');

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

const envSchema = z.object({
  MODSTREAM_KAFKA_BROKERS: list('').pipe(
    z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1, {
      error: 'required (comma-separated host:port list)',
    }),
  ),
  MODSTREAM_KAFKA_CLIENT_ID: text('modstream-review'),
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
  MODSTREAM_REVIEW_QUEUE_TOPICS: list('comments.review.priority,comments.review').pipe(
    z.array(topicName).min(1, { error: 'at least one queue topic' }),
  ),
  MODSTREAM_REVIEW_DECISIONS_TOPIC: text('comments.decisions').pipe(topicName),
  MODSTREAM_REVIEW_DLQ_TOPIC: text('comments.decisions.dlq').pipe(topicName),
  MODSTREAM_REVIEW_CREATE_TOPICS: flag(false),
  MODSTREAM_REVIEW_TOPIC_PARTITIONS: integer(4, 1),
  MODSTREAM_REVIEW_GROUP_ID_PREFIX: text('modstream-review'),
  MODSTREAM_REVIEW_USERS_FILE: optionalText,
  MODSTREAM_REVIEW_HTTP_PORT: integer(8080, 0).pipe(z.number().max(65_535)),
  MODSTREAM_REVIEW_COOKIE_SECURE: flag(true),
  MODSTREAM_REVIEW_SESSION_IDLE_MINUTES: integer(60, 1),
  MODSTREAM_REVIEW_SESSION_MAX_HOURS: integer(12, 1),
  MODSTREAM_REVIEW_WORKER_METRICS_URL: list('').pipe(z.array(httpUrl)),
  MODSTREAM_REVIEW_SCRAPE_INTERVAL_MS: integer(5_000, 250),
  MODSTREAM_REVIEW_TEXT_CACHE_ENTRIES: integer(10_000, 1),
  MODSTREAM_REVIEW_QUEUE_PAGE_SIZE: integer(50, 1).pipe(z.number().max(500)),
  MODSTREAM_REVIEW_SHUTDOWN_DEADLINE_MS: integer(10_000, 1),
  MODSTREAM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type Env = z.output<typeof envSchema>;

export interface ReviewKafkaConfig {
  brokers: string[];
  clientId: string;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  tls?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized: boolean };
}

export interface ReviewConfig {
  kafka: ReviewKafkaConfig;
  /** Review queue topics the worker writes (modstream.review.v1), in tab order. */
  queueTopics: string[];
  decisionsTopic: string;
  deadLetterTopic: string;
  /** Create the decisions and dead-letter topics at start (development clusters). */
  createTopics: boolean;
  topicPartitions: number;
  /** Each instance reads everything with its own group: `<prefix>.<unique suffix>`. */
  groupIdPrefix: string;
  usersFile: string;
  /** The moderators who may sign in, read from `usersFile` once at start. */
  users: User[];
  http: {
    port: number;
    /** Session cookies carry `Secure` (off only for local http). */
    cookieSecure: boolean;
    sessionIdleMs: number;
    sessionMaxMs: number;
  };
  /** The worker's /metrics endpoints, summed; none: the overview shows what the topics tell. */
  workerMetricsUrls: string[];
  /** How often worker metrics, topic watermarks and queue depths are sampled for the overview. */
  scrapeIntervalMs: number;
  textCacheEntries: number;
  queuePageSize: number;
  shutdownDeadlineMs: number;
  logLevel: Env['MODSTREAM_LOG_LEVEL'];
}

/**
 * Reads the MODSTREAM_* variables and the users file once; throws a ConfigError listing every problem
 * (the users file's included).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  readText: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): ReviewConfig {
  const problems = crossFieldProblems(env);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    problems.unshift(
      ...parsed.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(env)'}: ${issue.message}`,
      ),
    );
  }
  const usersFile = (env.MODSTREAM_REVIEW_USERS_FILE ?? '').trim();
  let users: User[] = [];
  if (usersFile === '') {
    problems.push('MODSTREAM_REVIEW_USERS_FILE: required (JSON file of moderators and password hashes)');
  } else {
    let content: string | undefined;
    try {
      content = readText(usersFile);
    } catch (error) {
      problems.push(`MODSTREAM_REVIEW_USERS_FILE: cannot read ${usersFile} (${(error as Error).message})`);
    }
    if (content !== undefined) {
      const result = parseUsersFile(content);
      if (result.ok) users = result.users;
      else problems.push(...result.problems.map((problem) => `MODSTREAM_REVIEW_USERS_FILE: ${problem}`));
    }
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const saslMechanism = e.MODSTREAM_KAFKA_SASL_MECHANISM;
  return {
    kafka: {
      brokers: e.MODSTREAM_KAFKA_BROKERS,
      clientId: e.MODSTREAM_KAFKA_CLIENT_ID,
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
    },
    queueTopics: [...new Set(e.MODSTREAM_REVIEW_QUEUE_TOPICS)],
    decisionsTopic: e.MODSTREAM_REVIEW_DECISIONS_TOPIC,
    deadLetterTopic: e.MODSTREAM_REVIEW_DLQ_TOPIC,
    createTopics: e.MODSTREAM_REVIEW_CREATE_TOPICS,
    topicPartitions: e.MODSTREAM_REVIEW_TOPIC_PARTITIONS,
    groupIdPrefix: e.MODSTREAM_REVIEW_GROUP_ID_PREFIX,
    usersFile,
    users,
    http: {
      port: e.MODSTREAM_REVIEW_HTTP_PORT,
      cookieSecure: e.MODSTREAM_REVIEW_COOKIE_SECURE,
      sessionIdleMs: e.MODSTREAM_REVIEW_SESSION_IDLE_MINUTES * 60_000,
      sessionMaxMs: e.MODSTREAM_REVIEW_SESSION_MAX_HOURS * 3_600_000,
    },
    workerMetricsUrls: e.MODSTREAM_REVIEW_WORKER_METRICS_URL,
    scrapeIntervalMs: e.MODSTREAM_REVIEW_SCRAPE_INTERVAL_MS,
    textCacheEntries: e.MODSTREAM_REVIEW_TEXT_CACHE_ENTRIES,
    queuePageSize: e.MODSTREAM_REVIEW_QUEUE_PAGE_SIZE,
    shutdownDeadlineMs: e.MODSTREAM_REVIEW_SHUTDOWN_DEADLINE_MS,
    logLevel: e.MODSTREAM_LOG_LEVEL,
  };
}

function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const value = (name: string) => (env[name] ?? '').trim();
  const problems: string[] = [];
  if (value('MODSTREAM_KAFKA_SASL_MECHANISM') !== '') {
    for (const name of ['MODSTREAM_KAFKA_SASL_USERNAME', 'MODSTREAM_KAFKA_SASL_PASSWORD']) {
      if (value(name) === '') problems.push(`${name}: required when MODSTREAM_KAFKA_SASL_MECHANISM is set`);
    }
  }
  if ((value('MODSTREAM_KAFKA_TLS_CERT_FILE') === '') !== (value('MODSTREAM_KAFKA_TLS_KEY_FILE') === '')) {
    problems.push('MODSTREAM_KAFKA_TLS_CERT_FILE and MODSTREAM_KAFKA_TLS_KEY_FILE: set both or neither');
  }
  const topics = [
    value('MODSTREAM_REVIEW_DECISIONS_TOPIC') || 'comments.decisions',
    value('MODSTREAM_REVIEW_DLQ_TOPIC') || 'comments.decisions.dlq',
  ];
  const queues = (value('MODSTREAM_REVIEW_QUEUE_TOPICS') || 'comments.review.priority,comments.review')
    .split(',')
    .map((topic) => topic.trim());
  if (topics[0] === topics[1]) {
    problems.push('MODSTREAM_REVIEW_DLQ_TOPIC: must differ from MODSTREAM_REVIEW_DECISIONS_TOPIC');
  }
  for (const topic of topics) {
    if (queues.includes(topic)) {
      problems.push(`MODSTREAM_REVIEW_QUEUE_TOPICS: ${topic} is also the decisions or dead-letter topic`);
    }
  }
  return problems;
}
