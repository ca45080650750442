/**
 * Soak (issue #10 item 5): the worker as shipped (dist, built-in defaults) under steady load for a long time.
 *
 *  1. Miss throughput: a fresh worker drains a backlog of unique texts, kept topped up so it never runs dry;
 *     the rate is the slope of the labeled-event count over SOAK_MISS_SECONDS (60), after
 *     SOAK_MISS_WARMUP_SECONDS (15) of warm-up from the first labeled event. SOAK_RATE (events/s) skips this
 *     step and sets the soak's rate directly.
 *  2. Soak: a fresh worker gets SOAK_LOAD_FRACTION (0.5) of that rate from a steady producer (each message
 *     sent as it falls due, at most 0.1 s of events per send; after a stall it catches up at most 1 s of
 *     events and skips the rest), SOAK_REPEAT_SHARE (0.2) of the texts repeating an earlier one, for
 *     SOAK_WARMUP_SECONDS (30, not evaluated) + SOAK_MINUTES (30).
 *     Every SOAK_SAMPLE_SECONDS (10) it samples the worker's RSS (/proc/<pid>/status VmRSS), its event-loop
 *     delay p99 (modstream_event_loop_delay_p99_ms on /metrics, reset by each scrape, so over those seconds),
 *     the consumer lag (high watermarks − the group's committed offsets, admin client) and the p99
 *     end-to-end latency of the events labeled in those seconds (produced_at − the input's timestamp).
 *  3. Verdict, with W = 5 minutes (SOAK_MINUTES / 6 below 10 minutes): RSS at the end within 10 % of RSS
 *     after the first W; max lag of the last half ≤ max lag of the first half + one consume chunk;
 *     p99 of the last W ≤ 1.5 × p99 of the first W.
 *
 * Texts are the silver test comments (bench/lib/corpus.ts), read at run time. Topics, groups, the routing
 * policy's queue topics and Redis key prefixes are unique to the run and removed at the end.
 * Results: soak.json and samples.jsonl (written as it goes) in BENCH_RESULTS_DIR (bench/soak.sh makes
 * bench/results/<UTC stamp>-soak/); bench/plot_soak.py draws soak.svg from them.
 * Exit code: 0 every criterion met, 1 one was not, 2 the run failed, 130 interrupted.
 *   SOAK_MINUTES=3 pnpm soak
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  deleteTopics,
  GroupConsumer,
  openAdmin,
  OutputProducer,
  withAdmin,
  type ConsumedRecord,
  type KafkaAdmin,
} from '@modstream/kafka-io';
import { createTestRedis, deleteKeysWithPrefix, uniqueName } from '@modstream/testkit';
import { loadCorpus, uniqueText } from './lib/corpus.js';
import { freePort } from './lib/free-port.js';
import { benchKafka, brokers, ensureTopics, redisUrl } from './lib/kafka.js';
import { bundleDir, repoRoot } from './lib/paths.js';
import { startProcess, workerSettings, workerStats, type BenchProcess } from './lib/proc.js';
import { percentile, round } from './lib/stats.js';

function setting(name: string, fallback: number, min = Number.MIN_VALUE): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got ${raw}`);
  return value;
}

const PARTITIONS = 4;
const sampleSeconds = setting('SOAK_SAMPLE_SECONDS', 10, 1);
/** Whole sampling intervals, so every window boundary falls on a sample. */
const toSamples = (seconds: number): number => Math.max(1, Math.round(seconds / sampleSeconds));
const soakMinutes = setting('SOAK_MINUTES', 30);
const durationSeconds = toSamples(soakMinutes * 60) * sampleSeconds;
const warmupSetting = setting('SOAK_WARMUP_SECONDS', 30, 0);
const warmupSeconds = warmupSetting === 0 ? 0 : toSamples(warmupSetting) * sampleSeconds;
const windowSeconds =
  soakMinutes >= 10 ? 300 : Math.min(durationSeconds, toSamples(durationSeconds / 6) * sampleSeconds);
