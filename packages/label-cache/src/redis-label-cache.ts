import type { ConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import {
  emptyStats,
  MISS,
  type CachedScores,
  type CacheLookup,
  type CacheWriteResult,
  type LabelCache,
  type LabelCacheStats,
} from './label-cache.js';
import { parseScores, serialiseScores } from './stored-scores.js';
import { RedisAuthError, isRedisAuthFailure } from './redis-auth.js';

export interface RedisLabelCacheOptions {
  /** A redis:// or rediss:// URL, or ioredis options. */
  redis: string | RedisOptions;
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
  /** Prepended to `labels:<cache key>`; default "modstream:". */
  keyPrefix?: string;
  ttlSeconds: number;
  /** Per-command deadline; default 200. */
  commandTimeoutMs?: number;
  /** Default 1000. */
  connectTimeoutMs?: number;
  /** Default 1. */
  maxRetriesPerRequest?: number;
  /** Largest delay between reconnection attempts; default 1000. */
  maxReconnectDelayMs?: number;
  /** Called with every connection or command error (Redis errors are otherwise only counted). */
  onError?: (error: Error) => void;
  /** Called each time the connection is (again) ready for commands. */
  onReady?: () => void;
}

/**
 * Redis-backed score cache: one MGET per lookup, one pipeline of SET EX per write. A down Redis fails
 * fast (no offline queue): its keys come back as `bypass` (not connected) or `error` (the read failed),
 * writes report what they could not store; ioredis keeps reconnecting in the background.
 */
export class RedisLabelCache implements LabelCache {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #ttlSeconds: number;
  readonly #onError: (error: Error) => void;
  readonly #stats = emptyStats();
  #closing: Promise<void> | undefined;
  /** The first reply that refused the credentials, if any. */
  #authFailure: Error | undefined;

  constructor(options: RedisLabelCacheOptions) {
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1) {
      throw new RangeError(`ttlSeconds must be a positive integer, got ${options.ttlSeconds}`);
    }
    this.#keyPrefix = `${options.keyPrefix ?? 'modstream:'}labels:`;
    this.#ttlSeconds = options.ttlSeconds;
    this.#onError = options.onError ?? (() => {});
    const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 1000;
    const clientOptions: RedisOptions = {
      ...(typeof options.redis === 'string' ? {} : options.redis),
      ...(options.username !== undefined && { username: options.username }),
      ...(options.password !== undefined && { password: options.password }),
      ...(options.tls !== undefined && { tls: options.tls }),
      commandTimeout: options.commandTimeoutMs ?? 200,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      maxRetriesPerRequest: options.maxRetriesPerRequest ?? 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 100, maxReconnectDelayMs),
    };
    this.#redis =
      typeof options.redis === 'string' ? new Redis(options.redis, clientOptions) : new Redis(clientOptions);
    this.#redis.on('error', (error: Error) => {
      if (isRedisAuthFailure(error)) this.#authFailure ??= error;
      this.#onError(error);
    });
    if (options.onReady !== undefined) this.#redis.on('ready', options.onReady);
  }

  /** The Redis key under which a cache key is stored. */
  redisKey(key: string): string {
    return `${this.#keyPrefix}${key}`;
  }

  async getMany(keys: readonly string[]): Promise<CacheLookup[]> {
    if (keys.length === 0) return [];
    // Without an offline queue a Redis that is not ready fails the command at once: a bypass, not an error.
    const ready = this.#closing === undefined && this.isAvailable();
    let values: (string | null)[];
    try {
      values = await this.#redis.mget(keys.map((key) => this.redisKey(key)));
    } catch (error) {
      this.#stats.readErrors += 1;
      this.#stats.bypassed += keys.length;
      this.#onError(asError(error));
      return keys.map(() => (ready ? READ_ERROR : BYPASS));
    }
    return values.map((json): CacheLookup => {
      const value = parseScores(json);
      if (value === undefined) {
        this.#stats.misses += 1;
        return MISS;
      }
      this.#stats.hits += 1;
      return { outcome: 'hit', value };
    });
  }

  /** One pipeline of SET EX; resolves with how many entries were not stored, never rejects. */
  async setMany(entries: readonly { key: string; value: CachedScores }[]): Promise<CacheWriteResult> {
    if (entries.length === 0) return { failed: 0 };
    const cachedAt = new Date();
    const pipeline = this.#redis.pipeline();
    for (const { key, value } of entries) {
      pipeline.set(this.redisKey(key), serialiseScores(value, cachedAt), 'EX', this.#ttlSeconds);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      const failures = results.filter(([error]) => error);
      const failed = failures.length + Math.max(entries.length - results.length, 0);
      if (failed > 0) {
        this.#stats.writeErrors += 1;
        this.#onError(
          failures[0]?.[0] ?? new Error(`pipeline returned ${results.length} of ${entries.length} replies`),
        );
      }
      return { failed };
    } catch (error) {
      this.#stats.writeErrors += 1;
      this.#onError(asError(error));
      return { failed: entries.length };
    }
  }

  stats(): LabelCacheStats {
    return { ...this.#stats };
  }

  /** True while connected and ready for commands. */
  isAvailable(): boolean {
    return this.#redis.status === 'ready';
  }

  /**
   * Resolves true once connected and ready, false after timeoutMs when Redis is unreachable (the cache is
   * bypassed until it comes back). Rejects with a RedisAuthError as soon as Redis refuses the credentials.
   */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.isAvailable()) return true;
    const ready = await new Promise<boolean>((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.#redis.off('ready', onReady);
        this.#redis.off('error', onError);
        resolve(ready);
      };
      const onReady = () => done(true);
      const onError = () => {
        if (this.#authFailure !== undefined) done(false);
      };
      const timer = setTimeout(() => done(this.isAvailable()), timeoutMs);
      this.#redis.on('ready', onReady);
      this.#redis.on('error', onError);
      onError();
    });
    if (!ready && this.#authFailure !== undefined) throw new RedisAuthError(this.#authFailure);
    return ready;
  }

  /** Quits the connection (or drops it when Redis is unreachable). Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.#redis.quit().then(
      () => undefined,
      () => this.#redis.disconnect(),
    );
    return this.#closing;
  }
}

const BYPASS: CacheLookup = { outcome: 'bypass' };
const READ_ERROR: CacheLookup = { outcome: 'error' };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
