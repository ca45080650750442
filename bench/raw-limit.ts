/**
 * The limit: onnxruntime-node throughput of the shipped bundle on pre-tokenized, pre-padded batches, over
 * batch size × length bucketing × intra-op threads × parallel sessions (worker threads, one single session
 * each). Batches are cut from the corpus as the worker's batcher would (length-sorted within windows of
 * its max in-flight items, or in arrival order), and every repeat is one full pass over a fixed sample of
 * those batches taken at evenly spaced quantiles of their padded size, so short and long batches count as
 * often as in the corpus. The grid uses small samples; the best configuration is then re-measured on a
 * larger one: that figure is the limit.
 * Also times tokenization alone and the classifier pool as the worker calls it.
 * `--recheck` re-measures only the best configuration of an earlier raw-limit.json (raw-limit-recheck.json):
 * run just before the worker, so the miss ratio compares figures taken a minute apart on a shared machine.
 */
import type { Worker } from 'node:worker_threads';
import { BundleTokenizer, ClassifierPool, loadBundle, padBatch, type Bundle } from '@modstream/classifier';
// The worker's own settings code, so the bench times the configuration it ships with.
import { loadConfig } from '@modstream/worker/config';
import { loadCorpus, uniqueText } from './lib/corpus.js';
import { bundleDir } from './lib/paths.js';
import { readResult, writeResult } from './lib/results.js';
import { startTsThread } from './lib/ts-thread.js';
import { numberSetting, quick } from './lib/settings.js';
import { median, percentile, round } from './lib/stats.js';
import type { FromRawThread, RawBatch, RawThreadData, ToRawThread } from './raw-limit-thread.js';

// A quick run keeps the corners of the grid the other steps need.
const BATCH_SIZES = quick ? [1, 16] : [1, 2, 4, 8, 16, 32, 64];
const THREADS = quick ? [1] : [1, 2];
const SESSIONS = [1, 2];
const gridTexts = numberSetting('BENCH_RAW_GRID_TEXTS', 64, 32);
const limitTexts = numberSetting('BENCH_RAW_LIMIT_TEXTS', 256, 64);
const repeats = Math.max(3, numberSetting('BENCH_REPEATS', 3, 3));

export interface GridPoint {
  batchSize: number;
  sorted: boolean;
  intraOpThreads: number;
  sessions: number;
  texts: number;
  textsPerSec: number;
  repeatsTextsPerSec: number[];
  /** Median time of one model run, per session. */
  batchMs: number;
  /** Real tokens ÷ padded tokens over the batches. */
  paddingEfficiency: number;
}

class RawThread {
  readonly worker: Worker;
  readonly #queue: ((message: FromRawThread) => void)[] = [];

  constructor(data: RawThreadData) {
    this.worker = startTsThread(new URL('./raw-limit-thread.ts', import.meta.url), data);
    this.worker.on('message', (message: FromRawThread) => this.#queue.shift()?.(message));
    this.worker.on('error', (error) => {
      console.error('raw-limit thread failed:', error);
      process.exit(1);
    });
  }

  next(): Promise<FromRawThread> {
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  async send(message: ToRawThread): Promise<FromRawThread> {
    const reply = this.next();
    this.worker.postMessage(message);
    return reply;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage({ type: 'close' } satisfies ToRawThread);
    await exited;
  }
}

/** Sorting window: the worker's batcher sorts at most its max-in-flight items (256 by default). */
const SORT_WINDOW = 256;

/** Corpus order, or length-sorted within windows of SORT_WINDOW texts as the worker's batcher sorts. */
function corpusOrder(lengths: readonly number[], sorted: boolean): number[] {
  const order = lengths.map((_, i) => i);
  if (!sorted) return order;
  const result: number[] = [];
  for (let start = 0; start < order.length; start += SORT_WINDOW) {
    const window = order.slice(start, start + SORT_WINDOW);
    result.push(...window.sort((a, b) => lengths[a]! - lengths[b]! || a - b));
  }
  return result;
}

interface Config {
  batchSize: number;
  sorted: boolean;
  intraOpThreads: number;
  sessions: number;
}

interface Encoded {
  bundle: Bundle;
  encoded: number[][];
  lengths: number[];
}

/**
 * The corpus cut into batches of the configuration (unsorted: corpus order; sorted: within windows, as the
 * worker's batcher forms them), then about `texts` texts' worth of those batches picked at evenly spaced
 * quantiles of their padded size, so a short pass still sees the corpus's mix of short and long batches.
 */
function batchesOf({ bundle, encoded, lengths }: Encoded, texts: number, { batchSize, sorted }: Config) {
  const order = corpusOrder(lengths, sorted);
  const all: { members: number[]; cost: number }[] = [];
  for (let start = 0; start + batchSize <= order.length; start += batchSize) {
    const members = order.slice(start, start + batchSize);
    all.push({ members, cost: batchSize * Math.max(...members.map((i) => lengths[i]!)) });
  }
  all.sort((a, b) => a.cost - b.cost);
  const count = Math.min(all.length, Math.max(2, Math.round(texts / batchSize)));
  const picked = Array.from({ length: count }, (_, k) => all[Math.floor(((k + 0.5) * all.length) / count)]!);
  const batches: RawBatch[] = [];
  let realTokens = 0;
  let paddedTokens = 0;
  for (const { members } of picked) {
    const padded = padBatch(
      members.map((i) => encoded[i]!),
      bundle.manifest.pad_token_id,
      bundle.inputs.includes('token_type_ids'),
    );
    realTokens += members.reduce((sum, i) => sum + lengths[i]!, 0);
    paddedTokens += padded.batchSize * padded.sequenceLength;
    batches.push({
      size: padded.batchSize,
      sequenceLength: padded.sequenceLength,
      inputIds: padded.inputIds,
      attentionMask: padded.attentionMask,
      tokenTypeIds: padded.tokenTypeIds,
    });
  }
  return {
    batches,
    members: picked.map((batch) => batch.members),
    paddingEfficiency: realTokens / paddedTokens,
  };
}

/** Full passes over the batches, each thread taking the next batch when it is free. */
async function timePasses(threads: RawThread[], batches: readonly RawBatch[]) {
  await Promise.all(threads.map((thread) => thread.send({ type: 'prepare', batches: [...batches] })));
  const texts = batches.reduce((sum, batch) => sum + batch.size, 0);
  const rates: number[] = [];
  const batchTimes: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      threads.map(async (thread) => {
        while (next < batches.length) {
          const reply = await thread.send({ type: 'run', index: next++ });
          if (reply.type !== 'ran') throw new Error(`unexpected reply ${reply.type}`);
          batchTimes.push(reply.ms);
        }
      }),
    );
    rates.push(texts / ((performance.now() - start) / 1000));
  }
  return { texts, rates, batchMs: median(batchTimes) };
}

