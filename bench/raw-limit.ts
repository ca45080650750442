/**
 * The limit: onnxruntime-node throughput of the shipped bundle on pre-tokenized, pre-padded batches of the
 * corpus, over batch size × length bucketing × intra-op threads × parallel sessions (worker threads, one
 * session each). Also times tokenization alone and the classifier pool as the worker calls it.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { BundleTokenizer, ClassifierPool, loadBundle, padBatch } from '@modstream/classifier';
import { loadCorpus, uniqueText } from './lib/corpus.js';
import { bundleDir } from './lib/paths.js';
import { writeResult } from './lib/results.js';
import { startTsThread } from './lib/ts-thread.js';
import { numberSetting, quick } from './lib/settings.js';
import { median, percentile, round } from './lib/stats.js';
import type { FromRawThread, RawBatch, RawThreadData, ToRawThread } from './raw-limit-thread.js';

// A quick run keeps the corners of the grid the other steps need.
const BATCH_SIZES = quick ? [1, 16] : [1, 2, 4, 8, 16, 32, 64];
const THREADS = quick ? [1] : [1, 2];
const SESSIONS = [1, 2];
/** Sorting window: the worker's batcher sorts at most its max-in-flight items (256 by default). */
const SORT_WINDOW = 256;
const seconds = numberSetting('BENCH_RAW_SECONDS', 1.2, 0.2);
const repeats = Math.max(3, numberSetting('BENCH_REPEATS', 3, 3));
const workerBatchItems = numberSetting('BENCH_WORKER_BATCH_ITEMS', 16, 16);

export interface GridPoint {
  batchSize: number;
  sorted: boolean;
  intraOpThreads: number;
  sessions: number;
  textsPerSec: number;
  repeatsTextsPerSec: number[];
  /** Mean time of one model run of this batch size, per session. */
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
}

