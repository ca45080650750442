import { parseArgs } from 'node:util';
import {
  createKafkaClient,
  kafkaClientOptions,
  KafkaConnectError,
  readTopic,
  TopicNotFoundError,
} from '@modstream/kafka-io';
import { ShadowReportBuilder } from '@modstream/moderation';
import { ConfigError, loadConfig } from '../config.js';
import { positiveInteger, UsageError, runSubcommand } from './command-args.js';
import {
  isDuration,
  parseBrokers,
  parseSince,
  shadowReportJson,
  shadowReportTable,
} from './shadow-report-output.js';

const USAGE = `usage: modstream shadow report --topic <shadow topic> [--since <time|duration>] [--brokers host:port,...]
                               [--json] [--samples <n>]
  Reads the shadow topic (modstream.shadow.v1 events, written by a worker with MODSTREAM_SHADOW_MODEL_DIR)
  once, from --since (an ISO time like 2026-12-04T10:00:00Z, or a duration back from now: 30m, 2h, 7d;
  default: the beginning) to its end when the command started, and prints per primary/shadow version pair
  and label: comments sampled (n), agreement (share of comments where both models decide the same), the
  flagged rate of each model, the change in flagged rate (percentage points and relative), and up to
  --samples (default 5) comment ids where only the primary or only the shadow flags the label.
  --json prints the same as one JSON object (rates as fractions). Events that are not valid shadow events
  are counted as invalid; repeated comment ids (at-least-once redelivery) are counted once.
  Brokers come from --brokers, else MODSTREAM_KAFKA_BROKERS; MODSTREAM_KAFKA_CLIENT_ID and the SASL and TLS
  variables (MODSTREAM_KAFKA_SASL_*, MODSTREAM_KAFKA_TLS*) apply as for the worker. The read uses a
  throwaway consumer group named modstream-shadow-report-<random>, deleted afterwards; nothing is committed.
  It compares the two models with each other only: a comparison with moderator decisions will come once a
  decisions topic exists.
  Exit codes: 0 report printed; 1 Kafka unreachable or refusing the credentials, the topic missing, or the
  read failing; 2 usage or configuration error.
`;

const OPTIONS = {
  topic: { type: 'string' },
  since: { type: 'string' },
  brokers: { type: 'string' },
  json: { type: 'boolean', default: false },
  samples: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

interface ReportOptions {
  topic: string;
  since: Date | undefined;
  sinceDuration: string | undefined;
  brokers: string[] | undefined;
  json: boolean;
  samples: number;
}

/** `modstream shadow report`: the rollout report of a shadow topic. */
export function run(args: string[]): Promise<number> {
  return runSubcommand<ReportOptions>(args, {
    command: 'modstream shadow',
    subcommand: 'report',
    usage: USAGE,
    parse: parseReportArgs,
    run: report,
  });
}

function parseReportArgs(args: string[]): ReportOptions | 'help' {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (values.topic === undefined || values.topic.trim() === '') throw new UsageError('--topic is required');
  const samples = values.samples === '0' ? 0 : positiveInteger(values.samples, 'samples', 5);
  return {
    topic: values.topic.trim(),
    since: values.since === undefined ? undefined : parseSince(values.since),
    sinceDuration: values.since !== undefined && isDuration(values.since) ? values.since.trim() : undefined,
    brokers: values.brokers === undefined ? undefined : parseBrokers(values.brokers),
    json: values.json,
    samples,
  };
}

async function report(options: ReportOptions): Promise<number> {
  const fail = (code: number, message: string) => {
    process.stderr.write(`modstream shadow report: ${message}\n`);
    return code;
  };
  let config;
  try {
    config = loadConfig(process.env, 'embedded');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(2, error.message);
  }
  const brokers = options.brokers ?? config.kafka.brokers;
  if (brokers.length === 0) {
    process.stderr.write(
      `modstream shadow report: no brokers: pass --brokers or set MODSTREAM_KAFKA_BROKERS\n${USAGE}`,
    );
    return 2;
  }

  let connection;
  try {
    connection = await kafkaClientOptions({ ...config.kafka, brokers });
  } catch (error) {
    return fail(2, `cannot read a MODSTREAM_KAFKA_TLS_* file: ${(error as Error).message}`);
  }
  const client = createKafkaClient({ ...connection, connectionTimeoutMs: 5_000, retries: 3 });
  const builder = new ShadowReportBuilder({ samples: options.samples });
  let read;
  try {
    read = await readTopic(client, options.topic, {
      ...(options.since === undefined ? {} : { since: options.since }),
      groupIdPrefix: 'modstream-shadow-report',
      onRecord: (record) => builder.addMessage(record.value),
    });
  } catch (error) {
    if (error instanceof KafkaConnectError) {
      const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
      return fail(1, `cannot connect to Kafka at ${brokers.join(',')}: ${cause}`);
    }
    if (error instanceof TopicNotFoundError) return fail(1, `topic ${options.topic} does not exist`);
    return fail(1, `reading ${options.topic} failed: ${(error as Error).message}`);
  }
  const info = {
    topic: options.topic,
    since: options.since,
    sinceDuration: options.sinceDuration,
    partitions: read.partitions,
  };
  const result = builder.build();
  process.stdout.write(
    options.json ? `${JSON.stringify(shadowReportJson(result, info))}\n` : shadowReportTable(result, info),
  );
  return 0;
}