async function withThreads<T>(
  bundle: Bundle,
  config: Pick<Config, 'intraOpThreads' | 'sessions'>,
  work: (threads: RawThread[]) => Promise<T>,
): Promise<T> {
  const data: RawThreadData = {
    modelPath: bundle.modelPath,
    intraOpThreads: config.intraOpThreads,
    outputName: bundle.manifest.output,
  };
  const threads = Array.from({ length: config.sessions }, () => new RawThread(data));
  await Promise.all(threads.map((thread) => thread.next()));
  try {
    return await work(threads);
  } finally {
    await Promise.all(threads.map((thread) => thread.close()));
  }
}

async function measure(threads: RawThread[], data: Encoded, texts: number, config: Config) {
  const { batches, paddingEfficiency } = batchesOf(data, texts, config);
  const timed = await timePasses(threads, batches);
  const { rates, batchMs } = timed;
  const point: GridPoint = {
    ...config,
    texts: timed.texts,
    textsPerSec: round(median(rates)),
    repeatsTextsPerSec: rates.map((rate) => round(rate)),
    batchMs: round(batchMs, 2),
    paddingEfficiency: round(paddingEfficiency, 3),
  };
  console.log(
    `raw  ${timed.texts} texts  bs=${String(config.batchSize).padStart(2)} ${config.sorted ? 'sorted  ' : 'unsorted'} threads=${config.intraOpThreads} sessions=${config.sessions}  ${point.textsPerSec.toFixed(1).padStart(7)} texts/s  batch ${point.batchMs} ms  padding eff ${point.paddingEfficiency}`,
  );
  return point;
}

async function recheck(): Promise<void> {
  const earlier = readResult<{ best: GridPoint }>('raw-limit');
  if (earlier === undefined) throw new Error('--recheck needs raw-limit.json from a full raw-limit run');
  const bundle = await loadBundle(bundleDir);
  const tokenizer = new BundleTokenizer(bundle.tokenizerJson, bundle.truncation);
  const corpus = loadCorpus();
  const encoded = corpus.map((_, i) => tokenizer.encode(uniqueText(corpus, 'r', i)));
  const data: Encoded = { bundle, encoded, lengths: encoded.map((ids) => ids.length) };
  const { batchSize, sorted, intraOpThreads, sessions } = earlier.best;
  const best = await withThreads(bundle, earlier.best, (threads) =>
    measure(threads, data, limitTexts, { batchSize, sorted, intraOpThreads, sessions }),
  );
  writeResult('raw-limit-recheck', { measuredAt: new Date().toISOString(), best, earlier: earlier.best });
  console.log(`raw  limit re-measured: ${best.textsPerSec} texts/s (earlier ${earlier.best.textsPerSec})`);
}

