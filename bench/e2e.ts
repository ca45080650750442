/**
 * End-to-end runs through the real broker and Redis: the worker with every text a cache miss (backlog
 * drain, then paced load at 25/50/75 % of that rate), the worker with every text a cache hit, the kafkajs
 * pass-through on the same messages, and the naive batch-size-1 ONNX worker.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboundMessage } from '@modstream/kafka-io';
import { waitFor } from '@modstream/testkit';
import { loadCorpus, uniqueText } from './lib/corpus.js';
import { freePort } from './lib/free-port.js';
import {
  benchKafka,
  brokers,
  ensureTopics,
  produceAll,
  producePaced,
  readOutputs,
  redisUrl,
  waitForCount,
} from './lib/kafka.js';
import { bundleDir, repoRoot } from './lib/paths.js';
import { startProcess, tsArgs, workerSettings, workerStats, type BenchProcess } from './lib/proc.js';
import { readResult, writeResult } from './lib/results.js';
import { numberSetting, quick } from './lib/settings.js';
import { outputRates, percentile, round } from './lib/stats.js';

interface RawLimitSummary {
  best: { textsPerSec: number; batchSize: number; sorted: boolean; intraOpThreads: number; sessions: number };
  grid: {
    batchSize: number;
    sorted: boolean;
    intraOpThreads: number;
    sessions: number;
    textsPerSec: number;
  }[];
}

const PARTITIONS = 4;
const LOAD_FRACTIONS = [0.25, 0.5, 0.75];
const runTag = Date.now().toString(36);
const base = `bench-${runTag}`;
const kafka = benchKafka();
const corpus = loadCorpus();

const raw = readResult<RawLimitSummary>('raw-limit');
const rawBest = raw?.best.textsPerSec ?? 100;
const rawSingle =
  raw?.grid.find((p) => p.batchSize === 1 && p.intraOpThreads === 1 && p.sessions === 1 && !p.sorted)
    ?.textsPerSec ?? rawBest / 2;
const missCount = Math.max(200, Math.ceil(rawBest * numberSetting('BENCH_MISS_SECONDS', 30, 6)));
const hitCount = Math.ceil(numberSetting('BENCH_HIT_COUNT', 60_000, 6_000));
const naiveCount = Math.max(100, Math.ceil(rawSingle * numberSetting('BENCH_NAIVE_SECONDS', 20, 5)));
const loadSeconds = numberSetting('BENCH_LOAD_SECONDS', 20, 5);

/**
 * The second cache-miss run uses the raw grid's best configuration (batch size, sessions, intra-op threads)
 * where it differs from the worker's built-in defaults; a MODSTREAM_* variable set by the caller wins. The token
 * budget is raised so that it never cuts a batch of max_length texts short of the batch size.
 */
function gridBestEnv(): Record<string, string> {
  if (raw === undefined) return {};
  const tuned: Record<string, string> = {
    MODSTREAM_BATCH_MAX_ITEMS: String(raw.best.batchSize),
    MODSTREAM_BATCH_MAX_TOKENS: String(raw.best.batchSize * 512),
    MODSTREAM_INFERENCE_SESSIONS: String(raw.best.sessions),
    MODSTREAM_INTRA_OP_THREADS: String(raw.best.intraOpThreads),
  };
  return Object.fromEntries(Object.entries(tuned).filter(([name]) => process.env[name] === undefined));
}

function comment(topic: string, id: string, text: string): OutboundMessage & { key: string } {
  return { topic, key: id, value: Buffer.from(JSON.stringify({ id, text })) };
}

function workerArgs(): { args: string[]; mode: string } {
  const dist = join(repoRoot, 'services/worker/dist/cli.js');
  if (process.env.BENCH_WORKER_MODE !== 'source' && existsSync(dist))
    return { args: [dist, 'worker'], mode: 'dist' };
  return { args: tsArgs('services/worker/src/cli.ts', 'worker'), mode: 'source (tsx)' };
}

