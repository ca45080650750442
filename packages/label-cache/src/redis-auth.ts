import { ReplyError } from 'ioredis';

/** Reply codes with which Redis refuses the client's credentials (NOAUTH, WRONGPASS) or its ACL rights (NOPERM). */
const AUTH_REPLY_CODES = new Set(['NOAUTH', 'WRONGPASS', 'NOPERM']);

/**
 * Redis refused the cache's credentials. Unlike an unreachable Redis (the cache is bypassed), this is a
 * configuration error: the owner should stop rather than run without its cache.
 */
export class RedisAuthError extends Error {
  readonly kind = 'redis-auth';
  /** The reply code Redis answered with: NOAUTH, WRONGPASS or NOPERM. */
  readonly code: string;
  constructor(cause: Error) {
    const code = replyCode(cause) ?? 'unknown';
    super(`Redis refused the credentials (${code}): check the username and password`, { cause });
    this.name = 'RedisAuthError';
    this.code = code;
  }
}

/** The error code of a Redis error reply: the protocol makes it the reply's first word ("WRONGPASS ..."). */
export function replyCode(error: unknown): string | undefined {
  if (!(error instanceof ReplyError)) return undefined;
  return /^[A-Z]+/.exec((error as Error).message)?.[0];
}

/** True for an error reply that refuses the client's credentials or rights. */
export function isRedisAuthFailure(error: unknown): boolean {
  const code = replyCode(error);
  return code !== undefined && AUTH_REPLY_CODES.has(code);
}
