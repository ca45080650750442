import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { testStackSettings } from './settings.js';

/** An ioredis client for the test Redis (no auth unless `url` says otherwise). */
export function createTestRedis(
  url: string = testStackSettings().redisUrl,
  options: RedisOptions = {},
): Redis {
  return new Redis(url, { connectTimeout: 2_000, maxRetriesPerRequest: 2, ...options });
}

/** Calls `onKeys` with every batch of keys that start with `prefix` (SCAN, never KEYS). */
async function scanPrefix(
  redis: Redis,
  prefix: string,
  onKeys: (keys: string[]) => Promise<void>,
): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await onKeys(keys);
  } while (cursor !== '0');
}

/** Deletes every key that starts with `prefix` and returns how many went. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  await scanPrefix(redis, prefix, async (keys) => {
    deleted += await redis.unlink(...keys);
  });
  return deleted;
}

/** Number of keys that start with `prefix`. */
export async function countKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  const seen = new Set<string>();
  await scanPrefix(redis, prefix, async (keys) => {
    for (const key of keys) seen.add(key);
  });
  return seen.size;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