interface Target {
  proc: BenchProcess;
  input: string;
  output: string;
  /** Resolves once the process serves (consumer joined); only the worker has one. */
  ready?: () => Promise<void>;
}

interface Topics {
  name: string;
  input: string;
  output: string;
}

function topicsFor(name: string): Topics {
  return { name, input: `${base}.${name}.in`, output: `${base}.${name}.out` };
}

async function startWorker({ name, input, output }: Topics, gridBest = false): Promise<Target> {
  const port = await freePort();
  const env = {
    MODSTREAM_KAFKA_BROKERS: brokers.join(','),
    MODSTREAM_GROUP_ID: `${base}.${name}.group`,
    MODSTREAM_INPUT_TOPIC: input,
    MODSTREAM_OUTPUT_TOPIC: output,
    MODSTREAM_DLQ_TOPIC: `${base}.${name}.dlq`,
    MODSTREAM_CREATE_TOPICS: 'true',
    MODSTREAM_TOPIC_PARTITIONS: String(PARTITIONS),
    MODSTREAM_REDIS_URL: redisUrl,
    MODSTREAM_CACHE_KEY_PREFIX: `${base}:`,
    MODSTREAM_MODEL_DIR: bundleDir,
    MODSTREAM_HTTP_PORT: String(port),
    MODSTREAM_LOG_LEVEL: 'info',
    ...(gridBest ? gridBestEnv() : {}),
  };
  const proc = startProcess(workerArgs().args, env);
  const ready = () =>
    waitFor(
      async () => {
        if (!proc.alive()) throw new Error('the worker exited');
        return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
      },
      { timeoutMs: 120_000, intervalMs: 100, message: 'worker /readyz' },
    ).then(() => undefined);
  return { proc, input, output, ready };
}

function startService(
  file: string,
  { name, input, output }: Topics,
  extraEnv: Record<string, string> = {},
): Target {
  const proc = startProcess(tsArgs(file), {
    ...extraEnv,
    BENCH_GROUP_ID: `${base}.${name}.group`,
    BENCH_INPUT_TOPIC: input,
    BENCH_OUTPUT_TOPIC: output,
    BENCH_CHUNK_SIZE: process.env.MODSTREAM_CONSUME_CHUNK_SIZE ?? '256',
    BENCH_PARTITIONS_CONCURRENTLY: process.env.MODSTREAM_PARTITIONS_CONCURRENTLY ?? '4',
    BENCH_MODEL_DIR: bundleDir,
  });
  return { proc, input, output };
}

function timeoutFor(count: number, perSec: number): number {
  return Math.max(90_000, (count / Math.max(perSec, 1)) * 6_000);
}

/**
 * Measures how fast the process under test works through a batch of messages.
 * - `backlog`: the input topic is filled first, then the process starts; the rate is taken over the middle
 *   90 % of its outputs (by broker timestamp). For fast runs with many output chunks.
 * - `live`: the process starts and becomes ready, then the messages are written as fast as the broker takes
 *   them; the rate is events ÷ (last output − first write). For slow runs, whose outputs come in few
 *   chunk-sized clumps (a chunk is published when its slowest event is done).
 */
