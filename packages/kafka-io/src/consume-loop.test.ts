import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ConsumeLoop, type ConsumeLoopSettings } from './consume-loop.js';
import { FakeConsumer, FakeProducer } from './consumer-port-fake.js';
import type { ConsumedRecord, OutboundMessage } from './records.js';

const TOPIC = 'comments';

const outputsOf = (value: string): OutboundMessage[] => [
  { topic: 'labeled', key: value, value: Buffer.from(`out:${value}`) },
];

/** Handles each record at once, unless held (until released) or set to fail a number of times. */
class Handler {
  /** Values handed to `handle`, per call. */
  readonly calls: string[][] = [];
  /** Records to fail, by value: how many more attempts fail. */
  readonly failures = new Map<string, number>();
  readonly #holding = new Set<string>();
  readonly #held = new Map<string, (() => void)[]>();
  /** Most records held at once, per partition and in total. */
  readonly maxHeld = { perPartition: 0, total: 0 };

  readonly handle = (records: ConsumedRecord[]): Promise<OutboundMessage[]>[] => {
    this.calls.push(records.map((record) => record.value!.toString()));
    const results = records.map((record) => this.#one(record.value!.toString()));
    this.#countHeld();
    return results;
  };

  hold(...values: string[]): void {
    for (const value of values) this.#holding.add(value);
  }

  release(...values: string[]): void {
    for (const value of values) {
      this.#holding.delete(value);
      for (const resolve of this.#held.get(value) ?? []) resolve();
      this.#held.delete(value);
    }
  }

  get held(): string[] {
    return [...this.#held].flatMap(([value, held]) => held.map(() => value));
  }

  /** Times a value was handed to `handle`. */
  count(value: string): number {
    return this.calls.flat().filter((v) => v === value).length;
  }

  #one(value: string): Promise<OutboundMessage[]> {
    const failures = this.failures.get(value) ?? 0;
    if (failures > 0) {
      this.failures.set(value, failures - 1);
      return Promise.reject(new Error('model session unavailable'));
    }
    if (!this.#holding.has(value)) return Promise.resolve(outputsOf(value));
    return new Promise((resolve) => {
      const held = this.#held.get(value) ?? [];
      this.#held.set(value, [...held, () => resolve(outputsOf(value))]);
    });
  }

  #countHeld(): void {
    const held = this.held;
    const perPartition = new Map<string, number>();
    for (const value of held) {
      const partition = value.split('-')[0]!;
      perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
    }
    this.maxHeld.total = Math.max(this.maxHeld.total, held.length);
    this.maxHeld.perPartition = Math.max(this.maxHeld.perPartition, ...perPartition.values());
  }
}

async function eventually(condition: () => boolean, message: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) assert.fail(`timed out: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function startLoop(
  t: TestContext,
  parts: { consumer: FakeConsumer; producer: FakeProducer; handler: Handler },
  settings: Partial<ConsumeLoopSettings> = {},
): Promise<ConsumeLoop> {
  const loop = new ConsumeLoop({
    consumer: parts.consumer,
    producer: parts.producer,
    topic: TOPIC,
    handle: parts.handler.handle,
    logger: silent,
    retryBackoff: { initialMs: 5, maxMs: 40 },
    heartbeatIntervalMs: 20,
    ...settings,
  });
  await loop.start();
  t.after(() => {
    // A stop waits for the records in flight: let the held ones go.
    parts.handler.release(...parts.handler.held);
    return loop.stop();
  });
  return loop;
}

function setup(partitions = 1) {
  return {
    consumer: new FakeConsumer(TOPIC, { partitions }),
    producer: new FakeProducer(),
    handler: new Handler(),
  };
}

/** Waits until a record appended to `partition` is committed: any commit due before it was made by then. */
async function commitsSettled(consumer: FakeConsumer, partition: number): Promise<void> {
  const [offset] = consumer.append(partition, `${partition}-probe-${consumer.commits.length}`);
  await eventually(() => consumer.committed.get(partition) === String(Number(offset) + 1), 'probe committed');
}

test('a record is published as soon as it is ready, before a slower earlier one, whose offset it waits for', async (t) => {
  const parts = setup(2);
  const { consumer, producer, handler } = parts;
  handler.hold('0-a');
  consumer.append(0, '0-a', '0-b', '0-c');
  await startLoop(t, parts);

  await eventually(() => producer.values().length === 2, 'the two fast records published');
  assert.deepEqual(producer.values(), ['out:0-b', 'out:0-c']);
  assert.equal(producer.sends, 1, 'records ready in the same macrotask leave in one send');
  await commitsSettled(consumer, 1);
  assert.equal(consumer.committed.has(0), false, 'nothing committed past the slow record at offset 0');

  handler.release('0-a');
  await eventually(() => consumer.committed.get(0) === '3', 'committed after the slow record');
  assert.deepEqual(producer.values().slice(0, 2), ['out:0-b', 'out:0-c']);
  assert.deepEqual(producer.values().slice(-1), ['out:0-a']);
  assert.deepEqual(handler.calls[0], ['0-a', '0-b', '0-c'], 'one chunk');
  assert.equal(handler.count('0-a'), 1, 'handled once');
});

test('an offset is committed only over the contiguous prefix of acknowledged records', async (t) => {
  const parts = setup(2);
  const { consumer, producer, handler } = parts;
  producer.autoAck = false;
  handler.hold('0-a', '0-b', '0-c');
  consumer.append(0, '0-a', '0-b', '0-c');
  await startLoop(t, parts);

  for (const [i, value] of ['0-a', '0-b', '0-c'].entries()) {
    await eventually(() => handler.held.includes(value), `${value} handed to handle`);
    handler.release(value);
    await eventually(() => producer.pending.length === i + 1, `${value} sent`);
  }
  const [a, b, c] = producer.pending.slice();
  b!.ack();
  c!.ack();
  await eventually(() => producer.values().length === 2, 'b and c acknowledged');
  producer.autoAck = true;
  await commitsSettled(consumer, 1);
  assert.equal(consumer.committed.has(0), false, 'b and c acknowledged before a: nothing committed');

  a!.ack();
  await eventually(() => consumer.committed.get(0) === '3', 'a acknowledged: all three committed');
  const partition0 = consumer.commits.flat().filter((c) => c.partition === 0);
  assert.deepEqual(
    partition0.map((c) => c.offset),
    ['3'],
  );
});

test('a record that fails transiently is retried with backoff, never skipped; the others and other partitions go on', async (t) => {
  const parts = setup(2);
  const { consumer, producer, handler } = parts;
  const retries: [string, number, number][] = [];
  handler.failures.set('0-b', Number.POSITIVE_INFINITY);
  consumer.append(0, '0-a', '0-b', '0-c');
  consumer.append(1, '1-a', '1-b');
  await startLoop(t, parts, { onRetry: (step, attempt, delayMs) => retries.push([step, attempt, delayMs]) });

  await eventually(() => retries.length >= 5, 'five attempts failed');
  assert.equal(consumer.committed.get(0), '1', 'partition 0 committed up to the failing record only');
  assert.equal(consumer.committed.get(1), '2', 'partition 1 is not held up');
  assert.ok(producer.values().includes('out:0-c'), 'the record after the failing one is published');
  assert.ok(!producer.values().includes('out:0-b'));
  assert.deepEqual(
    retries.slice(0, 5),
    [
      ['handle', 1, 5],
      ['handle', 2, 10],
      ['handle', 3, 20],
      ['handle', 4, 40],
      ['handle', 5, 40],
    ],
    'the backoff doubles up to its maximum',
  );

  handler.failures.delete('0-b');
  await eventually(() => consumer.committed.get(0) === '3', 'committed once the failing record succeeded');
  assert.deepEqual(
    producer.values().filter((v) => v === 'out:0-b'),
    ['out:0-b'],
  );
  assert.deepEqual(handler.calls.slice(-1), [['0-b']], 'only the failing record is handled again');
});

test('a publish that fails is retried with the same outputs; nothing is committed before it succeeds', async (t) => {
  const parts = setup();
  const { consumer, producer, handler } = parts;
  const retries: string[] = [];
  const replaceRefused = (message: OutboundMessage) => message;
  producer.failNext = 2;
  consumer.append(0, '0-a', '0-b');
  await startLoop(t, parts, {
    replaceRefused,
    onRetry: (step, attempt) => {
      retries.push(`${step}:${attempt}`);
      assert.deepEqual(consumer.commits, [], 'nothing committed while the publish fails');
    },
  });

  await eventually(() => consumer.committed.get(0) === '2', 'committed after the third send');
  assert.deepEqual(retries, ['publish:1', 'publish:2']);
  assert.equal(producer.sends, 3);
  assert.deepEqual(producer.values(), ['out:0-a', 'out:0-b']);
  assert.deepEqual(handler.calls, [['0-a', '0-b']], 'outputs are kept, not handled again');
  assert.equal(producer.lastReplaceRefused, replaceRefused, 'refused outputs are still replaced');
});

test('stop stops fetching, lets the records in flight finish publishing, commits them and leaves the group', async (t) => {
  const parts = setup();
  const { consumer, producer, handler } = parts;
  handler.hold('0-a', '0-b');
  consumer.append(0, '0-a', '0-b', '0-c');
  const loop = await startLoop(t, parts);
  await eventually(() => producer.values().length === 1, '0-c published');

  const stopped = loop.stop();
  consumer.append(0, '0-d');
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(consumer.left, false, 'still in the group while records are in flight');
  handler.release('0-a', '0-b');
  await stopped;

  assert.deepEqual(producer.values().sort(), ['out:0-a', 'out:0-b', 'out:0-c']);
  assert.equal(consumer.committed.get(0), '3', 'what was published is committed');
  assert.equal(consumer.left, true);
  assert.equal(handler.count('0-d'), 0, 'nothing fetched after stop began is handled');
  await loop.stop();
});

test('the in-flight window is bounded per partition and in total; a batch waits for room, heartbeating', async (t) => {
  const parts = setup(2);
  const { consumer, producer, handler } = parts;
  const values = (p: number) => Array.from({ length: 10 }, (_, i) => `${p}-${i}`);
  handler.hold(...values(0), ...values(1));
  consumer.append(0, ...values(0));
  consumer.append(1, ...values(1));
  await startLoop(t, parts, { chunkSize: 2, maxInFlightPerPartition: 4, maxInFlight: 6 });

  await eventually(() => handler.held.length === 6, 'the window filled up');
  const heartbeats = consumer.heartbeats;
  await eventually(() => consumer.heartbeats >= heartbeats + 3, 'heartbeats while waiting for room');
  assert.equal(handler.held.length, 6, 'no more than 6 records in flight');
  assert.ok(handler.maxHeld.perPartition <= 4, `per partition: ${handler.maxHeld.perPartition}`);
  const resolved = [...consumer.positions.values()].reduce((a, b) => a + Number(b), 0);
  assert.equal(resolved, 6, 'the fetch position moved only past the accepted records');

  handler.release(...values(0), ...values(1));
  for (let i = 0; producer.values().length < 20 && i < 100; i++) {
    await eventually(() => handler.held.length > 0 || producer.values().length === 20, 'more handed');
    handler.release(...handler.held);
  }
  await eventually(
    () => consumer.committed.get(0) === '10' && consumer.committed.get(1) === '10',
    'all done',
  );
  assert.ok(handler.maxHeld.total <= 6, `in total: ${handler.maxHeld.total}`);
  assert.ok(handler.maxHeld.perPartition <= 4, `per partition: ${handler.maxHeld.perPartition}`);
  assert.equal(producer.values().length, 20);
});

test('a partition full behind a failing record is paused without holding up the others, and resumed', async (t) => {
  const parts = setup(2);
  const { consumer, producer, handler } = parts;
  handler.failures.set('0-0', Number.POSITIVE_INFINITY);
  consumer.append(0, '0-0', '0-1', '0-2', '0-3', '0-4', '0-5');
  await startLoop(t, parts, { chunkSize: 2, maxInFlightPerPartition: 3, maxInFlight: 10 });

  await eventually(() => consumer.paused.has(0), 'partition 0 paused');
  consumer.append(1, '1-0', '1-1', '1-2', '1-3', '1-4');
  await eventually(() => consumer.committed.get(1) === '5', 'partition 1 flows meanwhile');
  assert.equal(consumer.positions.get(0), 3n, 'partition 0 fetched no further than its window');
  assert.equal(handler.count('0-3'), 0);

  handler.failures.delete('0-0');
  await eventually(() => consumer.committed.get(0) === '6', 'partition 0 drained after the record succeeded');
  assert.equal(consumer.paused.has(0), false, 'resumed');
  assert.equal(producer.values().length, 11);
});

test('a rebalance gives up a revoked partition (no late publish, no commit) and does not handle a kept one twice', async (t) => {
  const parts = setup(2);
  const { consumer, producer, handler } = parts;
  const joins: object[] = [];
  handler.hold('0-a', '1-a');
  consumer.append(0, '0-a', '0-b');
  consumer.append(1, '1-a', '1-b');
  await startLoop(t, parts, {
    logger: {
      ...silent,
      info: (fields, message) => message === 'joined consumer group' && joins.push(fields),
    },
  });
  await eventually(() => producer.values().length === 2, '0-b and 1-b published');

  consumer.rebalance([0]);
  await eventually(() => joins.length === 2, 'rejoined with partition 0 only');
  // Partition 0 is fetched again from its committed offset (none): 0-a and 0-b come a second time.
  await eventually(() => consumer.positions.get(0) === 2n, 'partition 0 fetched again');
  handler.release('1-a', '0-a');
  consumer.append(0, '0-c');
  await eventually(() => consumer.committed.get(0) === '3', 'partition 0 committed to its end');

  assert.deepEqual(producer.values().sort(), ['out:0-a', 'out:0-b', 'out:0-c', 'out:1-b']);
  assert.equal(consumer.committed.has(1), false, 'nothing committed for the revoked partition');
  assert.deepEqual(
    ['0-a', '0-b', '0-c'].map((v) => handler.count(v)),
    [1, 1, 1],
    'records of the kept partition are handled once',
  );
});