const loadFraction = setting('SOAK_LOAD_FRACTION', 0.5);
const repeatShare = setting('SOAK_REPEAT_SHARE', 0.2, 0);
const missSeconds = setting('SOAK_MISS_SECONDS', 60);
const missWarmupSeconds = setting('SOAK_MISS_WARMUP_SECONDS', 15, 0);
const fixedRate = process.env.SOAK_RATE ? setting('SOAK_RATE', 0) : undefined;
/** Messages the worker commits together (its MODSTREAM_CONSUME_CHUNK_SIZE); the lag criterion's slack. */
const chunkSize = setting('MODSTREAM_CONSUME_CHUNK_SIZE', 256, 1);

const stamp = new Date()
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z');
const resultsDir = process.env.BENCH_RESULTS_DIR || join(repoRoot, 'bench', 'results', `${stamp}-soak`);
mkdirSync(resultsDir, { recursive: true });
const samplesFile = join(resultsDir, 'samples.jsonl');
const base = uniqueName('soak');
const runTag = Date.now().toString(36);
const kafka = benchKafka();
const corpus = loadCorpus();
const workerEntry = join(repoRoot, 'services/worker/dist/cli.js');

const log = (line: string): void => console.log(`soak  ${line}`);

let aborted = false;
process.on('SIGINT', () => {
  if (aborted) process.exit(130);
  aborted = true;
  log('interrupted: stopping the load, cleaning up (again to quit at once)');
});
const running = new Set<BenchProcess>();
process.on('exit', () => {
  for (const proc of running) if (proc.alive()) proc.child.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------------------
// Topics, routing policy, worker, readers

interface RunTopics {
  name: string;
  input: string;
  output: string;
  dlq: string;
  queues: string[];
  group: string;
  reader: string;
  cachePrefix: string;
  policyFile: string;
}

const created: RunTopics[] = [];

/**
 * Topics, groups and cache prefix of one worker run. The routing policy is the worker's own (the default, or
 * MODSTREAM_ROUTING_POLICY_FILE) with the queue topics renamed for the run, so the same review events are
 * written and the topics can be removed afterwards.
 */
function topicsFor(name: string): RunTopics {
  const prefix = `${base}.${name}`;
  const policyPath =
    process.env.MODSTREAM_ROUTING_POLICY_FILE ||
    join(repoRoot, 'packages/moderation/routing-policy.default.json');
  const policy = JSON.parse(readFileSync(policyPath, 'utf8')) as { rules: { queue: string }[] };
  const queues: string[] = [];
  for (const rule of policy.rules) {
    rule.queue = `${prefix}.${rule.queue}`;
    queues.push(rule.queue);
  }
  const policyFile = join(tmpdir(), `${prefix}.routing-policy.json`);
  writeFileSync(policyFile, JSON.stringify(policy));
  const topics = {
    name,
    input: `${prefix}.in`,
    output: `${prefix}.out`,
    dlq: `${prefix}.dlq`,
    queues: [...new Set(queues)],
    group: `${prefix}.group`,
    reader: `${prefix}.reader`,
    cachePrefix: `${prefix}:`,
    policyFile,
  };
  created.push(topics);
  return topics;
}

interface Worker {
  proc: BenchProcess;
  port: number;
  ready(): Promise<void>;
}

/** The worker from dist with its built-in defaults; only the wiring (brokers, topics, Redis, port) is set. */
async function startWorker(t: RunTopics): Promise<Worker> {
  if (!existsSync(workerEntry)) throw new Error(`no ${workerEntry}: run pnpm build first`);
  const port = await freePort();
  const proc = startProcess([workerEntry, 'worker'], {
    MODSTREAM_KAFKA_BROKERS: brokers.join(','),
    MODSTREAM_GROUP_ID: t.group,
    MODSTREAM_INPUT_TOPIC: t.input,
    MODSTREAM_OUTPUT_TOPIC: t.output,
    MODSTREAM_DLQ_TOPIC: t.dlq,
    MODSTREAM_CREATE_TOPICS: 'true',
    MODSTREAM_TOPIC_PARTITIONS: String(PARTITIONS),
    MODSTREAM_REDIS_URL: redisUrl,
    MODSTREAM_CACHE_KEY_PREFIX: t.cachePrefix,
    MODSTREAM_MODEL_DIR: bundleDir,
    MODSTREAM_ROUTING_POLICY_FILE: t.policyFile,
    MODSTREAM_HTTP_PORT: String(port),
  });
  running.add(proc);
  const ready = async (): Promise<void> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!proc.alive()) throw new Error(`the worker exited:\n${proc.logs.slice(-20).join('\n')}`);
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error('worker /readyz: not ready within 120 s');
      await sleep(200);
    }
  };
  return { proc, port, ready };
}