async function drain(
  label: string,
  mode: 'backlog' | 'live',
  topics: Topics,
  start: (topics: Topics) => Promise<Target>,
  makeMessages: (input: string) => (OutboundMessage & { key: string })[],
  expectedPerSec: number,
) {
  await ensureTopics(kafka, [topics.input, topics.output], PARTITIONS);
  const messages = makeMessages(topics.input);
  let firstWrite = Date.now();
  let produceSeconds = mode === 'backlog' ? await produceAll(kafka, messages) : 0;
  const target = await start(topics);
  try {
    if (mode === 'live') {
      if (target.ready === undefined) throw new Error(`${label}: live mode needs a readiness check`);
      await target.ready();
      firstWrite = Date.now();
      produceSeconds = await produceAll(kafka, messages);
    }
    await waitForCount(
      kafka,
      target.output,
      messages.length,
      timeoutFor(messages.length, expectedPerSec),
      target.proc.alive,
    );
    const outputs = await readOutputs(kafka, target.output, messages.length);
    const timestamps = outputs.map((o) => o.timestamp);
    const rates = outputRates(timestamps);
    const liveSeconds = (Math.max(...timestamps) - firstWrite) / 1000;
    const result = {
      mode,
      events: messages.length,
      produceSeconds: round(produceSeconds, 2),
      ...rates,
      ...(mode === 'live'
        ? { eventsPerSec: round(messages.length / liveSeconds), seconds: round(liveSeconds, 2) }
        : {}),
    };
    console.log(
      `e2e  ${label}: ${result.eventsPerSec} events/s over ${result.events} events (${result.seconds} s)`,
    );
    return { target, messages, outputs, result };
  } catch (error) {
    console.error(`e2e  ${label} failed; last lines of its log:\n${target.proc.logs.slice(-20).join('\n')}`);
    await target.proc.stop(5_000);
    throw error;
  }
}

/** Peak RSS of a process still running, then a clean stop. */
async function finish(proc: BenchProcess): Promise<number> {
  const peak = proc.alive() ? round(proc.peakRssMiB()) : Number.NaN;
  await proc.stop();
  return peak;
}

