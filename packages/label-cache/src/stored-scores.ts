import type { CachedScores } from './label-cache.js';

/**
 * The value format tag. Entries without it (the labels-and-thresholds shape of earlier versions) are read
 * as misses and overwritten by the next write, so an upgrade never serves labels decided by old thresholds.
 */
export const STORED_SCORES_FORMAT = 'scores.v1';

/** The JSON stored per key: scores and the model version, never the text and never labels. */
interface StoredScores {
  format: typeof STORED_SCORES_FORMAT;
  scores: Record<string, number>;
  model_version: string;
  cached_at: string;
}

export function serialiseScores(value: CachedScores, cachedAt: Date): string {
  const stored: StoredScores = {
    format: STORED_SCORES_FORMAT,
    scores: value.scores,
    model_version: value.modelVersion,
    cached_at: cachedAt.toISOString(),
  };
  return JSON.stringify(stored);
}

/** Undefined for anything that is not a well-formed stored value of this format (read as a miss). */
export function parseScores(json: string | null | undefined): CachedScores | undefined {
  if (json == null) return undefined;
  let stored: Partial<StoredScores> | null;
  try {
    stored = JSON.parse(json) as Partial<StoredScores> | null;
  } catch {
    return undefined;
  }
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return undefined;
  const { format, scores, model_version } = stored;
  if (
    format !== STORED_SCORES_FORMAT ||
    typeof scores !== 'object' ||
    scores === null ||
    Array.isArray(scores) ||
    !Object.values(scores).every((score) => typeof score === 'number' && Number.isFinite(score)) ||
    typeof model_version !== 'string'
  ) {
    return undefined;
  }
  return { scores, modelVersion: model_version };
}
