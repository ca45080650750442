// CONTRACT STUB (owned by the worker-core helper; replace freely but keep these exported shapes).
export interface CachedLabels {
  labels: string[];
  scores: Record<string, number>;
  modelVersion: string;
  thresholdsVersion: string;
}

/** Cache keyed by sha256(normalised text + model version); never stores raw text. */
export interface LabelCache {
  getMany(keys: readonly string[]): Promise<(CachedLabels | undefined)[]>;
  setMany(entries: readonly { key: string; value: CachedLabels }[]): Promise<void>;
  close(): Promise<void>;
}
