import { BatchResultCountError, BatcherClosedError } from './errors.js';
import { DEFAULT_MAX_COST_RATIO, selectBatch } from './select-batch.js';

export interface MicroBatcherOptions<T = unknown, R = unknown> {
  /** Most items in one batch. */
  maxItems: number;
  /** Most padded tokens in one batch: items × the largest item cost. */
  maxTokens: number;
  /** A batch's largest item cost is at most this × its smallest (default DEFAULT_MAX_COST_RATIO). */
  maxCostRatio?: number;
  /** Longest time the oldest pending item waits for its batch to fill. */
  maxWaitMs: number;
  /** Items accepted but not yet settled; submit() waits (backpressure) once this is reached. */
  maxInFlight: number;
  /** Batches running at once (one per inference session). */
  concurrency: number;
  /** Cost of an item, e.g. its token count. */
  cost: (item: T) => number;
  /** Runs one batch; must resolve with one result per item, in order. */
  runBatch: (items: T[]) => Promise<R[]>;
  /** Clock in milliseconds; defaults to Date.now. */
  now?: () => number;
}

export interface MicroBatcherStats {
  /** Accepted items waiting for a batch. */
  pending: number;
  /** Items in running batches. */
  inFlight: number;
  /** Callers of submit() waiting for capacity. */
  waiting: number;
  runningBatches: number;
}

interface Entry<T, R> {
  item: T;
  cost: number;
  enqueuedAt: number;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<T, R> {
  readonly #options: Required<MicroBatcherOptions<T, R>>;
  /** Accepted, not yet dispatched, in arrival order. */
  #pending: Entry<T, R>[] = [];
  /** Submitted while at capacity, in arrival order (FIFO). */
  #waiting: Entry<T, R>[] = [];
  #inFlightItems = 0;
  #runningBatches = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerDueAt = Infinity;
  #draining = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: MicroBatcherOptions<T, R>) {
    for (const name of ['maxItems', 'maxTokens', 'maxInFlight', 'concurrency'] as const) {
      if (!Number.isInteger(options[name]) || options[name] < 1) {
        throw new RangeError(`${name} must be a positive integer, got ${options[name]}`);
      }
    }
    if (!(options.maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be >= 0, got ${options.maxWaitMs}`);
    const maxCostRatio = options.maxCostRatio ?? DEFAULT_MAX_COST_RATIO;
    if (!(maxCostRatio >= 1)) throw new RangeError(`maxCostRatio must be >= 1, got ${maxCostRatio}`);
    this.#options = { now: Date.now, ...options, maxCostRatio };
  }

  /** Resolves with the item's result once its batch ran; waits first while maxInFlight items are in the batcher. */
  submit(item: T): Promise<R> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    return new Promise<R>((resolve, reject) => {
      const entry: Entry<T, R> = { item, cost: 0, enqueuedAt: 0, resolve, reject };
      if (this.#waiting.length === 0 && this.#accepted() < this.#options.maxInFlight) {
        this.#accept(entry);
        this.#pump();
      } else {
        this.#waiting.push(entry);
      }
    });
  }

  /** Dispatches everything pending (and waiting) without waiting for maxWaitMs, and waits until all settled. */
  async flush(): Promise<void> {
    if (this.#isIdle()) return;
    this.#draining += 1;
    try {
      const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      this.#pump();
      await idle;
    } finally {
      this.#draining -= 1;
    }
  }

  /** Rejects new submits with BatcherClosedError and waits for the items already submitted. Safe to call twice. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.flush();
    return this.#closing;
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): MicroBatcherStats {
    return {
      pending: this.#pending.length,
      inFlight: this.#inFlightItems,
      waiting: this.#waiting.length,
      runningBatches: this.#runningBatches,
    };
  }

  #accepted(): number {
    return this.#pending.length + this.#inFlightItems;
  }

  #isIdle(): boolean {
    return this.#accepted() === 0 && this.#waiting.length === 0;
  }

  #accept(entry: Entry<T, R>): void {
    try {
      entry.cost = this.#options.cost(entry.item);
    } catch (error) {
      entry.reject(error);
      return;
    }
    entry.enqueuedAt = this.#options.now();
    this.#pending.push(entry);
  }

  #admitWaiting(): void {
    while (this.#waiting.length > 0 && this.#accepted() < this.#options.maxInFlight) {
      this.#accept(this.#waiting.shift()!);
    }
  }

  #pump(): void {
    const { maxItems, maxTokens, maxCostRatio, maxWaitMs, concurrency } = this.#options;
    while (this.#runningBatches < concurrency && this.#pending.length > 0) {
      const oldestDueAt = this.#pending[0]!.enqueuedAt + maxWaitMs;
      const { batch, full } = selectBatch(this.#pending, { maxItems, maxTokens, maxCostRatio });
      // At capacity no further item can arrive to fill the batch, so waiting longer gains nothing.
      const atCapacity = this.#accepted() >= this.#options.maxInFlight;
      if (!full && !atCapacity && this.#draining === 0 && this.#options.now() < oldestDueAt) break;
      const taken = new Set(batch);
      this.#pending = this.#pending.filter((entry) => !taken.has(entry));
      this.#run(batch);
    }
    this.#armTimer();
    if (this.#isIdle()) this.#notifyIdle();
  }

  #armTimer(): void {
    const oldest = this.#pending[0];
    const dueAt = oldest === undefined ? Infinity : oldest.enqueuedAt + this.#options.maxWaitMs;
    if (dueAt === this.#timerDueAt) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDueAt = Infinity;
    // A due batch blocked by concurrency is dispatched when a running batch settles.
    if (dueAt === Infinity || this.#runningBatches >= this.#options.concurrency) return;
    this.#timerDueAt = dueAt;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerDueAt = Infinity;
        this.#pump();
      },
      Math.max(0, dueAt - this.#options.now()),
    );
  }

  #run(batch: Entry<T, R>[]): void {
    this.#runningBatches += 1;
    this.#inFlightItems += batch.length;
    const items = batch.map((entry) => entry.item);
    let running: Promise<R[]>;
    try {
      running = this.#options.runBatch(items);
    } catch (error) {
      running = Promise.reject(error);
    }
    running
      .then(
        (results) => {
          if (!Array.isArray(results) || results.length !== batch.length) {
            const error = new BatchResultCountError(
              batch.length,
              Array.isArray(results) ? results.length : 0,
            );
            for (const entry of batch) entry.reject(error);
            return;
          }
          batch.forEach((entry, index) => entry.resolve(results[index] as R));
        },
        (error: unknown) => {
          for (const entry of batch) entry.reject(error);
        },
      )
      .finally(() => {
        this.#runningBatches -= 1;
        this.#inFlightItems -= batch.length;
        this.#admitWaiting();
        this.#pump();
      });
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