/** Peak RSS of a running worker (MiB), then a graceful stop; resolves with both. */
async function stopWorker(worker: Worker): Promise<{ peakRssMiB: number | null; exitCode: number | null }> {
  let peakRssMiB: number | null = null;
  try {
    if (worker.proc.alive()) peakRssMiB = round(worker.proc.peakRssMiB());
  } catch {
    // exited meanwhile
  }
  const exitCode = await worker.proc.stop(30_000);
  running.delete(worker.proc);
  return { peakRssMiB, exitCode };
}

/** Reads a topic from the beginning in a group of its own and hands over every message. */
async function startReader(topic: string, groupId: string, onRecord: (record: ConsumedRecord) => void) {
  const consumer = new GroupConsumer(kafka, {
    groupId,
    topics: [topic],
    maxBytes: 16 * 1024 * 1024,
    onRecord,
  });
  await consumer.start();
  return consumer;
}

function comment(topic: string, id: string, text: string, timestamp: number) {
  return { topic, key: id, value: Buffer.from(JSON.stringify({ id, text })), timestamp };
}

async function connectedProducer() {
  const producer = new OutputProducer(kafka);
  await producer.connect();
  return producer;
}

/** Messages behind: per partition, high watermark − the group's committed offset (low watermark if none). */
async function consumerLag(admin: KafkaAdmin, topic: string, groupId: string): Promise<number> {
  const [watermarks, committed] = await Promise.all([
    admin.watermarks(topic),
    admin.committedOffsets(groupId, topic),
  ]);
  const offsets = new Map(committed.map((p) => [p.partition, Number(p.offset)]));
  return watermarks.reduce((sum, p) => {
    const at = offsets.get(p.partition) ?? -1;
    return sum + Math.max(0, Number(p.high) - (at >= 0 ? at : Number(p.low)));
  }, 0);
}

function readRssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib) / 1024;
}

/** Event-loop delay gauges of the worker's /metrics (null where it does not export them). */
async function eventLoopDelay(port: number): Promise<{ p99: number | null; max: number | null }> {
  const body = await (
    await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })
  ).text();
  const gauge = (name: string): number | null => {
    const value = new RegExp(`^modstream_${name} (\\S+)$`, 'm').exec(body)?.[1];
    return value === undefined ? null : Number(value);
  };
  return { p99: gauge('event_loop_delay_p99_ms'), max: gauge('event_loop_delay_max_ms') };
}

// ---------------------------------------------------------------------------------------------------------
// 1. Miss throughput

interface MissRate {
  /** Least-squares slope of the output count over the window. */
  eventsPerSec: number;
  /** Outputs in the window ÷ its length (rides on where the clumps fall). */
  countPerSec: number;
  events: number;
  seconds: number;
  warmupSeconds: number;
  produced: number;
  labeled: number;
  peakRssMiB: number | null;
  /** Seconds from the first write to the first labeled event. */
  firstOutputSeconds: number;
  outputsPerSecond: number[];
}