async function main(): Promise<void> {
  const bundle = await loadBundle(bundleDir);
  const tokenizer = new BundleTokenizer(bundle.tokenizerJson, bundle.truncation);
  const corpus = loadCorpus();
  const texts = corpus.map((_, i) => uniqueText(corpus, 'r', i));

  const tokenizeRates: number[] = [];
  let encoded: number[][] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    encoded = texts.map((text) => tokenizer.encode(text));
    tokenizeRates.push(texts.length / ((performance.now() - start) / 1000));
  }
  const lengths = encoded.map((ids) => ids.length);
  const data: Encoded = { bundle, encoded, lengths };

  const grid: GridPoint[] = [];
  for (const intraOpThreads of THREADS) {
    for (const sessions of SESSIONS) {
      await withThreads(bundle, { intraOpThreads, sessions }, async (threads) => {
        for (const sorted of [false, true]) {
          for (const batchSize of BATCH_SIZES) {
            grid.push(
              await measure(threads, data, gridTexts, { batchSize, sorted, intraOpThreads, sessions }),
            );
          }
        }
      });
    }
  }

  const bestInGrid = grid.reduce((a, b) => (b.textsPerSec > a.textsPerSec ? b : a));
  const best = await withThreads(bundle, bestInGrid, (threads) =>
    measure(threads, data, limitTexts, bestInGrid),
  );
  // The configuration the worker runs in (bench/e2e.ts): its built-in defaults, unless MODSTREAM_* say otherwise.
  const { model, batch } = loadConfig({ MODSTREAM_KAFKA_BROKERS: 'unused:9092', ...process.env });
  const worker = {
    batchItems: batch.maxItems,
    sessions: model.sessions,
    intraOpThreads: model.intraOpThreads,
  };
  const workerIsBest =
    worker.batchItems === best.batchSize &&
    worker.sessions === best.sessions &&
    worker.intraOpThreads === best.intraOpThreads &&
    best.sorted;
  const fullBatch = workerIsBest
    ? best
    : await withThreads(bundle, worker, (threads) =>
        measure(threads, data, limitTexts, { ...worker, batchSize: worker.batchItems, sorted: true }),
      );
  const poolBatches = batchesOf(data, limitTexts, { ...worker, batchSize: worker.batchItems, sorted: true });
  const classifierPool = await timeClassifierPool(
    poolBatches.members.map((members) => members.map((i) => texts[i]!)),
    worker,
  );

  const result = {
    bundle: {
      dir: bundle.dir,
      modelId: bundle.info.modelId,
      modelVersion: bundle.info.modelVersion,
      quantization: bundle.manifest.quantization,
      maxLength: bundle.info.maxLength,
    },
    corpus: {
      texts: texts.length,
      tokens: {
        median: percentile(lengths, 50),
        mean: round(lengths.reduce((a, b) => a + b, 0) / lengths.length),
        p95: percentile(lengths, 95),
        max: Math.max(...lengths),
      },
    },
    settings: { gridTexts, limitTexts, repeats, sortWindow: SORT_WINDOW },
    tokenizationTextsPerSec: round(median(tokenizeRates)),
    grid,
    bestInGrid,
    best,
    fullBatch: { ...fullBatch, items: worker.batchItems },
    classifierPool,
  };
  writeResult('raw-limit', result);
  console.log(
    `raw  limit: ${best.textsPerSec} texts/s at bs=${best.batchSize} ${best.sorted ? 'sorted' : 'unsorted'} threads=${best.intraOpThreads} sessions=${best.sessions} over ${best.texts} texts; tokenizer alone ${result.tokenizationTextsPerSec} texts/s; classifier pool ${classifierPool.textsPerSec} texts/s`,
  );
}

/**
 * The classifier as the worker drives it: ClassifierPool (the main thread tokenizes once, for the batcher's
 * token budget; the ids go to the worker threads for ORT + sigmoid), length-sorted batches of the worker's max items (as its
 * batcher forms them), one batch in flight per session; full passes over the limit sample.
 */
async function timeClassifierPool(
  batches: readonly string[][],
  { batchItems, sessions, intraOpThreads }: { batchItems: number; sessions: number; intraOpThreads: number },
): Promise<{ sessions: number; batchItems: number; textsPerSec: number; repeatsTextsPerSec: number[] }> {
  const pool = await ClassifierPool.create(bundleDir, { sessions, intraOpThreads });
  try {
    const texts = batches.reduce((sum, batch) => sum + batch.length, 0);
    await pool.classify(batches[batches.length - 1] ?? []);
    const rates: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          await pool.classifyEncoded(batch.map((text) => pool.encode(text)));
        }
      };
      await Promise.all(Array.from({ length: sessions }, lane));
      rates.push(texts / ((performance.now() - start) / 1000));
    }
    return {
      sessions,
      batchItems,
      textsPerSec: round(median(rates)),
      repeatsTextsPerSec: rates.map((rate) => round(rate)),
    };
  } finally {
    await pool.close();
  }
}

await (process.argv.includes('--recheck') ? recheck() : main());
