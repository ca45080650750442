import type { ConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { emptyStats, type CachedLabels, type LabelCache, type LabelCacheStats } from './label-cache.js';
import { parseLabels, serialiseLabels } from './stored-labels.js';

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
}

/**
 * Redis-backed label cache: one MGET per lookup, one pipeline of SET EX per write. A down Redis fails
 * fast (no offline queue): reads become misses, writes are dropped, both are counted; ioredis keeps
 * reconnecting in the background.
 */
export class RedisLabelCache implements LabelCache {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #ttlSeconds: number;
  readonly #onError: (error: Error) => void;
  readonly #stats = emptyStats();
  #closing: Promise<void> | undefined;

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
    this.#redis.on('error', (error: Error) => this.#onError(error));
  }

  /** The Redis key under which a cache key is stored. */
  redisKey(key: string): string {
    return `${this.#keyPrefix}${key}`;
  }

  async getMany(keys: readonly string[]): Promise<(CachedLabels | undefined)[]> {
    if (keys.length === 0) return [];
    let values: (string | null)[];
    try {
      values = await this.#redis.mget(keys.map((key) => this.redisKey(key)));
    } catch (error) {
      this.#stats.readErrors += 1;
      this.#stats.bypassed += keys.length;
      this.#onError(asError(error));
      return keys.map(() => undefined);
    }
    return values.map((json) => {
      const value = parseLabels(json);
      if (value === undefined) this.#stats.misses += 1;
      else this.#stats.hits += 1;
      return value;
    });
  }

  async setMany(entries: readonly { key: string; value: CachedLabels }[]): Promise<void> {
    if (entries.length === 0) return;
    const cachedAt = new Date();
    const pipeline = this.#redis.pipeline();
    for (const { key, value } of entries) {
      pipeline.set(this.redisKey(key), serialiseLabels(value, cachedAt), 'EX', this.#ttlSeconds);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      const failure = results.find(([error]) => error)?.[0];
      if (failure || results.length !== entries.length) {
        this.#stats.writeErrors += 1;
        this.#onError(
          failure ?? new Error(`pipeline returned ${results.length} of ${entries.length} replies`),
        );
      }
    } catch (error) {
      this.#stats.writeErrors += 1;
      this.#onError(asError(error));
    }
  }

  stats(): LabelCacheStats {
    return { ...this.#stats };
  }

  /** True while connected and ready for commands. */
  isAvailable(): boolean {
    return this.#redis.status === 'ready';
  }

  /** Resolves true once connected and ready, false after timeoutMs; never throws. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.isAvailable()) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.#redis.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(this.isAvailable()), timeoutMs);
      this.#redis.on('ready', onReady);
    });
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
