import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OverviewHistory, type PartitionOffsets } from './overview-history.js';

test('queue depths and topic rates are sampled; a topic that fails is left out of its sample', async () => {
  let now = 100_000;
  let depth = 3;
  const offsets: Record<string, PartitionOffsets[]> = {
    queue: [
      { partition: 0, low: '0', high: '10' },
      { partition: 1, low: '2', high: '20' },
    ],
  };
  let fail = false;
  const history = new OverviewHistory({
    queues: () => [{ name: 'queue', depth }],
    topics: ['queue', 'decisions'],
    readWatermarks: async (topic) => {
      if (topic === 'decisions' && fail) throw new Error('broker down');
      return offsets[topic] ?? [{ partition: 0, low: '0', high: '0' }];
    },
    intervalMs: 1_000,
    now: () => now,
  });
  await history.sample();
  now += 10_000;
  depth = 1;
  offsets.queue = [
    { partition: 0, low: '0', high: '60' },
    { partition: 1, low: '2', high: '70' },
  ];
  fail = true;
  await history.sample();

  assert.deepEqual(history.queueDepths(), { t: [100, 110], series: { queue: [3, 1] } });
  assert.deepEqual(history.topicRates(), { t: [110], series: { queue: [10], decisions: [null] } });
  const [queue] = history.watermarks();
  assert.equal(history.watermarks().length, 1, 'decisions failed in the last sample');
  assert.equal(queue?.messages, 128);
  assert.equal(queue?.end, 130);
});

test('label rates: flagged comments per minute and label, empty minutes included, bounded', () => {
  const history = new OverviewHistory({
    queues: () => [],
    topics: [],
    readWatermarks: async () => [],
    intervalMs: 1_000,
    labelMinutes: 3,
  });
  const minute = 60_000 * 1_000;
  history.recordFlagged(['namecalling', 'vulgarity'], minute + 5_000);
  history.recordFlagged(['namecalling'], minute + 59_000);
  history.recordFlagged(['sarcasm'], minute + 2 * 60_000);
  assert.deepEqual(history.labelRates(), {
    t: [60_000, 60_060, 60_120],
    series: { namecalling: [2, 0, 0], sarcasm: [0, 0, 1], vulgarity: [1, 0, 0] },
  });
  history.recordFlagged(['sarcasm'], minute + 3 * 60_000);
  history.recordFlagged(['sarcasm'], minute + 4 * 60_000);
  const rates = history.labelRates();
  assert.deepEqual(rates.t, [60_120, 60_180, 60_240], 'only the last 3 minutes are kept');
  assert.deepEqual(rates.series.sarcasm, [1, 1, 1]);
  history.recordFlagged(['vulgarity'], minute);
  assert.deepEqual(
    history.labelRates().t,
    [60_120, 60_180, 60_240],
    'an older minute than those kept is dropped',
  );
});
