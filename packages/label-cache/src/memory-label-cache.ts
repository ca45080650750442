import {
  emptyStats,
  MISS,
  type CachedScores,
  type CacheLookup,
  type CacheWriteResult,
  type LabelCache,
  type LabelCacheStats,
} from './label-cache.js';

export interface MemoryLabelCacheOptions {
  maxEntries: number;
  ttlSeconds: number;
  /** Clock in milliseconds; defaults to Date.now. */
  now?: () => number;
}

interface Slot {
  value: CachedScores;
  expiresAt: number;
}

/** In-process LRU with a TTL, for embedded mode and tests. */
export class MemoryLabelCache implements LabelCache {
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Map iteration order is insertion order: the first key is the least recently used. */
  readonly #slots = new Map<string, Slot>();
  readonly #stats = emptyStats();

  constructor(options: MemoryLabelCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    if (!(options.ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be > 0, got ${options.ttlSeconds}`);
    this.#maxEntries = options.maxEntries;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#slots.size;
  }

  async getMany(keys: readonly string[]): Promise<CacheLookup[]> {
    const now = this.#now();
    return keys.map((key): CacheLookup => {
      const slot = this.#slots.get(key);
      if (slot === undefined || slot.expiresAt <= now) {
        if (slot !== undefined) this.#slots.delete(key);
        this.#stats.misses += 1;
        return MISS;
      }
      this.#slots.delete(key);
      this.#slots.set(key, slot);
      this.#stats.hits += 1;
      return { outcome: 'hit', value: slot.value };
    });
  }

  async setMany(entries: readonly { key: string; value: CachedScores }[]): Promise<CacheWriteResult> {
    const expiresAt = this.#now() + this.#ttlMs;
    for (const { key, value } of entries) {
      this.#slots.delete(key);
      this.#slots.set(key, { value, expiresAt });
    }
    for (const key of this.#slots.keys()) {
      if (this.#slots.size <= this.#maxEntries) break;
      this.#slots.delete(key);
    }
    return { failed: 0 };
  }

  stats(): LabelCacheStats {
    return { ...this.#stats };
  }

  isAvailable(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.#slots.clear();
  }
}
