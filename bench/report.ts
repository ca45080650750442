/**
 * Reads the raw JSON of one run, prints the table of figures and target ratios, and writes summary.json
 * and summary.md next to it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot, resultsDir } from './lib/paths.js';
import { readResult, writeResult } from './lib/results.js';
import { round } from './lib/stats.js';

interface GridPoint {
  batchSize: number;
  sorted: boolean;
  intraOpThreads: number;
  sessions: number;
  textsPerSec: number;
  batchMs: number;
}
interface RawLimit {
  bundle: { modelId: string; modelVersion: string; quantization: string };
  corpus: { texts: number; tokens: { median: number; mean: number; p95: number } };
  tokenizationTextsPerSec: number;
  grid: GridPoint[];
  best: GridPoint;
  fullBatch?: GridPoint & { items: number };
  classifierPool?: { sessions: number; batchItems: number; textsPerSec: number };
}
interface Drain {
  eventsPerSec: number;
  events: number;
  seconds: number;
  peakRssMiB?: number;
  stats?: { eventsIn?: number; review?: number; cacheHits?: number; inferences?: number };
}

/** Share of the run's events the worker answered from the cache, and share routed to review. */
function shares(drain: Drain): string {
  const stats = drain.stats;
  if (stats?.eventsIn === undefined || stats.eventsIn === 0) return '';
  const pct = (part: number | undefined) => `${round((100 * (part ?? 0)) / stats.eventsIn!)} %`;
  return `, ${pct(stats.cacheHits)} cache hits, ${pct(stats.review)} routed to review`;
}
interface E2e {
  quick: boolean;
  worker: {
    mode: string;
    gridBest?: Record<string, string>;
    settings?: { sessions: number; intraOpThreads: number; batch: { maxItems: number; maxWaitMs: number } };
    envOverrides: Record<string, string>;
  };
  miss: Drain;
  missGridBest?: Drain;
  hit: Drain;
  passthrough: Drain;
  shapedPassthrough?: Drain & { shape: { BENCH_SHAPE_BYTES: string; BENCH_SHAPE_REVIEW_SHARE: string } };
  naive: Drain;
  load: {
    fraction: number;
    offeredPerSec: number;
    sentPerSec: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
  }[];
}
interface Reference {
  best: { threads: number; textsPerSec: number };
  weights: string;
}

function machine(): Record<string, string | number> {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    os: /PRETTY_NAME="([^"]+)"/.exec(osRelease)?.[1] ?? 'unknown',
    kernel: release(),
    node: process.version,
    commit: git('rev-parse', '--short', 'HEAD'),
    date: new Date().toISOString(),
  };
}

function describe(point: GridPoint): string {
  return `batch ${point.batchSize}, ${point.sorted ? 'length-sorted' : 'unsorted'}, ${point.intraOpThreads} intra-op thread(s), ${point.sessions} session(s)`;
}

const raw = readResult<RawLimit>('raw-limit');
const e2e = readResult<E2e>('e2e');
const reference = readResult<Reference>('reference-pipeline');
const recheck = readResult<{ measuredAt: string; best: GridPoint }>('raw-limit-recheck');
/** The worker's max wait as it logged it at start ("model loaded"). */
const maxWaitMs = e2e?.worker.settings?.batch.maxWaitMs ?? Number.NaN;

type Row = [string, string, string];
const rows: Row[] = [];
const num = (value: number | undefined, unit = ''): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : `${round(value)}${unit}`;

