/**
 * Where end-to-end latency goes under paced load: starts the worker (dist), offers `rate` unique comments/s
 * for `seconds`, reads every labeled event and splits each comment's latency into
 *   fetch   = worker received it (produced_at − timings.total_ms) − the bench handed it to its producer
 *   handle  = timings.total_ms (decode, cache, batcher wait queued_ms, inference inference_ms, encode)
 *   publish = broker timestamp of the labeled event − produced_at
 * and prints percentiles of each. MODSTREAM_* variables set by the caller reach the worker.
 *   node --conditions=@modstream/source --import tsx bench/latency-breakdown.ts [rate=46] [seconds=20] [warmup=10]
 */
import { join } from 'node:path';
import { GroupConsumer } from '@modstream/kafka-io';
import { uniqueName, waitFor } from '@modstream/testkit';
import { loadCorpus, uniqueText } from './lib/corpus.js';
import { freePort } from './lib/free-port.js';
import { benchKafka, brokers, ensureTopics, producePaced, redisUrl } from './lib/kafka.js';
import { bundleDir, repoRoot } from './lib/paths.js';
import { startProcess } from './lib/proc.js';
import { percentile } from './lib/stats.js';

const rate = Number(process.argv[2] ?? 46);
const seconds = Number(process.argv[3] ?? 20);
/** The first seconds warm the worker up (first ONNX runs, JIT) and are left out of the percentiles. */
const warmupSeconds = Number(process.argv[4] ?? 10);
const tag = uniqueName('latency');
const input = `${tag}.in`;
const output = `${tag}.out`;
const kafka = benchKafka();

interface Labeled {
  id: string;
  produced_at: string;
  timings: { queued_ms: number; inference_ms: number; total_ms: number };
}

await ensureTopics(kafka, [input, output], 4);
const port = await freePort();
const worker = startProcess([join(repoRoot, 'services/worker/dist/cli.js'), 'worker'], {
  MODSTREAM_KAFKA_BROKERS: brokers.join(','),
  MODSTREAM_GROUP_ID: `${tag}.group`,
  MODSTREAM_INPUT_TOPIC: input,
  MODSTREAM_OUTPUT_TOPIC: output,
  MODSTREAM_DLQ_TOPIC: `${tag}.dlq`,
  MODSTREAM_CREATE_TOPICS: 'true',
  MODSTREAM_REDIS_URL: redisUrl,
  MODSTREAM_CACHE_KEY_PREFIX: `${tag}:`,
  MODSTREAM_MODEL_DIR: bundleDir,
  MODSTREAM_HTTP_PORT: String(port),
});
const received = new Map<string, { value: Labeled; brokerAt: number }>();
const consumer = new GroupConsumer(kafka, {
  groupId: `${tag}.reader`,
  topics: [output],
  onRecord: (record) => {
    const value = JSON.parse(record.value!.toString()) as Labeled;
    received.set(value.id, { value, brokerAt: record.timestamp });
  },
});
try {
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, {
    timeoutMs: 120_000,
    intervalMs: 100,
    message: 'worker /readyz',
  });
  await consumer.start();
  const corpus = loadCorpus();
  const run = await producePaced(kafka, rate, warmupSeconds + seconds, (i) => {
    const id = `${tag}-${i}`;
    return {
      topic: input,
      key: id,
      value: Buffer.from(JSON.stringify({ id, text: uniqueText(corpus, tag, i) })),
    };
  });
  await waitFor(() => received.size >= run.sentAt.size, { timeoutMs: 120_000, message: 'labeled events' });
  const parts: Record<string, number[]> = {
    fetch: [],
    queued: [],
    inference: [],
    handle: [],
    publish: [],
    total: [],
  };
  const measured = [...run.sentAt].filter(([id]) => Number(id.split('-').pop()) >= rate * warmupSeconds);
  for (const [id, sent] of measured) {
    const { value, brokerAt } = received.get(id)!;
    const producedAt = Date.parse(value.produced_at);
    parts.fetch!.push(producedAt - value.timings.total_ms - sent);
    parts.queued!.push(value.timings.queued_ms);
    parts.inference!.push(value.timings.inference_ms);
    parts.handle!.push(value.timings.total_ms);
    parts.publish!.push(brokerAt - producedAt);
    parts.total!.push(brokerAt - sent);
  }
  console.log(
    `${measured.length} events (after ${warmupSeconds} s warm-up) at ${run.sentPerSec.toFixed(1)}/s offered; ms:`,
  );
  for (const [name, values] of Object.entries(parts)) {
    const p = (q: number) => percentile(values, q).toFixed(0).padStart(5);
    console.log(
      `  ${name.padEnd(9)} p50 ${p(50)}  p95 ${p(95)}  p99 ${p(99)}  max ${Math.max(...values).toFixed(0)}`,
    );
  }
} finally {
  await consumer.stop();
  await worker.stop();
}
process.exit(0);
