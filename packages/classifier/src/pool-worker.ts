// Entry of one ClassifierPool worker thread: one InferenceEngine, requests handled one at a time.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { loadBundle } from './bundle.js';
import { InferenceEngine } from './engine.js';
import { serializeError, type FromWorker, type PoolWorkerData, type ToWorker } from './pool-protocol.js';

const port: MessagePort = parentPort ?? notInWorker();
const data = workerData as PoolWorkerData;
const send = (message: FromWorker): void => port.postMessage(message);

let engine: InferenceEngine | undefined;
try {
  const bundle = await loadBundle(data.bundleDir, { verify: false });
  engine = await InferenceEngine.create(bundle, data.session);
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'init_error', error: serializeError(error) });
  port.close();
}

if (engine !== undefined) {
  const ready = engine;
  let queue = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    queue = queue.then(() => handle(ready, message));
  });
}

async function handle(ready: InferenceEngine, message: ToWorker): Promise<void> {
  if (message.type === 'close') {
    await ready.release();
    port.close();
    return;
  }
  try {
    const results =
      'texts' in message
        ? await ready.classify(message.texts)
        : await ready.classifyEncoded(message.sequences);
    send({ type: 'result', id: message.id, results });
  } catch (error) {
    send({ type: 'error', id: message.id, error: serializeError(error) });
  }
}

function notInWorker(): never {
  throw new Error('pool-worker must run in a worker thread');
}
