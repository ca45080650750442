// RedisLabelCache against the stack's password-protected Redis: refused credentials are a RedisAuthError,
// told apart from an unreachable Redis by the reply's type and code, not by its text.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { before, test } from 'node:test';
import { RedisAuthError, RedisLabelCache } from '@modstream/label-cache';
import { requireRedis, testStackSettings, uniqueName } from '@modstream/testkit';

const { redisAuthUrl } = testStackSettings();
const withoutCredentials = new URL(redisAuthUrl);
withoutCredentials.username = '';
withoutCredentials.password = '';
const password = decodeURIComponent(new URL(redisAuthUrl).password);

before(() => requireRedis(redisAuthUrl));

function cacheFor(credentials: { password?: string }, redis = withoutCredentials.toString()) {
  return new RedisLabelCache({
    redis,
    ...credentials,
    keyPrefix: `${uniqueName('label-cache-auth')}:`,
    ttlSeconds: 60,
    connectTimeoutMs: 500,
  });
}

for (const [name, credentials, code] of [
  ['a wrong password', { password: 'not-the-password' }, 'WRONGPASS'],
  ['no password', {}, 'NOAUTH'],
] as const) {
  test(`${name}: waitUntilReady rejects with a RedisAuthError (${code}) before its timeout`, async (t) => {
    const cache = cacheFor(credentials);
    t.after(() => cache.close());
    const started = Date.now();
    await assert.rejects(cache.waitUntilReady(10_000), (error: unknown) => {
      assert.ok(error instanceof RedisAuthError);
      assert.equal(error.code, code);
      return true;
    });
    assert.ok(Date.now() - started < 5_000, `refused after ${Date.now() - started} ms`);
    assert.equal(cache.isAvailable(), false);
  });
}

test('the right password: ready', async (t) => {
  const cache = cacheFor({ password });
  t.after(() => cache.close());
  assert.equal(await cache.waitUntilReady(5_000), true);
});

test('an unreachable Redis is no auth failure: waitUntilReady resolves false', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  const cache = cacheFor({ password }, `redis://127.0.0.1:${port}`);
  t.after(() => cache.close());
  assert.equal(await cache.waitUntilReady(1_000), false);
});
