/** What the cache holds for one text: the model's scores, never labels (thresholds are applied at read time). */
export interface CachedScores {
  /** Sigmoid score of every label of the model, keyed by label. */
  scores: Record<string, number>;
  modelVersion: string;
}

/** The outcomes of looking up one key: the one vocabulary of cache outcomes, from lookup to metrics. */
export const CACHE_OUTCOMES = ['hit', 'miss', 'bypass', 'error'] as const;
export type CacheOutcome = (typeof CACHE_OUTCOMES)[number];

export type CacheLookup = { outcome: 'hit'; value: CachedScores } | { outcome: Exclude<CacheOutcome, 'hit'> };

export interface CacheWriteResult {
  /** Entries that were not stored (the write failed or timed out). */
  failed: number;
}

export interface LabelCacheStats {
  /** Keys found. */
  hits: number;
  /** Keys looked up and not found (or found in a shape this version does not read). */
  misses: number;
  /** Keys not looked up because the cache was unavailable or the read failed (served as misses). */
  bypassed: number;
  /** getMany calls that failed. */
  readErrors: number;
  /** setMany calls that failed, wholly or in part. */
  writeErrors: number;
}

/**
 * Scores keyed by cacheKey(text, model version); never stores raw text. Never throws on backend errors:
 * every key gets its own outcome (`bypass`: the backend was unavailable and not asked; `error`: the read failed).
 */
export interface LabelCache {
  getMany(keys: readonly string[]): Promise<CacheLookup[]>;
  setMany(entries: readonly { key: string; value: CachedScores }[]): Promise<CacheWriteResult>;
  /** Process-wide counters, for logs and tests; per-call outcomes come from getMany and setMany. */
  stats(): LabelCacheStats;
  isAvailable(): boolean;
  close(): Promise<void>;
}

export function emptyStats(): LabelCacheStats {
  return { hits: 0, misses: 0, bypassed: 0, readErrors: 0, writeErrors: 0 };
}

export const MISS: CacheLookup = { outcome: 'miss' };
