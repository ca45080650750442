// Raw inference throughput of the classifier bundle (comments/s): batch 1/8/32/64, fp32 vs int8, 1 and 2
// intra-op threads, batches of real comment lengths (the silver test texts, cycled) sorted by length or in
// random order. Each cell is the median of --repeats timed passes over --texts comments, after one warm-up pass.
//   node --conditions=@modstream/source --import tsx bench/classifier-throughput.ts [--texts 128] [--repeats 5]
//     [--bundle models/incivility-minilm-l6] [--fp32 training/artifacts/fp32] [--int8 training/artifacts/int8]
//     [--batches 1,8,32,64] [--threads 1,2]
// The shipped bundle stands for its own quantization; the other variant comes from training/artifacts/ (gitignored,
// written by training/finalize.py) and is skipped with a note when absent.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InferenceEngine, loadBundle } from '@modstream/classifier';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    texts: { type: 'string', default: '128' },
    repeats: { type: 'string', default: '5' },
    bundle: { type: 'string', default: join(root, 'models/incivility-minilm-l6') },
    fp32: { type: 'string', default: join(root, 'training/artifacts/fp32') },
    int8: { type: 'string', default: join(root, 'training/artifacts/int8') },
    batches: { type: 'string', default: '1,8,32,64' },
    threads: { type: 'string', default: '1,2' },
    data: { type: 'string', default: join(root, '../shared/data/incivility-silver/test.jsonl') },
  },
});
const count = Number(values.texts);
const repeats = Number(values.repeats);
const batchSizes = values.batches.split(',').map(Number);
const threadCounts = values.threads.split(',').map(Number);

interface Cell {
  model: string;
  quantization: string;
  threads: number;
  batch: number;
  order: 'sorted' | 'random';
  comments_per_s: number;
  runs_comments_per_s: number[];
  /** Comments per second of CPU time this process used (all its threads): less sensitive to other load. */
  comments_per_cpu_s: number;
  mean_padded_length: number;
}

/** Deterministic shuffle (mulberry32), so "random" is the same order on every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function batchesOf(sequences: number[][], size: number): number[][][] {
  const out: number[][][] = [];
  for (let start = 0; start < sequences.length; start += size) out.push(sequences.slice(start, start + size));
  return out;
}

async function pass(
  engine: InferenceEngine,
  batches: number[][][],
): Promise<{ wallMs: number; cpuMs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const batch of batches) await engine.runLogits(batch);
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/** fp32 and int8 bundles: the shipped one for its own quantization, training/artifacts/ for the other. */
async function variants(): Promise<{ name: string; dir: string }[]> {
  const shipped = resolve(values.bundle);
  const shippedName =
    (await loadBundle(shipped, { verify: false })).manifest.quantization === 'none' ? 'fp32' : 'int8';
  const models: { name: string; dir: string }[] = [];
  for (const name of ['fp32', 'int8'] as const) {
    const dir = name === shippedName ? shipped : resolve(values[name]);
    if (existsSync(join(dir, 'manifest.json'))) models.push({ name, dir });
    else console.log(`note: no ${name} bundle at ${dir} (manifest.json missing); ${name} skipped`);
  }
  return models;
}

