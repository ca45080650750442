/**
 * CPU profile of the worker's main thread while it drains a backlog: `hit` (texts cached first by a short
 * miss run) or `miss`. Prints the functions with the most self time; the .cpuprofile stays in the results
 * dir for Chrome DevTools.
 *   BENCH_RESULTS_DIR=/tmp/prof node --conditions=@modstream/source --import tsx bench/profile-worker.ts hit 20000
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCorpus, uniqueText } from './lib/corpus.js';
import {
  benchKafka,
  brokers,
  ensureTopics,
  produceAll,
  readOutputs,
  redisUrl,
  waitForCount,
} from './lib/kafka.js';
import { bundleDir, repoRoot, resultsDir } from './lib/paths.js';
import { startProcess, workerStats } from './lib/proc.js';
import { outputRates, round } from './lib/stats.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const mode = process.argv[2] === 'miss' ? 'miss' : 'hit';
const count = Number(process.argv[3] ?? (mode === 'hit' ? 20_000 : 2_000));
const warmCount = 1_000;
const tag = `prof-${Date.now().toString(36)}`;
const kafka = benchKafka();
const corpus = loadCorpus();
const profileDir = join(resultsDir(), `cpuprofile-${mode}`);
mkdirSync(profileDir, { recursive: true });

function worker(name: string, profile: boolean) {
  const input = `${tag}.${name}.in`;
  const output = `${tag}.${name}.labeled`;
  const args = [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    join(repoRoot, 'services/worker/dist/cli.js'),
    'worker',
  ];
  const proc = startProcess(args, {
    MODSTREAM_KAFKA_BROKERS: brokers.join(','),
    MODSTREAM_GROUP_ID: `${tag}.${name}`,
    MODSTREAM_INPUT_TOPIC: input,
    MODSTREAM_OUTPUT_TOPIC: output,
    MODSTREAM_DLQ_TOPIC: `${tag}.${name}.dlq`,
    MODSTREAM_CREATE_TOPICS: 'true',
    MODSTREAM_REDIS_URL: redisUrl,
    MODSTREAM_CACHE_KEY_PREFIX: `${tag}:`,
    MODSTREAM_MODEL_DIR: bundleDir,
    MODSTREAM_HTTP_PORT: '0',
  });
  return { proc, input, output };
}

async function drain(name: string, texts: string[], profile: boolean): Promise<number> {
  const target = worker(name, profile);
  await ensureTopics(kafka, [target.input, target.output], 4);
  const messages = texts.map((text, i) => ({
    topic: target.input,
    key: `${name}-${i}`,
    value: Buffer.from(JSON.stringify({ id: `${name}-${i}`, text })),
  }));
  await produceAll(kafka, messages);
  const start = performance.now();
  await waitForCount(kafka, target.output, messages.length, 600_000, target.proc.alive);
  const seconds = (performance.now() - start) / 1000;
  await target.proc.stop();
  const rates = outputRates(
    (await readOutputs(kafka, target.output, messages.length)).map((o) => o.timestamp),
  );
  console.log(
    `profile  ${name}: ${rates.eventsPerSec} events/s (middle 90 %), drained in ${round(seconds, 2)} s`,
  );
  console.log(`profile  ${name}: worker stats ${JSON.stringify(workerStats(target.proc))}`);
  return seconds;
}

const texts = Array.from({ length: mode === 'hit' ? warmCount : count }, (_, i) =>
  uniqueText(corpus, tag, i),
);
if (mode === 'hit') await drain('warm', texts, false);
const backlog = mode === 'hit' ? Array.from({ length: count }, (_, i) => texts[i % texts.length]!) : texts;
await drain(mode, backlog, process.env.BENCH_PROFILE !== '0');
if (process.env.BENCH_PROFILE === '0') process.exit(0);

const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`no .cpuprofile in ${profileDir}`);
const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byFunction = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  total += us;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    .replace(/^file:\/\//, '')
    .replace(repoRoot, '')
    .replace(/.*node_modules\/\.pnpm\/([^/]+)\/.*\//, '$1/');
  const name = `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
const byArea = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  const { functionName, url } = node.callFrame;
  const area =
    /node_modules\/\.pnpm\/(@?[^@/]+(?:\+[^@/]+)?)@/.exec(url)?.[1]?.replace('+', '/') ??
    /\/(packages\/[^/]+|services\/[^/]+)\//.exec(url)?.[1] ??
    (url.startsWith('node:') ? 'node internals' : url === '' ? functionName || '(native)' : url);
  byArea.set(area, (byArea.get(area) ?? 0) + us);
}
console.log('self time by area:');
for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${area}`);
}
console.log('self time by function:');
const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30);
for (const [name, us] of top) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`);
process.exit(0);
