export interface CachedLabels {
  labels: string[];
  scores: Record<string, number>;
  modelVersion: string;
  thresholdsVersion: string;
}

export interface LabelCacheStats {
  /** Keys found. */
  hits: number;
  /** Keys looked up and not found. */
  misses: number;
  /** Keys not looked up because the read failed (served as misses). */
  bypassed: number;
  /** getMany calls that failed. */
  readErrors: number;
  /** setMany calls that failed, wholly or in part. */
  writeErrors: number;
}

/** Cache keyed by cacheKey(text, model version); never stores raw text. Never throws on backend errors. */
export interface LabelCache {
  getMany(keys: readonly string[]): Promise<(CachedLabels | undefined)[]>;
  setMany(entries: readonly { key: string; value: CachedLabels }[]): Promise<void>;
  stats(): LabelCacheStats;
  isAvailable(): boolean;
  close(): Promise<void>;
}

export function emptyStats(): LabelCacheStats {
  return { hits: 0, misses: 0, bypassed: 0, readErrors: 0, writeErrors: 0 };
}
