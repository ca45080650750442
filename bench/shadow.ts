/**
 * The main path's cache-miss throughput with no shadow, a 10 % shadow and a 100 % shadow (the shipped bundle
 * with its thresholds moved as the candidate: same cost as a real candidate of the same size), in
 * alternating rounds on one machine, so the ratios pair runs taken minutes apart. Raw runs and medians go to
 * $BENCH_RESULTS_DIR/shadow.json (bench/shadow.sh makes the folder).
 */
import { cpus } from 'node:os';
import { deleteTopics, withAdmin } from '@modstream/kafka-io';
import { createTestRedis, deleteKeysWithPrefix, waitFor, writeThresholdsVariant } from '@modstream/testkit';
import { loadCorpus, uniqueText } from './lib/corpus.js';
import { freePort } from './lib/free-port.js';
import {
  benchKafka,
  brokers,
  ensureTopics,
  produceAll,
  readOutputs,
  redisUrl,
  waitForCount,
} from './lib/kafka.js';
import { bundleDir, repoRoot } from './lib/paths.js';
import { startProcess } from './lib/proc.js';
import { writeResult } from './lib/results.js';
import { numberSetting } from './lib/settings.js';
import { median, round } from './lib/stats.js';

const PARTITIONS = 4;
const RATES = [0, 0.1, 1];
const rounds = numberSetting('BENCH_SHADOW_ROUNDS', 3, 1);
const events = numberSetting('BENCH_SHADOW_EVENTS', 2_500, 300);
const runTag = Date.now().toString(36);
const kafka = benchKafka();
const corpus = loadCorpus();
const candidate = await writeThresholdsVariant(bundleDir, -0.1);
const created: string[] = [];

async function run(rate: number, roundNumber: number) {
  const name = `bench-shadow-${runTag}-${roundNumber}-${Math.round(rate * 100)}`;
  const topics = { input: `${name}.in`, output: `${name}.out`, dlq: `${name}.dlq`, shadow: `${name}.shadow` };
  created.push(...Object.values(topics));
  await ensureTopics(kafka, [topics.input, topics.output], PARTITIONS);
  const messages = Array.from({ length: events }, (_, i) => {
    const id = `${name}-${i}`;
    return {
      topic: topics.input,
      key: id,
      value: Buffer.from(JSON.stringify({ id, text: uniqueText(corpus, name, i) })),
    };
  });
  const port = await freePort();
  const proc = startProcess([`${repoRoot}/services/worker/dist/cli.js`, 'worker'], {
    MODSTREAM_KAFKA_BROKERS: brokers.join(','),
    MODSTREAM_GROUP_ID: `${name}.group`,
    MODSTREAM_INPUT_TOPIC: topics.input,
    MODSTREAM_OUTPUT_TOPIC: topics.output,
    MODSTREAM_DLQ_TOPIC: topics.dlq,
    MODSTREAM_CREATE_TOPICS: 'true',
    MODSTREAM_REDIS_URL: redisUrl,
    MODSTREAM_CACHE_KEY_PREFIX: `${name}:`,
    MODSTREAM_MODEL_DIR: bundleDir,
    MODSTREAM_HTTP_PORT: String(port),
    ...(rate > 0
      ? {
          MODSTREAM_SHADOW_MODEL_DIR: candidate,
          MODSTREAM_SHADOW_SAMPLE_RATE: String(rate),
          MODSTREAM_SHADOW_TOPIC: topics.shadow,
        }
      : {}),
  });
  try {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
      {
        timeoutMs: 120_000,
        intervalMs: 100,
        message: 'worker /readyz',
      },
    );
    // Written once the worker is ready: the rate is events ÷ (last output − first write).
    const firstWrite = Date.now();
    await produceAll(kafka, messages);
    await waitForCount(kafka, topics.output, events, 600_000, proc.alive);
    const outputs = await readOutputs(kafka, topics.output, events);
    const seconds = (Math.max(...outputs.map((output) => output.timestamp)) - firstWrite) / 1000;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const counter = (name: string) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith(name))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    const result = {
      rate,
      round: roundNumber,
      eventsPerSec: round(events / seconds),
      shadowEvents: counter('modstream_shadow_events_total'),
      shadowDropped: counter('modstream_shadow_dropped_total'),
      peakRssMiB: round(proc.peakRssMiB()),
    };
    console.log(
      `shadow  round ${roundNumber}, shadow ${rate * 100} %: ${result.eventsPerSec} events/s, ${result.shadowEvents} shadow events, ` +
        `${result.shadowDropped} dropped, peak RSS ${result.peakRssMiB} MiB`,
    );
    return result;
  } finally {
    await proc.stop();
  }
}

const runs: Awaited<ReturnType<typeof run>>[] = [];
for (let r = 1; r <= rounds; r++) for (const rate of RATES) runs.push(await run(rate, r));
const medianOf = (rate: number) =>
  median(runs.filter((run) => run.rate === rate).map((run) => run.eventsPerSec));
const base = medianOf(0);
const summary = RATES.map((rate) => ({
  shadowRate: rate,
  medianEventsPerSec: medianOf(rate),
  ratioToNoShadow: round(medianOf(rate) / base, 2),
}));
for (const row of summary)
  console.log(
    `shadow  median with a ${row.shadowRate * 100} % shadow: ${row.medianEventsPerSec} events/s (${row.ratioToNoShadow} x no shadow)`,
  );
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores`;
writeResult('shadow', { machine, events, rounds, summary, runs });
await withAdmin(kafka, (admin) => deleteTopics(admin, created)).catch(() => undefined);
const redis = createTestRedis(redisUrl);
await deleteKeysWithPrefix(redis, `bench-shadow-${runTag}-`);
redis.disconnect();
