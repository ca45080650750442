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

/** Deletes every key that starts with `prefix` (SCAN, never KEYS) and returns how many went. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
