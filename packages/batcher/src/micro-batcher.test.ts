import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { BatcherClosedError, BatchResultCountError } from './errors.js';
import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.js';

interface Call {
  items: number[];
  resolved?: boolean;
  resolve: (results: string[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Items are numbers whose cost is their value; a batch's results are `r<item>`. Costs mix freely unless a
 * test sets maxCostRatio (undefined: the default).
 */
function harness(options: Partial<MicroBatcherOptions<number, string>> = {}) {
  const calls: Call[] = [];
  let running = 0;
  let maxRunning = 0;
  const batcher = new MicroBatcher<number, string>({
    maxItems: 4,
    maxTokens: 1000,
    maxCostRatio: Infinity,
    maxWaitMs: 10,
    maxInFlight: 100,
    concurrency: 1,
    cost: (item) => item,
    runBatch: (items) =>
      new Promise<string[]>((resolve, reject) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        const done = () => (running -= 1);
        calls.push({
          items,
          resolve: (results) => (done(), resolve(results)),
          reject: (error) => (done(), reject(error)),
        });
      }),
    ...options,
  });
  const complete = async (index: number): Promise<void> => {
    const call = calls[index];
    assert.ok(call, `no batch #${index}`);
    call.resolve(call.items.map((item) => `r${item}`));
    await settle();
  };
  return { batcher, calls, complete, maxRunning: () => maxRunning };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const itemsOf = (calls: Call[]) => calls.map((call) => call.items);

describe('MicroBatcher', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('dispatches a batch as soon as maxItems are pending', async () => {
    const { batcher, calls, complete } = harness({ maxItems: 3 });
    const results = [1, 2, 3].map((item) => batcher.submit(item));
    assert.deepEqual(itemsOf(calls), [[1, 2, 3]]);
    await complete(0);
    assert.deepEqual(await Promise.all(results), ['r1', 'r2', 'r3']);
    void batcher.submit(4);
    assert.equal(calls.length, 1, 'a partial batch waits for maxWaitMs');
  });

  it('closes a batch when one more item would pass maxTokens (items × max cost)', async () => {
    const { batcher, calls } = harness({ maxItems: 100, maxTokens: 10, concurrency: 2 });
    void batcher.submit(3);
    void batcher.submit(3);
    void batcher.submit(3);
    assert.equal(calls.length, 0, '3 × 3 = 9 tokens still fit');
    void batcher.submit(3);
    assert.deepEqual(itemsOf(calls), [[3, 3, 3]]);
    void batcher.submit(50);
    assert.deepEqual(itemsOf(calls), [[3, 3, 3], [3]]);
    mock.timers.tick(10);
    assert.deepEqual(itemsOf(calls), [[3, 3, 3], [3]], 'concurrency 2 is in use');
    assert.equal(batcher.stats().pending, 1);
  });

  it('sends an item over maxTokens alone', async () => {
    const { batcher, calls } = harness({ maxItems: 100, maxTokens: 10, concurrency: 3 });
    void batcher.submit(2);
    void batcher.submit(50);
    void batcher.submit(2);
    assert.deepEqual(itemsOf(calls), [[2], [50]], 'each closed when the next item would pass maxTokens');
    void batcher.flush();
    assert.deepEqual(itemsOf(calls), [[2], [50], [2]]);
  });

  it('dispatches a partial batch maxWaitMs after its first item', async () => {
    const { batcher, calls } = harness({ maxItems: 10, maxWaitMs: 10 });
    void batcher.submit(1);
    mock.timers.tick(6);
    void batcher.submit(2);
    mock.timers.tick(3);
    assert.equal(calls.length, 0);
    mock.timers.tick(1);
    assert.deepEqual(itemsOf(calls), [[1, 2]]);
  });

  it('buckets pending items by cost around the oldest item', async () => {
    const { batcher, calls, complete } = harness({ maxItems: 2 });
    void batcher.submit(9);
    void batcher.submit(9);
    for (const item of [5, 1, 4, 2, 3, 6]) void batcher.submit(item);
    assert.deepEqual(itemsOf(calls), [[9, 9]]);
    await complete(0);
    await complete(1);
    await complete(2);
    assert.deepEqual(itemsOf(calls), [
      [9, 9],
      [4, 5],
      [1, 2],
      [3, 6],
    ]);
  });

  it('keeps the largest cost of a batch within 1.5 × its smallest by default', async () => {
    const { batcher, calls } = harness({ maxItems: 8, concurrency: 2, maxCostRatio: undefined });
    for (const item of [10, 40, 12, 11, 30]) void batcher.submit(item);
    assert.equal(calls.length, 0, 'a batch cut by the ratio is not full: it waits to fill');
    mock.timers.tick(10);
    assert.deepEqual(itemsOf(calls), [
      [10, 11, 12],
      [30, 40],
    ]);
  });

  it('fills a batch cut by the ratio with similar items; the rest keep their own maxWaitMs', async () => {
    const { batcher, calls } = harness({ maxItems: 3, concurrency: 2, maxCostRatio: 1.5 });
    void batcher.submit(10);
    mock.timers.tick(5);
    void batcher.submit(40);
    mock.timers.tick(2);
    void batcher.submit(11);
    void batcher.submit(12);
    assert.deepEqual(itemsOf(calls), [[10, 11, 12]]);
    mock.timers.tick(7);
    assert.equal(calls.length, 1);
    mock.timers.tick(1);
    assert.deepEqual(itemsOf(calls), [[10, 11, 12], [40]]);
  });

  it('admits waiting submits in FIFO order as capacity frees', async () => {
    const { batcher, calls, complete } = harness({ maxItems: 2, maxInFlight: 2 });
    const results = [1, 2, 3, 4, 5].map((item) => batcher.submit(item));
    assert.deepEqual(batcher.stats(), { pending: 0, inFlight: 2, waiting: 3, runningBatches: 1 });
    await complete(0);
    assert.deepEqual(itemsOf(calls), [
      [1, 2],
      [3, 4],
    ]);
    assert.equal(batcher.stats().waiting, 1);
    await complete(1);
    assert.equal(calls.length, 2);
    mock.timers.tick(10);
    assert.deepEqual(calls[2]?.items, [5]);
    await complete(2);
    assert.deepEqual(await Promise.all(results), ['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('never holds more than maxInFlight items, whatever the interleaving', async () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let sawBackpressure = false;
    for (let round = 0; round < 20; round += 1) {
      const maxInFlight = 1 + Math.floor(random() * 8);
      const concurrency = 1 + Math.floor(random() * 3);
      const { batcher, calls } = harness({ maxItems: 3, maxTokens: 20, maxInFlight, concurrency });
      let settled = 0;
      const submitted: Promise<void>[] = [];
      const check = () => {
        const { pending, inFlight, runningBatches, waiting } = batcher.stats();
        if (waiting > 0) sawBackpressure = true;
        assert.ok(pending + inFlight <= maxInFlight, `${pending} + ${inFlight} > ${maxInFlight}`);
        assert.ok(runningBatches <= concurrency);
      };
      for (let step = 0; step < 60; step += 1) {
        const action = random();
        if (action < 0.5) {
          const item = 1 + Math.floor(random() * 9);
          submitted.push(
            batcher.submit(item).then((result) => {
              assert.equal(result, `r${item}`);
              settled += 1;
            }),
          );
        } else if (action < 0.8) {
          const open = calls.filter((call) => !call.resolved);
          const call = open[Math.floor(random() * open.length)];
          if (call) {
            call.resolved = true;
            call.resolve(call.items.map((item) => `r${item}`));
          }
          await settle();
        } else {
          mock.timers.tick(Math.floor(random() * 12));
        }
        check();
      }
      const closing = batcher.close();
      while (settled < submitted.length) {
        for (const call of calls.filter((c) => !c.resolved)) {
          call.resolved = true;
          call.resolve(call.items.map((item) => `r${item}`));
        }
        await settle();
        check();
      }
      await closing;
      await Promise.all(submitted);
    }
    assert.ok(sawBackpressure, 'the loop never filled the batcher');
  });

  it('runs at most `concurrency` batches at once', async () => {
    const { batcher, calls, complete, maxRunning } = harness({ maxItems: 1, concurrency: 2 });
    const results = [1, 2, 3, 4, 5].map((item) => batcher.submit(item));
    assert.equal(calls.length, 2);
    await complete(0);
    assert.equal(calls.length, 3);
    for (let index = 1; index < 5; index += 1) await complete(index);
    assert.deepEqual(await Promise.all(results), ['r1', 'r2', 'r3', 'r4', 'r5']);
    assert.equal(maxRunning(), 2);
  });

  it('rejects every item of a failed batch with its error and no other', async () => {
    const { batcher, calls, complete } = harness({ maxItems: 2, concurrency: 2 });
    const failing = [batcher.submit(1), batcher.submit(2)];
    const passing = [batcher.submit(3), batcher.submit(4)];
    const boom = new Error('session lost');
    const failures = failing.map((result) => assert.rejects(result, (error) => error === boom));
    calls[0]?.reject(boom);
    await complete(1);
    await Promise.all(failures);
    assert.deepEqual(await Promise.all(passing), ['r3', 'r4']);
  });

  it('rejects a batch whose runBatch returns the wrong number of results', async () => {
    const { batcher, calls } = harness({ maxItems: 2 });
    const results = [batcher.submit(1), batcher.submit(2)];
    calls[0]?.resolve(['only one']);
    for (const result of results) {
      await assert.rejects(result, (error) => error instanceof BatchResultCountError && error.actual === 1);
    }
  });

  it('rejects the batch when runBatch throws synchronously', async () => {
    const boom = new Error('sync');
    const batcher = new MicroBatcher<number, number>({
      maxItems: 1,
      maxTokens: 10,
      maxWaitMs: 10,
      maxInFlight: 4,
      concurrency: 1,
      cost: () => 1,
      runBatch: () => {
        throw boom;
      },
    });
    await assert.rejects(batcher.submit(1), (error) => error === boom);
    assert.deepEqual(batcher.stats(), { pending: 0, inFlight: 0, waiting: 0, runningBatches: 0 });
  });

  it('flush dispatches pending items at once and waits for them', async () => {
    const { batcher, calls, complete } = harness({ maxItems: 10 });
    void batcher.submit(1);
    void batcher.submit(2);
    let flushed = false;
    const flushing = batcher.flush().then(() => (flushed = true));
    assert.deepEqual(itemsOf(calls), [[1, 2]]);
    await settle();
    assert.equal(flushed, false);
    await complete(0);
    await flushing;
    assert.equal(flushed, true);
    await batcher.flush();
  });

  it('close rejects new submits and lets accepted items finish', async () => {
    const { batcher, calls, complete } = harness({ maxItems: 10, maxInFlight: 1 });
    const accepted = batcher.submit(1);
    const waiting = batcher.submit(2);
    const closing = batcher.close();
    await assert.rejects(batcher.submit(3), BatcherClosedError);
    assert.deepEqual(itemsOf(calls), [[1]]);
    await complete(0);
    await complete(1);
    await closing;
    assert.deepEqual(await Promise.all([accepted, waiting]), ['r1', 'r2']);
    assert.equal(batcher.close(), closing);
    assert.equal(batcher.closed, true);
  });

  it('rejects invalid options', () => {
    assert.throws(() => harness({ maxItems: 0 }), RangeError);
    assert.throws(() => harness({ concurrency: 1.5 }), RangeError);
    assert.throws(() => harness({ maxWaitMs: -1 }), RangeError);
    assert.throws(() => harness({ maxCostRatio: 0.5 }), RangeError);
  });
});
