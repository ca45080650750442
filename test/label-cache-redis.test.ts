import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cacheKey, RedisLabelCache, type CachedScores } from '@modstream/label-cache';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  requireRedis,
  testStackSettings,
  uniqueName,
  waitFor,
} from '@modstream/testkit';

const value = (label: string): CachedScores => ({
  scores: { [label]: 0.91, vulgarity: 0.02 },
  modelVersion: 'm-test',
});
const hit = (label: string) => ({ outcome: 'hit', value: value(label) });
const miss = { outcome: 'miss' };

describe('RedisLabelCache against the stack Redis', () => {
  const { redisUrl } = testStackSettings();
  const keyPrefix = `${uniqueName('label-cache')}:`;
  let redis: ReturnType<typeof createTestRedis> | undefined;
  let cache: RedisLabelCache;

  before(async () => {
    await requireRedis(redisUrl);
    redis = createTestRedis(redisUrl);
    cache = new RedisLabelCache({ redis: redisUrl, keyPrefix, ttlSeconds: 120 });
  });
  after(async () => {
    if (!redis) return;
    await deleteKeysWithPrefix(redis, keyPrefix);
    await cache.close();
    redis.disconnect();
  });

  it('round-trips a batch with one MGET and counts hits and misses', async () => {
    assert.ok(await cache.waitUntilReady(5_000));
    const [a, b, missing] = ['first text', 'second text', 'never stored'].map((text) =>
      cacheKey(text, 'm-test'),
    );
    await cache.setMany([
      { key: a!, value: value('sarcasm') },
      { key: b!, value: value('namecalling') },
    ]);
    assert.deepEqual(await cache.getMany([b!, missing!, a!]), [hit('namecalling'), miss, hit('sarcasm')]);
    assert.deepEqual(cache.stats(), { hits: 2, misses: 1, bypassed: 0, readErrors: 0, writeErrors: 0 });
  });

  it('reads an entry in the old labels-and-thresholds shape as a miss, and the next write replaces it', async () => {
    const key = cacheKey('cached by an older worker', 'm-test');
    const oldShape = {
      labels: ['sarcasm'],
      scores: { sarcasm: 0.91 },
      model_version: 'm-test',
      thresholds_version: 't-old',
      cached_at: new Date().toISOString(),
    };
    await redis!.set(cache.redisKey(key), JSON.stringify(oldShape), 'EX', 60);
    const before = cache.stats();
    assert.deepEqual(await cache.getMany([key]), [miss]);
    assert.equal(cache.stats().misses, before.misses + 1);
    assert.deepEqual(await cache.setMany([{ key, value: value('sarcasm') }]), { failed: 0 });
    assert.deepEqual(await cache.getMany([key]), [hit('sarcasm')]);
    const stored = JSON.parse((await redis!.get(cache.redisKey(key))) ?? '{}') as Record<string, unknown>;
    assert.equal(stored.labels, undefined, 'no labels are stored');
    assert.equal(stored.format, 'scores.v1');
  });

  it('sets the TTL on every key', async () => {
    const key = cacheKey('ttl text', 'm-test');
    await cache.setMany([{ key, value: value('hyperbole') }]);
    const ttl = await redis!.ttl(cache.redisKey(key));
    assert.ok(ttl > 100 && ttl <= 120, `ttl ${ttl}`);
  });

  it('stores no raw text in keys or values', async () => {
    const text = 'A distinctive comment that must never reach Redis';
    await cache.setMany([{ key: cacheKey(text, 'm-test'), value: value('aspersion') }]);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis!.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    assert.ok(keys.length >= 1);
    const values = await redis!.mget(keys);
    for (const stored of [...keys, ...values]) {
      assert.ok(stored !== null);
      assert.ok(!stored.toLowerCase().includes('distinctive'), `raw text found in ${stored}`);
    }
  });
});

describe('RedisLabelCache when Redis stops and comes back', () => {
  let port = 0;
  let server: ChildProcess | undefined;
  let cache: RedisLabelCache;
  const key = cacheKey('outage text', 'm-test');

  function startRedis(): void {
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
  }

  async function stopRedis(): Promise<void> {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  before(async () => {
    port = await freePort();
    startRedis();
    cache = new RedisLabelCache({ redis: `redis://127.0.0.1:${port}`, keyPrefix: 'outage:', ttlSeconds: 60 });
  });
  after(async () => {
    await cache.close();
    await stopRedis();
  });

  it('turns reads into misses and counts errors while down, then works again', async () => {
    await waitFor(() => cache.isAvailable(), { message: 'throwaway Redis ready' });
    await cache.setMany([{ key, value: value('lying') }]);
    assert.deepEqual(await cache.getMany([key]), [hit('lying')]);

    await stopRedis();
    await waitFor(() => !cache.isAvailable(), { message: 'cache notices Redis is gone' });
    const startedAt = Date.now();
    assert.deepEqual(await cache.getMany([key, 'other']), [{ outcome: 'bypass' }, { outcome: 'bypass' }]);
    assert.deepEqual(await cache.setMany([{ key, value: value('lying') }]), { failed: 1 });
    assert.ok(Date.now() - startedAt < 1_000, 'a down Redis fails fast');
    assert.deepEqual(cache.stats(), { hits: 1, misses: 0, bypassed: 2, readErrors: 1, writeErrors: 1 });

    startRedis();
    await waitFor(() => cache.isAvailable(), { message: 'cache reconnects on its own' });
    assert.deepEqual(await cache.getMany([key]), [miss], 'the restarted Redis is empty');
    await cache.setMany([{ key, value: value('pejorative') }]);
    assert.deepEqual(await cache.getMany([key]), [hit('pejorative')]);
    assert.deepEqual(cache.stats(), { hits: 2, misses: 1, bypassed: 2, readErrors: 1, writeErrors: 1 });
  });

  it('closes idempotently and never throws afterwards', async () => {
    await cache.close();
    await cache.close();
    assert.deepEqual(await cache.getMany([key]), [{ outcome: 'bypass' }]);
    assert.deepEqual(await cache.setMany([{ key, value: value('lying') }]), { failed: 1 });
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}
