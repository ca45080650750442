import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { once } from 'node:events';
import { ClassifierPool } from '@modstream/classifier';
import { MemoryLabelCache } from '@modstream/label-cache';
import { ConfigError, loadConfig, resolveModelDir } from '../config.js';
import { createWorkerLogger } from '../observability.js';
import type { PipelineRecord } from '@modstream/moderation';
import { createModeration } from '../moderation.js';

const USAGE = 'usage: modstream embedded [file.jsonl]   (reads stdin without a file or with "-")\n';
/** Chunks handled at once; outputs are still written in input order. */
const CHUNKS_IN_FLIGHT = 4;

/**
 * `modstream embedded`: the worker's pipeline (decode, cache, batcher, classifier, routing) from a
 * JSONL file or stdin to stdout as JSONL (labeled, review and dead-letter events, each with its
 * `schema`), with an in-memory cache and no Kafka or Redis. A summary goes to stderr.
 */
export async function run(args: string[]): Promise<number> {
  // A reader that stops early (`| head`) closes stdout: end quietly, as Unix filters do on SIGPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  if (args.length > 1 || args[0] === '--help' || args[0] === '-h') {
    process.stderr.write(USAGE);
    return args[0] === '--help' || args[0] === '-h' ? 0 : 2;
  }
  let config;
  try {
    config = loadConfig(process.env, 'embedded');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`modstream embedded: ${error.message}\n`);
    return 2;
  }
  const logger = createWorkerLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, {
    logText: config.logText,
    stderr: true,
  });
  const file = args[0] === undefined || args[0] === '-' ? undefined : args[0];
  const sourceName = file === undefined ? 'stdin' : basename(file);

  const classifier = await ClassifierPool.create(resolveModelDir(config.model.dir), {
    sessions: config.model.sessions,
    intraOpThreads: config.model.intraOpThreads,
  });
  const cache = new MemoryLabelCache({
    maxEntries: config.cache.memoryEntries,
    ttlSeconds: config.cache.ttlSeconds,
  });
  const startedAt = Date.now();
  let batcher: { close(): Promise<void> } | undefined;
  try {
    const moderation = await createModeration(config, classifier, cache, { logger });
    batcher = moderation.batcher;
    const { pipeline } = moderation;

    const input = file === undefined ? process.stdin : createReadStream(file);
    const pending: Promise<Buffer[]>[] = [];
    let chunk: PipelineRecord[] = [];
    let lineNumber = 0;
    const dispatch = async () => {
      const records = chunk;
      chunk = [];
      pending.push(pipeline.handle(records).then((outputs) => outputs.map((output) => output.value)));
      while (pending.length >= CHUNKS_IN_FLIGHT) await writeOut(await (pending.shift() as Promise<Buffer[]>));
    };
    for await (const line of byteLines(input)) {
      const offset = String(lineNumber++);
      if (line.toString('latin1').trim() === '') continue;
      chunk.push({
        topic: sourceName,
        partition: 0,
        offset,
        key: null,
        value: line,
        headers: {},
        timestamp: Date.now(),
      });
      if (chunk.length >= config.kafka.chunkSize) await dispatch();
    }
    if (chunk.length > 0) await dispatch();
    for (const outputs of pending.splice(0)) await writeOut(await outputs);

    const seconds = (Date.now() - startedAt) / 1000;
    const { stats } = pipeline;
    const labeledTotal = stats.labeled;
    const hitRatio = labeledTotal === 0 ? 0 : (stats.cacheHits + stats.sharedInferences) / labeledTotal;
    process.stderr.write(
      `modstream embedded: ${stats.eventsIn} events in ${seconds.toFixed(1)} s ` +
        `(${(stats.eventsIn / Math.max(seconds, 0.001)).toFixed(0)}/s): ${stats.labeled} labeled, ` +
        `${stats.deadLetters} dead letters, ${stats.review} review, ${stats.inferences} inferences, ` +
        `cache hit ratio ${(hitRatio * 100).toFixed(1)} %\n`,
    );
    return 0;
  } finally {
    await batcher?.close();
    await cache.close();
    await classifier.close();
  }
}

async function writeOut(values: Buffer[]): Promise<void> {
  if (values.length === 0) return;
  const text = values.map((value) => value.toString('utf8')).join('\n') + '\n';
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** Lines as raw bytes (so invalid UTF-8 reaches the decoder and becomes a dead letter); "\r\n" tolerated. */
async function* byteLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of input) {
    let data = Buffer.concat([rest, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    for (let newline = data.indexOf(0x0a); newline !== -1; newline = data.indexOf(0x0a)) {
      yield stripCarriageReturn(data.subarray(0, newline));
      data = data.subarray(newline + 1);
    }
    rest = data;
  }
  if (rest.length > 0) yield stripCarriageReturn(rest);
}

function stripCarriageReturn(line: Buffer): Buffer {
  return line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
}