async function measureMissRate(): Promise<MissRate> {
  const t = topicsFor('miss');
  await ensureTopics(kafka, [t.input, t.output], PARTITIONS);
  const stamps: number[] = [];
  const reader = await startReader(t.output, t.reader, (m) => void stamps.push(m.timestamp));
  const producer = await connectedProducer();
  const worker = await startWorker(t);
  let produced = 0;
  const produce = async (count: number): Promise<void> => {
    for (let done = 0; done < count;) {
      const n = Math.min(1_000, count - done);
      const now = Date.now();
      const messages = Array.from({ length: n }, (_, j) =>
        comment(t.input, `${base}-m-${produced + j}`, uniqueText(corpus, `${runTag}m`, produced + j), now),
      );
      await producer.send(messages);
      produced += n;
      done += n;
    }
  };
  let firstWrite = 0;
  let warmupEnd = Number.POSITIVE_INFINITY;
  let stopped: Awaited<ReturnType<typeof stopWorker>> | undefined;
  try {
    await worker.ready();
    firstWrite = Date.now();
    const deadline = firstWrite + (missWarmupSeconds + missSeconds + 300) * 1_000;
    log(
      `miss throughput: backlog of unique texts; ${missWarmupSeconds} s warm-up from the first labeled event, ` +
        `then ${missSeconds} s`,
    );
    for (;;) {
      if (aborted) throw new Error('interrupted');
      if (!worker.proc.alive())
        throw new Error(`the worker exited:\n${worker.proc.logs.slice(-20).join('\n')}`);
      // Keep ~30 s of work (at least 2,000 texts) waiting, so the worker never runs dry.
      const perSec = stamps.length / Math.max(1, (Date.now() - firstWrite) / 1_000);
      const target = Math.max(2_000, Math.ceil(perSec * 30));
      if (produced - stamps.length < target) await produce(target - (produced - stamps.length));
      // The first outputs appear only when the first chunks are done (seconds): the warm-up starts there.
      if (stamps.length > 0 && warmupEnd === Number.POSITIVE_INFINITY)
        warmupEnd =
          stamps.reduce((min, s) => Math.min(min, s), Number.POSITIVE_INFINITY) + missWarmupSeconds * 1_000;
      if (stamps.some((s) => s > warmupEnd + missSeconds * 1_000)) break;
      if (Date.now() > deadline) throw new Error(`no ${missSeconds} s of outputs after the warm-up in time`);
      await sleep(500);
    }
  } finally {
    stopped = await stopWorker(worker);
    await producer.disconnect();
    await reader.stop();
  }
  // Outputs come in clumps (texts of one inference batch are ready together, up to MODSTREAM_MAX_IN_FLIGHT
  // texts are in the works at any time): the rate is the least-squares slope of the output count over time,
  // which a clump at either end of the window cannot tilt much.
  const window = stamps
    .filter((s) => s >= warmupEnd && s <= warmupEnd + missSeconds * 1_000)
    .sort((a, b) => a - b);
  if (window.length < 10) throw new Error(`only ${window.length} outputs in the miss window`);
  const meanT = window.reduce((sum, s) => sum + s, 0) / window.length;
  const meanI = (window.length - 1) / 2;
  let covariance = 0;
  let variance = 0;
  for (const [i, s] of window.entries()) {
    covariance += (s - meanT) * (i - meanI);
    variance += (s - meanT) ** 2;
  }
  // Outputs per second since the first write, to see the clumps and the warm-up.
  const outputsPerSecond: number[] = [];
  for (const s of stamps) {
    const second = Math.floor((s - firstWrite) / 1_000);
    if (second < 0) continue;
    while (outputsPerSecond.length <= second) outputsPerSecond.push(0);
    outputsPerSecond[second]!++;
  }
  await removeRun(t);
  return {
    eventsPerSec: round((covariance / variance) * 1_000),
    countPerSec: round(window.length / missSeconds),
    events: window.length,
    seconds: missSeconds,
    warmupSeconds: missWarmupSeconds,
    produced,
    labeled: stamps.length,
    peakRssMiB: stopped.peakRssMiB,
    firstOutputSeconds: round((warmupEnd - missWarmupSeconds * 1_000 - firstWrite) / 1_000, 2),
    outputsPerSecond,
  };
}

// ---------------------------------------------------------------------------------------------------------
// 2. Soak

interface Sample {
  /** Seconds since the end of the warm-up (≤ 0 during it); the sample covers the preceding interval. */
  t: number;
  at: string;
  phase: 'warmup' | 'soak';
  rssMiB: number | null;
  eventLoopDelayP99Ms: number | null;
  eventLoopDelayMaxMs: number | null;
  lag: number | null;
  sent: number;
  labeled: number;
  /** The machine's 1-minute load average (other processes compete for the same cores). */
  loadAverage: number;
  /** Events labeled (produced_at) in the interval and their end-to-end latency (produced_at − input timestamp). */
  events?: number;
  p50Ms?: number | null;
  p99Ms?: number | null;
  maxMs?: number | null;
  /** Same, to the broker's acknowledgement of the labeled event (its timestamp). */
  ackP99Ms?: number | null;
}

