/**
 * Redis refused the worker's credentials. Unlike an unreachable Redis (the cache is bypassed), this is a
 * configuration error: it stops the worker at start instead of silently running without its cache.
 */
export class RedisAuthError extends Error {
  readonly kind = 'redis-auth';
  constructor(cause: Error) {
    super(`Redis refused the credentials (check MODSTREAM_REDIS_USERNAME/PASSWORD): ${cause.message}`, {
      cause,
    });
    this.name = 'RedisAuthError';
  }
}

/** Redis error replies start with their error code; these two mean the credentials were refused or missing. */
export function isRedisAuthFailure(error: Error): boolean {
  return error.name === 'ReplyError' && /^(WRONGPASS|NOAUTH)\b/.test(error.message);
}
