import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { ClassifierPool } from '@modstream/classifier';
import { runJsonlTransport } from '@modstream/jsonl-transport';
import { MemoryLabelCache } from '@modstream/label-cache';
import { ConfigError, loadConfig } from '../config.js';
import { createWorkerLogger } from '../observability.js';
import { createModeration } from '../moderation.js';

const USAGE = 'usage: modstream embedded [file.jsonl]   (reads stdin without a file or with "-")\n';

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

  const classifier = await ClassifierPool.create(config.model.dir, {
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
    await runJsonlTransport(
      pipeline,
      file === undefined ? process.stdin : createReadStream(file),
      process.stdout,
      { sourceName: file === undefined ? 'stdin' : basename(file), chunkSize: config.kafka.chunkSize },
    );

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
