import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** One single ONNX Runtime session running the pre-padded batch the main thread names, timing each run. */
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
  { type: 'prepare'; batches: RawBatch[] } | { type: 'run'; index: number } | { type: 'close' };

export type FromRawThread = { type: 'ready' } | { type: 'prepared' } | { type: 'ran'; ms: number };

const data = (workerData as { data: RawThreadData }).data;
const port = parentPort;
if (port === null) throw new Error('raw-limit-thread must run as a worker thread');

const session = await ort.InferenceSession.create(data.modelPath, {
  intraOpNumThreads: data.intraOpThreads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});

let feeds: { cost: number; feeds: Record<string, ort.Tensor> }[] = [];

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

port.on('message', (message: ToRawThread) => {
  void (async () => {
    if (message.type === 'prepare') {
      feeds = message.batches.map((batch) => ({
        cost: batch.size * batch.sequenceLength,
        feeds: toFeeds(batch),
      }));
      // Warm-up: the largest batch, so the memory arena is grown before anything is timed.
      const largest = feeds.reduce((a, b) => (b.cost > a.cost ? b : a), feeds[0]!);
      if (largest !== undefined) await session.run(largest.feeds, [data.outputName]);
      port.postMessage({ type: 'prepared' } satisfies FromRawThread);
    } else if (message.type === 'run') {
      const start = performance.now();
      await session.run(feeds[message.index]!.feeds, [data.outputName]);
      port.postMessage({ type: 'ran', ms: performance.now() - start } satisfies FromRawThread);
    } else {
      await session.release();
      port.close();
    }
  })();
});
port.postMessage({ type: 'ready' } satisfies FromRawThread);