if (raw) {
  rows.push(['raw ONNX limit (best config)', num(raw.best.textsPerSec, ' texts/s'), describe(raw.best)]);
  if (recheck) {
    rows.push([
      'raw ONNX limit, re-measured before the worker',
      num(recheck.best.textsPerSec, ' texts/s'),
      `same configuration, ${recheck.measuredAt.slice(11, 19)} UTC, just before the cache-miss run`,
    ]);
  }
  rows.push([
    'tokenizer alone (1 thread)',
    num(raw.tokenizationTextsPerSec, ' texts/s'),
    'BundleTokenizer.encode',
  ]);
  if (raw.classifierPool) {
    rows.push([
      'ClassifierPool (tokenize + ORT)',
      num(raw.classifierPool.textsPerSec, ' texts/s'),
      `${raw.classifierPool.sessions} sessions, batches of ${raw.classifierPool.batchItems}`,
    ]);
  }
}
if (e2e) {
  const settings = e2e.worker.settings;
  const shipped =
    settings === undefined
      ? 'built-in defaults'
      : `built-in defaults: ${settings.sessions} session(s) × ${settings.intraOpThreads} thread(s), batches of ≤ ${settings.batch.maxItems}, max wait ${settings.batch.maxWaitMs} ms`;
  rows.push([
    'worker, cache miss',
    num(e2e.miss.eventsPerSec, ' events/s'),
    `${e2e.miss.events} events, peak RSS ${num(e2e.miss.peakRssMiB, ' MiB')}${shares(e2e.miss)}; ${shipped}`,
  ]);
  if (e2e.missGridBest) {
    rows.push([
      "worker, cache miss, raw grid's best settings",
      num(e2e.missGridBest.eventsPerSec, ' events/s'),
      `${e2e.missGridBest.events} events; ${Object.entries(e2e.worker.gridBest ?? {})
        .map(([k, v]) => `${k.replace('MODSTREAM_', '')}=${v}`)
        .join(', ')}`,
    ]);
  }
  rows.push([
    'worker, cache hit',
    num(e2e.hit.eventsPerSec, ' events/s'),
    `${e2e.hit.events} events, peak RSS ${num(e2e.hit.peakRssMiB, ' MiB')}${shares(e2e.hit)}`,
  ]);
  rows.push([
    'kafkajs pass-through',
    num(e2e.passthrough.eventsPerSec, ' events/s'),
    `${e2e.passthrough.events} events`,
  ]);
  if (e2e.shapedPassthrough) {
    const { shape } = e2e.shapedPassthrough;
    rows.push([
      'kafkajs pass-through, worker-shaped output',
      num(e2e.shapedPassthrough.eventsPerSec, ' events/s'),
      `${shape.BENCH_SHAPE_BYTES}-byte outputs + a review copy for ${round(100 * Number(shape.BENCH_SHAPE_REVIEW_SHARE))} %`,
    ]);
  }
  rows.push([
    'naive per-message ONNX worker',
    num(e2e.naive.eventsPerSec, ' events/s'),
    'batch 1, one session, no cache',
  ]);
  for (const load of e2e.load) {
    rows.push([
      `worker latency at ${load.fraction * 100} % load`,
      `p99 ${num(load.p99Ms, ' ms')}`,
      `${num(load.sentPerSec, ' events/s')}: p50 ${num(load.p50Ms, ' ms')}, p95 ${num(load.p95Ms, ' ms')}`,
    ]);
  }
}
if (reference) {
  rows.push([
    'transformers pipeline, one text at a time',
    num(reference.best.textsPerSec, ' texts/s'),
    `${reference.best.threads} torch thread(s); ${reference.weights}`,
  ]);
}

