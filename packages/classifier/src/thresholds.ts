import { roundScore } from '@modstream/events';
import type { Classification } from './types.js';

export function sigmoid(logit: number): number {
  return logit >= 0 ? 1 / (1 + Math.exp(-logit)) : Math.exp(logit) / (1 + Math.exp(logit));
}

/** Scores of one row of logits and every label at or over its threshold (labels in bundle order). */
export function classifyLogits(
  logits: ArrayLike<number>,
  labels: readonly string[],
  thresholds: Readonly<Record<string, number>>,
): Classification {
  if (logits.length !== labels.length) {
    throw new RangeError(`model returned ${logits.length} logits for ${labels.length} labels`);
  }
  const scores: Record<string, number> = {};
  labels.forEach((label, index) => {
    scores[label] = sigmoid(logits[index]!);
  });
  return { labels: labelsOver(scores, labels, thresholds), scores };
}

/**
 * Every label (in bundle order) whose score, rounded as events publish it, is at or over its threshold: the
 * one decision rule, for fresh inferences and cached scores alike, that a reader of an event can repeat.
 */
export function labelsOver(
  scores: Readonly<Record<string, number>>,
  labels: readonly string[],
  thresholds: Readonly<Record<string, number>>,
): string[] {
  return labels.filter((label) => {
    const score = scores[label];
    const threshold = thresholds[label];
    return score !== undefined && threshold !== undefined && roundScore(score) >= threshold;
  });
}
