import type { CachedLabels } from './label-cache.js';

/** The JSON stored per key: labels, scores and versions, never the text. */
interface StoredLabels {
  labels: string[];
  scores: Record<string, number>;
  model_version: string;
  thresholds_version: string;
  cached_at: string;
}

export function serialiseLabels(value: CachedLabels, cachedAt: Date): string {
  const stored: StoredLabels = {
    labels: value.labels,
    scores: value.scores,
    model_version: value.modelVersion,
    thresholds_version: value.thresholdsVersion,
    cached_at: cachedAt.toISOString(),
  };
  return JSON.stringify(stored);
}

/** Undefined for anything that is not a well-formed stored value (treated as a miss). */
export function parseLabels(json: string | null | undefined): CachedLabels | undefined {
  if (json == null) return undefined;
  let stored: Partial<StoredLabels>;
  try {
    stored = JSON.parse(json) as Partial<StoredLabels>;
  } catch {
    return undefined;
  }
  const { labels, scores, model_version, thresholds_version } = stored ?? {};
  if (
    !Array.isArray(labels) ||
    !labels.every((label) => typeof label === 'string') ||
    typeof scores !== 'object' ||
    scores === null ||
    !Object.values(scores).every((score) => typeof score === 'number') ||
    typeof model_version !== 'string' ||
    typeof thresholds_version !== 'string'
  ) {
    return undefined;
  }
  return { labels, scores, modelVersion: model_version, thresholdsVersion: thresholds_version };
}