async function main(): Promise<void> {
  const corpus = (await readFile(resolve(values.data), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);
  const texts = Array.from({ length: count }, (_, i) => corpus[i % corpus.length]!);
  const models = await variants();

  const loadBefore = os.loadavg();
  const cells: Cell[] = [];
  let tokenizerCommentsPerS = 0;
  const bundles: Record<
    string,
    { dir: string; model_version: string; quantization: string; max_length: number }
  > = {};
  for (const model of models) {
    const bundle = await loadBundle(model.dir);
    bundles[model.name] = {
      dir: model.dir.slice(root.length),
      model_version: bundle.manifest.model_version,
      quantization: bundle.manifest.quantization,
      max_length: bundle.manifest.max_length,
    };
    for (const threads of threadCounts) {
      const engine = await InferenceEngine.create(bundle, { intraOpThreads: threads, interOpThreads: 1 });
      const started = performance.now();
      const encoded = engine.encode(texts);
      tokenizerCommentsPerS = Math.max(
        tokenizerCommentsPerS,
        texts.length / ((performance.now() - started) / 1000),
      );
      const orders = {
        sorted: [...encoded].sort((a, b) => a.length - b.length),
        random: shuffled(encoded, 42),
      } as const;
      for (const batch of batchSizes) {
        for (const order of ['sorted', 'random'] as const) {
          if (batch === 1 && order === 'random') continue; // a batch of one has no padding to sort away
          const batches = batchesOf(orders[order], batch);
          await pass(engine, batches.slice(0, 4)); // warm-up
          const runs: number[] = [];
          const cpuRuns: number[] = [];
          for (let r = 0; r < repeats; r += 1) {
            const { wallMs, cpuMs } = await pass(engine, batches);
            runs.push(texts.length / (wallMs / 1000));
            cpuRuns.push(texts.length / (cpuMs / 1000));
          }
          const padded = batches.reduce(
            (sum, b) => sum + b.length * Math.max(...b.map((ids) => ids.length)),
            0,
          );
          const cell: Cell = {
            model: model.name,
            quantization: bundle.manifest.quantization,
            threads,
            batch,
            order,
            comments_per_s: median(runs),
            runs_comments_per_s: runs.map((x) => Math.round(x * 10) / 10),
            comments_per_cpu_s: median(cpuRuns),
            mean_padded_length: padded / texts.length,
          };
          cells.push(cell);
          console.log(
            `${model.name.padEnd(5)} threads ${threads}  batch ${String(batch).padStart(2)}  ${order.padEnd(6)}  ${cell.comments_per_s.toFixed(1).padStart(7)} comments/s  ${cell.comments_per_cpu_s.toFixed(1).padStart(7)} per CPU-s  (padded length ${cell.mean_padded_length.toFixed(1)})`,
          );
        }
      }
      await engine.release();
    }
  }

  const cpus = os.cpus();
  const result = {
    benchmark: 'classifier-throughput',
    date: new Date().toISOString(),
    machine: {
      cpu_model: cpus[0]?.model ?? 'unknown',
      cpu_count: cpus.length,
      total_memory_gb: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      load_average_before: loadBefore,
      load_average_after: os.loadavg(),
    },
    settings: {
      texts_per_pass: count,
      repeats,
      statistic:
        'median over repeats (one warm-up per cell) of comments/s (wall clock) and comments per CPU-second of this process',
      corpus: 'silver test split texts, cycled',
      timed: 'ONNX Runtime runs over pre-tokenized, padded batches (graphOptimizationLevel all, sequential)',
    },
    bundles,
    tokenizer_comments_per_s: tokenizerCommentsPerS,
    results: cells,
  };
  console.log('\nmodel  threads  batch  sorted c/s  random c/s  sorted c/CPU-s  random c/CPU-s');
  for (const model of models) {
    for (const threads of threadCounts) {
      for (const batch of batchSizes) {
        const find = (order: string) =>
          cells.find(
            (c) => c.model === model.name && c.threads === threads && c.batch === batch && c.order === order,
          );
        const sorted = find('sorted');
        const random = find('random') ?? sorted;
        console.log(
          `${model.name.padEnd(5)}  ${String(threads).padStart(7)}  ${String(batch).padStart(5)}  ${sorted!.comments_per_s.toFixed(1).padStart(10)}  ${random!.comments_per_s.toFixed(1).padStart(10)}  ${sorted!.comments_per_cpu_s.toFixed(1).padStart(14)}  ${random!.comments_per_cpu_s.toFixed(1).padStart(14)}`,
        );
      }
    }
  }
  console.log(`tokenizer alone: ${tokenizerCommentsPerS.toFixed(0)} comments/s`);
  const out = join(root, 'bench/results', `classifier-throughput-${result.date.slice(0, 10)}.json`);
  await mkdir(join(root, 'bench/results'), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

await main();