interface SoakRun {
  offeredPerSec: number;
  sentPerSec: number;
  sent: number;
  uniqueTexts: number;
  repeats: number;
  labeled: number;
  duplicates: number;
  cacheHitShare: number;
  producerMaxBehindMs: number;
  sendErrors: number;
  /** Events not offered because the producer was more than 1 s behind its schedule. */
  skipped: number;
  drainSeconds: number | null;
  lagAfterDrain: number | null;
  peakRssMiB: number | null;
  workerExitCode: number | null;
  workerSettings: unknown;
  workerStats: unknown;
  samples: Sample[];
  /** Latencies by sample index (window), for the first/last window percentiles. */
  latencyByWindow: Map<number, number[]>;
}

function append(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** mulberry32: a small seeded generator, so two runs repeat the same texts in the same places. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function runSoak(rate: number, partial: Partial<SoakRun>): Promise<SoakRun> {
  const t = topicsFor('soak');
  await ensureTopics(kafka, [t.input, t.output], PARTITIONS);
  const sampleMs = sampleSeconds * 1_000;
  const sentAt = new Map<string, number>();
  const e2eByWindow = new Map<number, number[]>();
  const ackByWindow = new Map<number, number[]>();
  let startWall = Number.POSITIVE_INFINITY;
  let labeled = 0;
  let duplicates = 0;
  let cacheHits = 0;
  const reader = await startReader(t.output, t.reader, (m) => {
    const value = JSON.parse(m.value?.toString() ?? '{}') as {
      id: string;
      produced_at: string;
      cache_hit?: boolean;
    };
    const sent = sentAt.get(value.id);
    if (sent === undefined) {
      duplicates++;
      return;
    }
    sentAt.delete(value.id);
    labeled++;
    if (value.cache_hit) cacheHits++;
    const producedAt = Date.parse(value.produced_at);
    const window = Math.max(1, Math.ceil((producedAt - startWall) / sampleMs));
    append(e2eByWindow, window, producedAt - sent);
    append(ackByWindow, window, m.timestamp - sent);
  });
  const producer = await connectedProducer();
  const admin = await openAdmin(kafka);
  const worker = await startWorker(t);
  const pid = worker.proc.child.pid!;
  const samples: Sample[] = [];
  Object.assign(partial, { samples, latencyByWindow: e2eByWindow });
  let sent = 0;
  let uniqueTexts = 0;
  let producerMaxBehindMs = 0;
  let sendErrors = 0;
  let skipped = 0;
  let failed = false;
  const totalMs = (warmupSeconds + durationSeconds) * 1_000;
  const ensureWorker = (): void => {
    if (!worker.proc.alive() && !aborted)
      throw new Error(`the worker exited:\n${worker.proc.logs.slice(-20).join('\n')}`);
  };

  // Steady producer: every message is sent as it falls due (at most 0.1 s of events per send).
  const produceLoop = async (): Promise<void> => {
    const random = seeded(20_261_126);
    const maxPerSend = Math.max(1, Math.ceil(rate / 10));
    const maxBehind = Math.max(1, Math.ceil(rate));
    const start = performance.now();
    for (;;) {
      if (aborted || failed) return;
      const elapsedMs = performance.now() - start;
      if (elapsedMs >= totalMs) return;
      let due = Math.floor((rate * elapsedMs) / 1_000) - skipped - sent;
      if (due <= 0) {
        await sleep(Math.max(1, ((skipped + sent + 1) / rate) * 1_000 - elapsedMs));
        continue;
      }
      producerMaxBehindMs = Math.max(producerMaxBehindMs, ((due - 1) / rate) * 1_000);
      // After a stall (a broker restart, a busy machine) catch up at most 1 s of events; the rest is skipped,
      // so the offered load never bursts.
      if (due > maxBehind) {
        skipped += due - maxBehind;
        due = maxBehind;
      }
      const now = Date.now();
      const messages = Array.from({ length: Math.min(due, maxPerSend) }, (_, j) => {
        const id = `${base}-s-${sent + j}`;
        const repeat = uniqueTexts > 0 && random() < repeatShare;
        const text = uniqueText(
          corpus,
          `${runTag}s`,
          repeat ? Math.floor(random() * uniqueTexts) : uniqueTexts++,
        );
        sentAt.set(id, now);
        return comment(t.input, id, text, now);
      });
      // A broker that is away (restart) fails the send after the producer's retries: keep the batch and its
      // timestamps and try again, so the outage shows as latency and lag rather than ending the run.
      for (;;) {
        try {
          await producer.send(messages);
          break;
        } catch (error) {
          sendErrors++;
          log(`send failed (${error instanceof Error ? error.message : String(error)}); retrying in 1 s`);
          if (aborted || failed || performance.now() - start > totalMs + 60_000) throw error;
          await sleep(1_000);
        }
      }
      sent += messages.length;
    }
  };

  const sampleLoop = async (): Promise<void> => {
    for (let j = 1; ; j++) {
      const due = startWall + j * sampleMs;
      if (due > startWall + totalMs) return;
      await sleep(Math.max(0, due - Date.now()));
      if (aborted || failed) return;
      ensureWorker();
      let rss: number | null = null;
      try {
        rss = round(readRssMiB(pid));
      } catch {
        // exited meanwhile: ensureWorker reports it at the next sample
      }
      const [eld, lag] = await Promise.all([
        eventLoopDelay(worker.port).catch(() => ({ p99: null, max: null })),
        consumerLag(admin, t.input, t.group).catch(() => null),
      ]);
      const tSec = (due - startWall) / 1_000 - warmupSeconds;
      const window = e2eByWindow.get(j) ?? [];
      const sample: Sample = {
        t: tSec,
        at: new Date(due).toISOString(),
        phase: tSec <= 0 ? 'warmup' : 'soak',
        rssMiB: rss,
        eventLoopDelayP99Ms: eld.p99 === null ? null : round(eld.p99, 2),
        eventLoopDelayMaxMs: eld.max === null ? null : round(eld.max, 2),
        lag,
        sent,
        labeled,
        loadAverage: round(loadavg()[0]!, 2),
      };
      samples.push(sample);
      appendFileSync(samplesFile, `${JSON.stringify(sample)}\n`);
      log(
        `t=${String(tSec).padStart(5)} s${tSec <= 0 ? ' (warm-up)' : ''}: rss ${rss ?? '?'} MiB, ` +
          `event-loop delay p99 ${sample.eventLoopDelayP99Ms ?? '?'} ms, lag ${lag ?? '?'}, ` +
          `p99 ${window.length > 0 ? percentile(window, 99) : '?'} ms (${window.length} labeled so far), ` +
          `${sent} sent, load ${sample.loadAverage}`,
      );
    }
  };

  try {
    await worker.ready();
    log(
      `soak: ${round(rate)} events/s (${fixedRate === undefined ? `${loadFraction * 100} % of the miss rate` : 'SOAK_RATE'}), ` +
        `${repeatShare * 100} % repeats, ` +
        `${warmupSeconds} s warm-up + ${durationSeconds / 60} min, a sample every ${sampleSeconds} s`,
    );
    startWall = Date.now();
    const loops = await Promise.allSettled(
      [produceLoop(), sampleLoop()].map((loop) =>
        loop.catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    for (const loop of loops) if (loop.status === 'rejected') throw loop.reason;
    const sentPerSec = sent / ((Date.now() - startWall) / 1_000);

    // Drain: every sent comment labeled, then the lag the group is left with.
    let drainSeconds: number | null = null;
    const drainStart = Date.now();
    while (!aborted && sentAt.size > 0 && Date.now() - drainStart < 300_000) {
      ensureWorker();
      await sleep(100);
    }
    if (sentAt.size === 0) drainSeconds = round((Date.now() - drainStart) / 1_000, 2);
    else if (!aborted) throw new Error(`${sentAt.size} comments not labeled 300 s after the load stopped`);
    await sleep(1_500); // the last chunk's commit
    const lagAfterDrain = await consumerLag(admin, t.input, t.group).catch(() => null);

    // Every interval's latency, now that all its events are in.
    for (const [j, sample] of samples.entries()) {
      const e2e = e2eByWindow.get(j + 1) ?? [];
      const ack = ackByWindow.get(j + 1) ?? [];
      Object.assign(sample, {
        events: e2e.length,
        p50Ms: e2e.length > 0 ? percentile(e2e, 50) : null,
        p99Ms: e2e.length > 0 ? percentile(e2e, 99) : null,
        maxMs: e2e.length > 0 ? Math.max(...e2e) : null,
        ackP99Ms: ack.length > 0 ? percentile(ack, 99) : null,
      });
    }
    Object.assign(partial, {
      offeredPerSec: round(rate, 2),
      sentPerSec: round(sentPerSec, 2),
      sent,
      uniqueTexts,
      repeats: sent - uniqueTexts,
      labeled,
      duplicates,
      cacheHitShare: round(cacheHits / Math.max(1, labeled), 3),
      producerMaxBehindMs: round(producerMaxBehindMs),
      sendErrors,
      skipped,
      drainSeconds,
      lagAfterDrain,
    });
  } finally {
    const stopped = await stopWorker(worker);
    Object.assign(partial, {
      peakRssMiB: stopped.peakRssMiB,
      workerExitCode: stopped.exitCode,
      workerSettings: workerSettings(worker.proc),
      workerStats: workerStats(worker.proc),
    });
    await Promise.allSettled([producer.disconnect(), reader.stop(), admin.disconnect()]);
  }
  return partial as SoakRun;
}

// ---------------------------------------------------------------------------------------------------------
// 3. Verdict

interface Criterion {
  name: string;
  pass: boolean;
  detail: string;
  [value: string]: unknown;
}

function evaluate(run: SoakRun): Criterion[] {
  const soak = run.samples.filter((s) => s.phase === 'soak');
  const within = (from: number, to: number) => soak.filter((s) => s.t > from && s.t <= to);
  const values = (samples: Sample[], key: 'rssMiB' | 'lag') =>
    samples.map((s) => s[key]).filter((v): v is number => v !== null);
  const latencies = (from: number, to: number) =>
    within(from, to).flatMap((s) => run.latencyByWindow.get(run.samples.indexOf(s) + 1) ?? []);
  const w = windowSeconds;
  const d = durationSeconds;
  const criteria: Criterion[] = [];

  // RSS: median of the samples of the last min(60 s, W / 2) of the first window, and of the run.
  const span = Math.max(sampleSeconds, Math.min(60, w / 2));
  const baseline = percentile(values(within(w - span, w), 'rssMiB'), 50);
  const end = percentile(values(within(d - span, d), 'rssMiB'), 50);
  const change = end / baseline - 1;
  criteria.push({
    name: 'rss',
    pass: Number.isFinite(change) && Math.abs(change) <= 0.1,
    baselineMiB: baseline,
    endMiB: end,
    change: round(change, 4),
    detail:
      `RSS at the end within 10 % of RSS after the first ${w} s: ${end} MiB vs ${baseline} MiB ` +
      `(${change >= 0 ? '+' : ''}${round(change * 100)} %; medians of the samples in the last ${span} s of each)`,
  });

  // Lag: the last half never goes further behind than the first half did, plus one consume chunk.
  const firstHalf = Math.max(...values(within(0, d / 2), 'lag'));
  const lastHalf = Math.max(...values(within(d / 2, d), 'lag'));
  criteria.push({
    name: 'lag',
    pass: Number.isFinite(firstHalf) && Number.isFinite(lastHalf) && lastHalf <= firstHalf + chunkSize,
    firstHalfMax: firstHalf,
    lastHalfMax: lastHalf,
    bound: firstHalf + chunkSize,
    afterDrain: run.lagAfterDrain,
    detail:
      `consumer lag bounded: max ${lastHalf} in the last half ≤ max ${firstHalf} in the first half + ` +
      `${chunkSize} (one chunk); ${run.lagAfterDrain ?? '?'} after the drain`,
  });

  // Latency: p99 over every event labeled in the last window vs the first.
  const first = latencies(0, w);
  const last = latencies(d - w, d);
  const firstP99 = percentile(first, 99);
  const lastP99 = percentile(last, 99);
  criteria.push({
    name: 'p99',
    pass: first.length > 0 && last.length > 0 && lastP99 <= 1.5 * firstP99,
    firstMs: firstP99,
    lastMs: lastP99,
    limitMs: round(1.5 * firstP99),
    firstEvents: first.length,
    lastEvents: last.length,
    detail:
      `p99 of the last ${w} s ≤ 1.5 × p99 of the first ${w} s: ${lastP99} ms vs 1.5 × ${firstP99} = ` +
      `${round(1.5 * firstP99)} ms (${last.length} and ${first.length} events)`,
  });
  return criteria;
}

// ---------------------------------------------------------------------------------------------------------

/** Deletes the run's topics, groups, cache keys and policy file (once). */
async function removeRun(t: RunTopics): Promise<void> {
  if (!created.includes(t)) return;
  await withAdmin(kafka, async (admin) => {
    await deleteTopics(admin, [t.input, t.output, t.dlq, ...t.queues]);
    await admin.deleteGroups([t.group, t.reader]).catch(() => undefined);
  });
  const redis = createTestRedis(redisUrl);
  try {
    await deleteKeysWithPrefix(redis, t.cachePrefix);
  } finally {
    redis.disconnect();
  }
  rmSync(t.policyFile, { force: true });
  created.splice(created.indexOf(t), 1);
}

async function main(): Promise<number> {
  log(`results in ${resultsDir}; topics, groups and cache keys ${base}.*`);
  const summary: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    base,
    settings: {
      soakMinutes,
      durationSeconds,
      warmupSeconds,
      windowSeconds,
      sampleSeconds,
      loadFraction,
      repeatShare,
      chunkSize,
      missSeconds,
      missWarmupSeconds,
      fixedRate: fixedRate ?? null,
      partitions: PARTITIONS,
      cpus: availableParallelism(),
      worker: 'dist, built-in defaults',
      envOverrides: Object.fromEntries(
        Object.entries(process.env).filter(([name]) => name.startsWith('MODSTREAM_')),
      ),
    },
  };
  const run: Partial<SoakRun> = {};
  let exitCode = 2;
  try {
    let missRate: number;
    if (fixedRate === undefined) {
      const miss = await measureMissRate();
      summary.miss = miss;
      log(
        `miss throughput: ${miss.eventsPerSec} events/s (slope over ${miss.events} events in ${miss.seconds} s; ` +
          `count ÷ window ${miss.countPerSec}/s)`,
      );
      missRate = miss.eventsPerSec;
    } else {
      missRate = fixedRate / loadFraction;
      log(`SOAK_RATE=${fixedRate}: miss throughput not measured`);
    }
    await runSoak(loadFraction * missRate, run);
    const { samples, latencyByWindow: _, ...rest } = run as SoakRun;
    summary.soak = rest;
    summary.samples = samples;
    if (aborted) {
      log('interrupted: no verdict');
      exitCode = 130;
    } else {
      const criteria = evaluate(run as SoakRun);
      const pass = criteria.every((c) => c.pass);
      summary.criteria = criteria;
      summary.pass = pass;
      log(
        `verdict (windows: first and last ${windowSeconds} s of ${durationSeconds} s; ` +
          `${run.sent} sent at ${run.sentPerSec}/s, ${run.skipped} skipped after stalls, ${run.labeled} labeled, ` +
          `drained in ${run.drainSeconds} s):`,
      );
      for (const c of criteria) log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.detail}`);
      log(pass ? 'PASS: every criterion met' : 'FAIL: see above');
      exitCode = pass ? 0 : 1;
    }
  } catch (error) {
    summary.error = error instanceof Error ? error.message : String(error);
    summary.samples ??= run.samples;
    if (aborted) exitCode = 130;
    console.error(`soak  failed: ${summary.error as string}`);
  } finally {
    summary.finishedAt = new Date().toISOString();
    writeFileSync(join(resultsDir, 'soak.json'), `${JSON.stringify(summary, null, 2)}\n`);
    for (const t of [...created]) {
      await removeRun(t).catch((error: unknown) =>
        console.error(`soak  cleanup of ${t.name} failed: ${error instanceof Error ? error.message : error}`),
      );
    }
    log(`written ${join(resultsDir, 'soak.json')}; topics, groups and cache keys removed`);
  }
  return exitCode;
}

process.exit(await main());