interface Target {
  name: string;
  value: number;
  target: string;
  met: boolean;
}
const targets: Target[] = [];
/** A ratio target: met at or above `min`; without `min` the ratio is shown for information. */
function ratioTarget(name: string, ratio: number, min?: number, digits = 2): void {
  targets.push({
    name,
    value: round(ratio, digits),
    target: min === undefined ? '(info)' : `≥ ${min}`,
    met: min === undefined || ratio >= min,
  });
}
if (raw && e2e) {
  ratioTarget('worker miss ÷ raw ONNX limit', e2e.miss.eventsPerSec / raw.best.textsPerSec, 0.9);
  if (recheck) {
    ratioTarget(
      'worker miss ÷ raw ONNX limit re-measured just before it',
      e2e.miss.eventsPerSec / recheck.best.textsPerSec,
      0.9,
    );
  }
}
if (e2e) ratioTarget('worker hit ÷ pass-through', e2e.hit.eventsPerSec / e2e.passthrough.eventsPerSec, 0.8);
if (e2e?.shapedPassthrough) {
  ratioTarget(
    'worker hit ÷ pass-through writing the worker-shaped output',
    e2e.hit.eventsPerSec / e2e.shapedPassthrough.eventsPerSec,
  );
}
if (e2e && reference) {
  ratioTarget(
    'worker miss ÷ transformers pipeline',
    e2e.miss.eventsPerSec / reference.best.textsPerSec,
    5,
    1,
  );
}
if (e2e) {
  ratioTarget(
    'worker miss ÷ naive per-message worker',
    e2e.miss.eventsPerSec / e2e.naive.eventsPerSec,
    undefined,
    1,
  );
}
if (raw?.fullBatch && e2e) {
  const half = e2e.load.find((load) => load.fraction === 0.5);
  const bound = maxWaitMs + 2 * raw.fullBatch.batchMs;
  if (half) {
    targets.push({
      name: `p99 at 50 % load vs max-wait ${maxWaitMs} ms + 2 × full batch (${raw.fullBatch.items} texts: ${raw.fullBatch.batchMs} ms)`,
      value: half.p99Ms,
      target: `≤ ${round(bound)} ms`,
      met: half.p99Ms <= bound,
    });
  }
}
if (e2e) {
  const peakMiB = Math.max(e2e.miss.peakRssMiB ?? Number.NaN, e2e.hit.peakRssMiB ?? Number.NaN);
  const peakMB = (peakMiB * 2 ** 20) / 1e6;
  targets.push({
    name: 'worker peak RSS (VmHWM), MB',
    value: round(peakMB),
    target: '≤ 600 MB',
    met: peakMB <= 600,
  });
}

const info = machine();
const header = `${info.cpu}, ${info.cores} cores, ${info.os}, Node ${info.node}, commit ${info.commit}, ${info.date}${e2e?.quick ? ' (BENCH_QUICK=1: smoke run, not a measurement)' : ''}`;
const width = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]!.length), 10));
console.log(`\n${header}\n`);
for (const row of rows) console.log(`${row[0].padEnd(width[0]!)}  ${row[1].padStart(width[1]!)}  ${row[2]}`);
console.log('\nTargets');
for (const t of targets) console.log(`${t.met ? 'met ' : 'MISS'}  ${t.name}: ${t.value} (${t.target})`);

const md = [
  `Machine: ${header}`,
  '',
  '| measurement | figure | configuration |',
  '| --- | ---: | --- |',
  ...rows.map((row) => `| ${row[0]} | ${row[1]} | ${row[2]} |`),
  '',
  '| target | measured | wanted | met |',
  '| --- | ---: | --- | --- |',
  ...targets.map((t) => `| ${t.name} | ${t.value} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`),
  '',
];
if (raw) {
  md.push(
    'Raw ONNX grid (texts/s, median of repeats):',
    '',
    '| threads | sessions | order | ' + [1, 2, 4, 8, 16, 32, 64].join(' | ') + ' |',
  );
  md.push('| --- | --- | --- |' + ' ---: |'.repeat(7));
  for (const threads of [1, 2])
    for (const sessions of [1, 2])
      for (const sorted of [false, true]) {
        const cells = [1, 2, 4, 8, 16, 32, 64].map(
          (bs) =>
            raw.grid.find(
              (p) =>
                p.batchSize === bs &&
                p.sorted === sorted &&
                p.intraOpThreads === threads &&
                p.sessions === sessions,
            )?.textsPerSec ?? '',
        );
        if (cells.every((cell) => cell === '')) continue;
        md.push(`| ${threads} | ${sessions} | ${sorted ? 'sorted' : 'unsorted'} | ${cells.join(' | ')} |`);
      }
  md.push('');
}
writeFileSync(join(resultsDir(), 'summary.md'), `${md.join('\n')}\n`);
writeResult('summary', { machine: info, rows, targets });