function batchOrder(lengths: readonly number[], sorted: boolean): number[] {
  const order = lengths.map((_, i) => i);
  if (!sorted) return order;
  const result: number[] = [];
  for (let start = 0; start < order.length; start += SORT_WINDOW) {
    const window = order.slice(start, start + SORT_WINDOW);
    result.push(...window.sort((a, b) => lengths[a]! - lengths[b]! || a - b));
  }
  return result;
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
  const withTokenTypeIds = bundle.inputs.includes('token_type_ids');

  const grid: GridPoint[] = [];
  for (const intraOpThreads of THREADS) {
    for (const sessions of SESSIONS) {
      const data: RawThreadData = {
        modelPath: bundle.modelPath,
        intraOpThreads,
        outputName: bundle.manifest.output,
      };
      const threads = Array.from({ length: sessions }, () => new RawThread(data));
      await Promise.all(threads.map((thread) => thread.next()));
      for (const sorted of [false, true]) {
        const order = batchOrder(lengths, sorted);
        for (const batchSize of BATCH_SIZES) {
          const perThread: RawBatch[][] = threads.map(() => []);
          let realTokens = 0;
          let paddedTokens = 0;
          for (let start = 0, b = 0; start < order.length; start += batchSize, b++) {
            const padded = padBatch(
              order.slice(start, start + batchSize).map((i) => encoded[i]!),
              bundle.manifest.pad_token_id,
              withTokenTypeIds,
            );
            realTokens += order.slice(start, start + batchSize).reduce((sum, i) => sum + lengths[i]!, 0);
            paddedTokens += padded.batchSize * padded.sequenceLength;
            perThread[b % sessions]!.push({
              size: padded.batchSize,
              sequenceLength: padded.sequenceLength,
              inputIds: padded.inputIds,
              attentionMask: padded.attentionMask,
              tokenTypeIds: padded.tokenTypeIds,
            });
          }
          await Promise.all(
            threads.map((thread, i) => thread.send({ type: 'prepare', batches: perThread[i]! })),
          );
          const rates: number[] = [];
          const batchTimes: number[] = [];
          for (let r = 0; r < repeats; r++) {
            const runs = await Promise.all(
              threads.map((thread) => thread.send({ type: 'run', durationMs: seconds * 1000 })),
            );
            let done = 0;
            let elapsed = 0;
            for (const run of runs) {
              if (run.type !== 'ran') throw new Error(`unexpected reply ${run.type}`);
              done += run.texts;
              elapsed = Math.max(elapsed, run.elapsedMs);
              batchTimes.push(run.elapsedMs / run.batches);
            }
            rates.push(done / (elapsed / 1000));
          }
          const point: GridPoint = {
            batchSize,
            sorted,
            intraOpThreads,
            sessions,
            textsPerSec: round(median(rates)),
            repeatsTextsPerSec: rates.map((rate) => round(rate)),
            batchMs: round(median(batchTimes), 2),
            paddingEfficiency: round(realTokens / paddedTokens, 3),
          };
          grid.push(point);
          console.log(
            `raw  bs=${String(batchSize).padStart(2)} ${sorted ? 'sorted  ' : 'unsorted'} threads=${intraOpThreads} sessions=${sessions}  ${point.textsPerSec.toFixed(1).padStart(7)} texts/s  batch ${point.batchMs} ms  padding eff ${point.paddingEfficiency}`,
          );
        }
      }
      for (const thread of threads) thread.worker.postMessage({ type: 'close' } satisfies ToRawThread);
      await Promise.all(
        threads.map((thread) => new Promise((resolve) => thread.worker.once('exit', resolve))),
      );
    }
  }

  const best = grid.reduce((a, b) => (b.textsPerSec > a.textsPerSec ? b : a));
  const workerSessions = Math.min(2, availableParallelism());
  const fullBatch = grid.find(
    (p) =>
      p.batchSize === workerBatchItems && p.sorted && p.intraOpThreads === 1 && p.sessions === workerSessions,
  );
  const classifierPool = await timeClassifierPool(
    batchOrder(lengths, true).map((i) => texts[i]!),
    workerSessions,
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
    settings: { seconds, repeats, sortWindow: SORT_WINDOW },
    tokenizationTextsPerSec: round(median(tokenizeRates)),
    grid,
    best,
    fullBatch: fullBatch === undefined ? undefined : { ...fullBatch, items: workerBatchItems },
    classifierPool,
  };
  writeResult('raw-limit', result);
  console.log(
    `raw  best: ${best.textsPerSec} texts/s at bs=${best.batchSize} ${best.sorted ? 'sorted' : 'unsorted'} threads=${best.intraOpThreads} sessions=${best.sessions}; tokenizer alone ${result.tokenizationTextsPerSec} texts/s; classifier pool ${classifierPool.textsPerSec} texts/s`,
  );
}

/**
 * The classifier as the worker drives it: ClassifierPool (tokenize + ORT + sigmoid in worker threads, the
 * main thread counting tokens for the batcher), length-sorted batches of the worker's max items (as its
 * batcher forms them), one batch in flight per session.
 */
async function timeClassifierPool(
  texts: readonly string[],
  sessions: number,
): Promise<{ sessions: number; batchItems: number; textsPerSec: number; repeatsTextsPerSec: number[] }> {
  const pool = await ClassifierPool.create(bundleDir, { sessions, intraOpThreads: 1 });
  try {
    const rates: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      let next = 0;
      let done = 0;
      const lane = async (): Promise<void> => {
        while (performance.now() - start < seconds * 1000) {
          const batch: string[] = [];
          for (let i = 0; i < workerBatchItems; i++) batch.push(texts[next++ % texts.length]!);
          for (const text of batch) pool.countTokens(text);
          await pool.classify(batch);
          done += batch.length;
        }
      };
      await Promise.all(Array.from({ length: sessions }, lane));
      rates.push(done / ((performance.now() - start) / 1000));
    }
    return {
      sessions,
      batchItems: workerBatchItems,
      textsPerSec: round(median(rates)),
      repeatsTextsPerSec: rates.map((rate) => round(rate)),
    };
  } finally {
    await pool.close();
  }
}

await main();
