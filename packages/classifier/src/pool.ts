import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadBundle } from './bundle.js';
import { createTokenizer, type SessionOptions } from './engine.js';
import { BundleError, ClassifierError, type BundleErrorKind } from './errors.js';
import type {
  ClassifyInput,
  FromWorker,
  PoolWorkerData,
  SerializedError,
  ToWorker,
} from './pool-protocol.js';
import type { BundleTokenizer } from './tokenizer.js';
import type { BundleInfo, Classification, TextClassifier } from './types.js';

export interface ClassifierPoolOptions extends SessionOptions {
  /** Worker threads, each with one ONNX Runtime session (default: available parallelism). */
  sessions?: number;
  /** Check the sha256 of the bundle's files once, before the workers start (default true). */
  verify?: boolean;
}

interface Pending {
  size: number;
  resolve: (results: Classification[]) => void;
  reject: (error: Error) => void;
}

/** An error a worker reported, rebuilt as a BundleError when it was one, else as a ClassifierError. */
function rebuildError(error: SerializedError): Error {
  if (error.name === 'BundleError' && error.kind !== undefined) {
    return new BundleError(
      error.kind as BundleErrorKind,
      error.message,
      error.file === undefined ? {} : { file: error.file },
    );
  }
  return new ClassifierError('inference_failed', `${error.name}: ${error.message}`);
}

/**
 * Starts the worker entry from compiled dist (.js) or, when this module runs from source under tsx, from
 * pool-worker.ts through a small bootstrap that registers tsx in the worker first.
 */
function startWorker(data: PoolWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./pool-worker.js', import.meta.url), { workerData: data });
  }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./pool-worker.ts', import.meta.url).href);
  const bootstrap = `import(${tsx}).then(({ register }) => { register(); return import(${entry}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  pendingTexts = 0;
  wasReady = false;
  #exited: Promise<void>;
  #failure: Error | undefined;

  constructor(data: PoolWorkerData, onUnexpectedExit: (worker: PoolWorker) => void) {
    this.worker = startWorker(data);
    this.#exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (message: FromWorker) => this.#onMessage(message));
    this.worker.on('error', (error) =>
      this.#fail(
        new ClassifierError('worker_failed', `inference worker failed: ${error.message}`, { cause: error }),
      ),
    );
    this.worker.once('exit', (code) => {
      this.#fail(new ClassifierError('worker_failed', `inference worker exited (code ${code})`));
      onUnexpectedExit(this);
    });
  }

  /** Resolves once the worker's session is loaded; rejects with its load error. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'ready') resolve();
        if (message.type === 'init_error') reject(rebuildError(message.error));
        if (message.type === 'ready' || message.type === 'init_error') this.worker.off('message', onMessage);
      };
      this.worker.on('message', onMessage);
      this.worker.once('exit', () =>
        reject(this.#failure ?? new ClassifierError('worker_failed', 'inference worker exited')),
      );
    });
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  classify(id: number, input: ClassifyInput, size: number): Promise<Classification[]> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { size, resolve, reject });
      this.pendingTexts += size;
      this.worker.postMessage({ type: 'classify', id, ...input } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    await this.#exited;
  }

  #onMessage(message: FromWorker): void {
    if (message.type === 'ready') this.wasReady = true;
    if (message.type !== 'result' && message.type !== 'error') return;
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    this.pending.delete(message.id);
    this.pendingTexts -= pending.size;
    if (message.type === 'result') pending.resolve(message.results);
    else pending.reject(rebuildError(message.error));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.pendingTexts = 0;
  }
}

/**
 * A TextClassifier backed by worker threads, one ONNX Runtime session each, so inference never blocks
 * the caller's event loop. Each request goes to the worker with the fewest texts in flight, which runs it
 * as one batch.
 */
export class ClassifierPool implements TextClassifier {
  readonly info: BundleInfo;
  readonly #tokenizer: BundleTokenizer;
  readonly #data: PoolWorkerData;
  #workers: PoolWorker[] = [];
  #nextId = 0;
  #closing: Promise<void> | undefined;

  private constructor(info: BundleInfo, tokenizer: BundleTokenizer, data: PoolWorkerData) {
    this.info = info;
    this.#tokenizer = tokenizer;
    this.#data = data;
  }

  static async create(bundleDir: string, options: ClassifierPoolOptions = {}): Promise<ClassifierPool> {
    const sessions = options.sessions ?? availableParallelism();
    if (!Number.isInteger(sessions) || sessions < 1) {
      throw new RangeError(`sessions must be a positive integer, got ${sessions}`);
    }
    const bundle = await loadBundle(bundleDir, { verify: options.verify ?? true });
    const session: SessionOptions = {
      intraOpThreads: options.intraOpThreads ?? 1,
      interOpThreads: options.interOpThreads ?? 1,
    };
    const pool = new ClassifierPool(bundle.info, createTokenizer(bundle), { bundleDir: bundle.dir, session });
    pool.#workers = Array.from({ length: sessions }, () => pool.#spawn());
    try {
      await Promise.all(pool.#workers.map((worker) => worker.ready()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get sessions(): number {
    return this.#workers.length;
  }

  /** Texts in flight per worker. */
  get load(): number[] {
    return this.#workers.map((worker) => worker.pendingTexts);
  }

  encode(text: string): number[] {
    return this.#tokenizer.encode(text);
  }

  classify(texts: readonly string[]): Promise<Classification[]> {
    return this.#dispatch({ texts }, texts.length);
  }

  classifyEncoded(sequences: readonly (readonly number[])[]): Promise<Classification[]> {
    return this.#dispatch({ sequences }, sequences.length);
  }

  async #dispatch(input: ClassifyInput, size: number): Promise<Classification[]> {
    if (this.#closing !== undefined) throw new ClassifierError('closed', 'classifier pool is closed');
    if (size === 0) return [];
    const worker = this.#workers.reduce((best, candidate) =>
      candidate.pendingTexts < best.pendingTexts ? candidate : best,
    );
    return worker.classify(this.#nextId++, input, size);
  }

  /** Lets requests in flight finish, then releases every session and ends the workers. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= Promise.allSettled(this.#workers.map((worker) => worker.close())).then(() => undefined);
    return this.#closing;
  }

  #spawn(): PoolWorker {
    return new PoolWorker(this.#data, (exited) => this.#replace(exited));
  }

  /** A worker that died while the pool is open is replaced, so one crash does not shrink the pool. */
  #replace(exited: PoolWorker): void {
    if (this.#closing !== undefined || !exited.wasReady) return;
    const index = this.#workers.indexOf(exited);
    if (index >= 0) this.#workers[index] = this.#spawn();
  }
}
