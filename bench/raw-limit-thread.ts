import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** One single ONNX Runtime session running pre-padded batches, timed by the main thread's schedule. */
export interface RawThreadData {
  modelPath: string;
  intraOpThreads: number;
  outputName: string;
}

export interface RawBatch {
  size: number;
  sequenceLength: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array | undefined;
}

export type ToRawThread =
  { type: 'prepare'; batches: RawBatch[] } | { type: 'run'; durationMs: number } | { type: 'close' };

export type FromRawThread =
  | { type: 'ready' }
  | { type: 'prepared' }
  | { type: 'ran'; texts: number; batches: number; elapsedMs: number };

const data = (workerData as { data: RawThreadData }).data;
const port = parentPort;
if (port === null) throw new Error('raw-limit-thread must run as a worker thread');

const session = await ort.InferenceSession.create(data.modelPath, {
  intraOpNumThreads: data.intraOpThreads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});

let feeds: { size: number; feeds: Record<string, ort.Tensor> }[] = [];

function toFeeds(batch: RawBatch): Record<string, ort.Tensor> {
  const dims = [batch.size, batch.sequenceLength];
  const result: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', batch.inputIds, dims),
    attention_mask: new ort.Tensor('int64', batch.attentionMask, dims),
  };
  if (batch.tokenTypeIds !== undefined)
    result.token_type_ids = new ort.Tensor('int64', batch.tokenTypeIds, dims);
  return result;
}

async function run(durationMs: number): Promise<FromRawThread> {
  const start = performance.now();
  let texts = 0;
  let batches = 0;
  for (let i = 0; feeds.length > 0 && performance.now() - start < durationMs; i = (i + 1) % feeds.length) {
    const batch = feeds[i]!;
    await session.run(batch.feeds, [data.outputName]);
    texts += batch.size;
    batches += 1;
  }
  return { type: 'ran', texts, batches, elapsedMs: performance.now() - start };
}

port.on('message', (message: ToRawThread) => {
  void (async () => {
    if (message.type === 'prepare') {
      feeds = message.batches.map((batch) => ({ size: batch.size, feeds: toFeeds(batch) }));
      for (const batch of feeds.slice(0, 2)) await session.run(batch.feeds, [data.outputName]);
      port.postMessage({ type: 'prepared' } satisfies FromRawThread);
    } else if (message.type === 'run') {
      port.postMessage(await run(message.durationMs));
    } else {
      await session.release();
      port.close();
    }
  })();
});
port.postMessage({ type: 'ready' } satisfies FromRawThread);