async function main(): Promise<void> {
  console.log(
    `e2e  worker from ${workerArgs().mode}; ${missCount} miss events, ${hitCount} hit events, ${naiveCount} naive events, ${loadSeconds} s per load level`,
  );

  // 1. Worker, every text a cache miss: drain a backlog, then paced load on the same process.
  const missTexts = Array.from({ length: missCount }, (_, i) => uniqueText(corpus, `${runTag}m`, i));
  const miss = await drain(
    'worker, cache miss',
    'live',
    topicsFor('miss'),
    startWorker,
    (topic) => missTexts.map((text, i) => comment(topic, `${base}-m-${i}`, text)),
    rawBest,
  );
  const { proc: missWorker, input: missInput, output: missOutput } = miss.target;
  const maxRate = miss.result.eventsPerSec;
  const loads: {
    fraction: number;
    offeredPerSec: number;
    sentPerSec: number;
    events: number;
    sentAt: Map<string, number>;
  }[] = [];
  let expected = missCount;
  let missPeakRssMiB = Number.NaN;
  try {
    for (const fraction of LOAD_FRACTIONS) {
      const tag = `${runTag}l${Math.round(fraction * 100)}`;
      const run = await producePaced(kafka, fraction * maxRate, loadSeconds, (i) =>
        comment(missInput, `${base}-${tag}-${i}`, uniqueText(corpus, tag, i)),
      );
      expected += run.sentAt.size;
      await waitForCount(kafka, missOutput, expected, timeoutFor(run.sentAt.size, maxRate), missWorker.alive);
      loads.push({
        fraction,
        offeredPerSec: round(run.offeredPerSec),
        sentPerSec: round(run.sentPerSec),
        events: run.sentAt.size,
        sentAt: run.sentAt,
      });
      console.log(`e2e  load ${fraction * 100} %: ${round(run.sentPerSec)} events/s offered`);
    }
  } finally {
    missPeakRssMiB = await finish(missWorker);
  }
  const allOutputs = await readOutputs(kafka, missOutput, expected);
  const outputAt = new Map(allOutputs.map((o) => [o.key, o.timestamp]));
  const latency = loads.map(({ sentAt, ...load }) => {
    const ms = [...sentAt]
      .map(([key, sent]) => (outputAt.get(key) ?? Number.NaN) - sent)
      .filter(Number.isFinite);
    return {
      ...load,
      p50Ms: percentile(ms, 50),
      p95Ms: percentile(ms, 95),
      p99Ms: percentile(ms, 99),
      maxMs: Math.max(...ms),
    };
  });
  for (const l of latency)
    console.log(`e2e  load ${l.fraction * 100} %: p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, p99 ${l.p99Ms} ms`);

  // The same miss drain in the raw grid's best configuration, where that differs from the built-in defaults.
  const settings = workerSettings(missWorker);
  const gridBestDiffers =
    raw !== undefined &&
    settings !== undefined &&
    (settings.batch.maxItems !== raw.best.batchSize ||
      settings.sessions !== raw.best.sessions ||
      settings.intraOpThreads !== raw.best.intraOpThreads);
  const gridBest = !gridBestDiffers
    ? undefined
    : await drain(
        "worker, cache miss, raw grid's best settings",
        'live',
        topicsFor('missgridbest'),
        (topics) => startWorker(topics, true),
        (topic) =>
          Array.from({ length: Math.ceil(missCount / 2) }, (_, i) =>
            comment(topic, `${base}-g-${i}`, uniqueText(corpus, `${runTag}g`, i)),
          ),
        rawBest,
      );
  if (gridBest) await finish(gridBest.target.proc);

  // 2. Worker, every text a cache hit (the miss run stored them), and the pass-through on the same bytes.
  const hitMessages = (topic: string) =>
    Array.from({ length: hitCount }, (_, i) =>
      comment(topic, `${base}-h-${i}`, missTexts[i % missTexts.length]!),
    );
  const hit = await drain('worker, cache hit', 'backlog', topicsFor('hit'), startWorker, hitMessages, 5_000);
  const hitPeakRssMiB = await finish(hit.target.proc);
  const passthrough = await drain(
    'kafkajs pass-through',
    'backlog',
    topicsFor('passthrough'),
    async (topics) => startService('bench/passthrough.ts', topics),
    hitMessages,
    5_000,
  );
  await finish(passthrough.target.proc);
  // The same pass-through, writing what the worker writes: labeled-event-sized messages and review copies.
  const hitStats = workerStats(hit.target.proc) as { eventsIn?: number; review?: number } | undefined;
  const shape = {
    BENCH_SHAPE_BYTES: String(
      Math.round(hit.outputs.reduce((sum, o) => sum + o.bytes, 0) / hit.outputs.length),
    ),
    BENCH_SHAPE_REVIEW_SHARE: String((hitStats?.review ?? 0) / Math.max(1, hitStats?.eventsIn ?? 1)),
  };
  const shapedPassthrough = await drain(
    'kafkajs pass-through, worker-shaped output',
    'backlog',
    topicsFor('shaped'),
    async (topics) => {
      await ensureTopics(kafka, [`${topics.output}.review`], PARTITIONS);
      return startService('bench/passthrough.ts', topics, shape);
    },
    hitMessages,
    5_000,
  );
  await finish(shapedPassthrough.target.proc);

  // 3. Naive per-message ONNX worker.
  const naive = await drain(
    'naive per-message worker',
    'backlog',
    topicsFor('naive'),
    async (topics) => startService('bench/naive-worker.ts', topics),
    (topic) =>
      Array.from({ length: naiveCount }, (_, i) =>
        comment(topic, `${base}-n-${i}`, uniqueText(corpus, `${runTag}n`, i)),
      ),
    rawSingle,
  );
  await finish(naive.target.proc);

  writeResult('e2e', {
    runTag,
    quick,
    worker: {
      mode: workerArgs().mode,
      partitions: PARTITIONS,
      settings,
      gridBest: gridBestDiffers ? gridBestEnv() : undefined,
      envOverrides: Object.fromEntries(
        Object.entries(process.env).filter(([name]) => name.startsWith('MODSTREAM_')),
      ),
    },
    miss: { ...miss.result, peakRssMiB: missPeakRssMiB, stats: workerStats(missWorker) },
    missGridBest: gridBest?.result,
    load: latency,
    hit: { ...hit.result, peakRssMiB: hitPeakRssMiB, stats: workerStats(hit.target.proc) },
    passthrough: passthrough.result,
    shapedPassthrough: { ...shapedPassthrough.result, shape },
    naive: naive.result,
  });
}

await main();
process.exit(0);
