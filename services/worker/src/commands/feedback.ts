import { open, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { LABELS } from '@modstream/classifier';
import {
  createKafkaClient,
  kafkaClientOptions,
  KafkaConnectError,
  TopicNotFoundError,
} from '@modstream/kafka-io';
import { exportFeedback, type FeedbackExportResult } from '@modstream/review';
import { ConfigError, loadConfig } from '../config.js';
import { UsageError, runSubcommand } from './command-args.js';
import { parseBrokers, parseSince } from './shadow-report-output.js';

const DEFAULT_DECISIONS_TOPIC = 'comments.decisions';

const USAGE = `usage: modstream feedback export --out <file.jsonl> [--since <time|duration>] [--brokers host:port,...]
                                [--decisions-topic <topic>]
  Writes the comments moderators decided in the review app as training rows, one JSON object a line:
  {"id", "source": "moderation", "text", and the 10 labels as 0/1 in model order}, 1 for the labels the
  moderator says hold (approve: none; remove: the flagged labels; relabel: the ticked ones). The format of
  the silver set's rows: merge the file into a training folder's train.jsonl and run
  \`python -m training.train --data <folder>\` (docs/OPERATIONS.md, "The feedback loop").
  Reads the decisions topic once, from its beginning to its end when the command started (the first
  decision per comment wins), keeps the decisions made at or after --since (an ISO time like
  2026-12-04T10:00:00Z, or a duration back from now: 30m, 24h, 7d; default: all), and fetches each text
  from the input topic by the decision's source offset. A comment whose input is gone from the log
  (retention, compaction) is skipped and counted. --out - writes to stdout; otherwise the file appears
  only once complete.
  --decisions-topic defaults to MODSTREAM_REVIEW_DECISIONS_TOPIC, else ${DEFAULT_DECISIONS_TOPIC}. Brokers come
  from --brokers, else MODSTREAM_KAFKA_BROKERS; MODSTREAM_KAFKA_CLIENT_ID and the SASL and TLS variables
  (MODSTREAM_KAFKA_SASL_*, MODSTREAM_KAFKA_TLS*) apply as for the worker. The read uses a throwaway consumer
  group named modstream-feedback-export-<random>, deleted afterwards; nothing is committed.
  Prints counts to stderr. Exit codes: 0 written; 1 Kafka unreachable or refusing the credentials, the
  topic missing, the read or the file failing; 2 usage or configuration error.
`;

const OPTIONS = {
  out: { type: 'string' },
  since: { type: 'string' },
  brokers: { type: 'string' },
  'decisions-topic': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

interface ExportOptions {
  out: string;
  since: Date | undefined;
  brokers: string[] | undefined;
  decisionsTopic: string;
}

/** `modstream feedback export`: moderators' decisions as training rows. */
export function run(args: string[]): Promise<number> {
  return runSubcommand<ExportOptions>(args, {
    command: 'modstream feedback',
    subcommand: 'export',
    usage: USAGE,
    parse: parseExportArgs,
    run: exportCommand,
  });
}

function parseExportArgs(args: string[]): ExportOptions | 'help' {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (values.out === undefined || values.out.trim() === '') throw new UsageError('--out is required');
  const topic = (
    values['decisions-topic'] ??
    process.env.MODSTREAM_REVIEW_DECISIONS_TOPIC ??
    DEFAULT_DECISIONS_TOPIC
  ).trim();
  if (topic === '') throw new UsageError('--decisions-topic must not be empty');
  return {
    out: values.out.trim(),
    since: values.since === undefined ? undefined : parseSince(values.since),
    brokers: values.brokers === undefined ? undefined : parseBrokers(values.brokers),
    decisionsTopic: topic,
  };
}

async function exportCommand(options: ExportOptions): Promise<number> {
  const fail = (code: number, message: string) => {
    process.stderr.write(`modstream feedback export: ${message}\n`);
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
      `modstream feedback export: no brokers: pass --brokers or set MODSTREAM_KAFKA_BROKERS\n${USAGE}`,
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

  const toStdout = options.out === '-';
  const partial = `${options.out}.partial-${process.pid}`;
  let out: Writable = process.stdout;
  if (!toStdout) {
    try {
      out = (await open(partial, 'wx')).createWriteStream();
    } catch (error) {
      return fail(1, `cannot write ${options.out}: ${(error as Error).message}`);
    }
    // A write error rejects the export's wait for 'drain' or `finished` below.
    out.on('error', () => undefined);
  }
  let result: FeedbackExportResult;
  try {
    result = await exportFeedback({
      client,
      decisionsTopic: options.decisionsTopic,
      ...(options.since === undefined ? {} : { since: options.since }),
      out,
      labels: LABELS,
    });
    if (!toStdout) {
      out.end();
      await finished(out);
      await rename(partial, options.out);
    }
  } catch (error) {
    if (!toStdout) {
      out.destroy();
      await rm(partial, { force: true });
    }
    if (error instanceof KafkaConnectError) {
      const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
      return fail(1, `cannot connect to Kafka at ${brokers.join(',')}: ${cause}`);
    }
    if (error instanceof TopicNotFoundError) return fail(1, `topic ${error.topic} does not exist`);
    return fail(1, `export failed: ${(error as Error).message}`);
  }
  process.stderr.write(
    `modstream feedback export: wrote ${result.written} rows to ${toStdout ? 'stdout' : options.out}` +
      ` (decision events ${result.decisions}, repeated ${result.duplicates}, invalid ${result.invalid};` +
      ` first decisions before --since ${result.beforeSince}, input gone ${result.gone},` +
      ` labels of another model ${result.unknownLabels})\n`,
  );
  return 0;
}
