import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CachedScores } from './label-cache.js';
import { MemoryLabelCache } from './memory-label-cache.js';

const scores = (name: string): CachedScores => ({ scores: { [name]: 0.9 }, modelVersion: 'm1' });
const hit = (name: string) => ({ outcome: 'hit', value: scores(name) });
const miss = { outcome: 'miss' };

describe('MemoryLabelCache', () => {
  it('returns stored values in key order and counts hits and misses', async () => {
    const cache = new MemoryLabelCache({ maxEntries: 10, ttlSeconds: 60 });
    await cache.setMany([
      { key: 'a', value: scores('sarcasm') },
      { key: 'b', value: scores('vulgarity') },
    ]);
    assert.deepEqual(await cache.getMany(['b', 'x', 'a']), [hit('vulgarity'), miss, hit('sarcasm')]);
    assert.deepEqual(cache.stats(), { hits: 2, misses: 1, bypassed: 0, readErrors: 0, writeErrors: 0 });
    assert.equal(cache.isAvailable(), true);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new MemoryLabelCache({ maxEntries: 2, ttlSeconds: 60 });
    await cache.setMany([
      { key: 'a', value: scores('a') },
      { key: 'b', value: scores('b') },
    ]);
    await cache.getMany(['a']);
    await cache.setMany([{ key: 'c', value: scores('c') }]);
    assert.equal(cache.size, 2);
    assert.deepEqual(await cache.getMany(['a', 'b', 'c']), [hit('a'), miss, hit('c')]);
  });

  it('expires entries after the TTL', async () => {
    let now = 1_000;
    const cache = new MemoryLabelCache({ maxEntries: 10, ttlSeconds: 5, now: () => now });
    await cache.setMany([{ key: 'a', value: scores('a') }]);
    now += 4_999;
    assert.deepEqual(await cache.getMany(['a']), [hit('a')]);
    now += 1;
    assert.deepEqual(await cache.getMany(['a']), [miss]);
    assert.equal(cache.size, 0);
  });

  it('empties on close and rejects bad options', async () => {
    const cache = new MemoryLabelCache({ maxEntries: 1, ttlSeconds: 1 });
    await cache.setMany([{ key: 'a', value: scores('a') }]);
    await cache.close();
    await cache.close();
    assert.equal(cache.size, 0);
    assert.throws(() => new MemoryLabelCache({ maxEntries: 0, ttlSeconds: 1 }), RangeError);
    assert.throws(() => new MemoryLabelCache({ maxEntries: 1, ttlSeconds: 0 }), RangeError);
  });
});
