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
  const over: string[] = [];
  labels.forEach((label, index) => {
    const score = sigmoid(logits[index]!);
    scores[label] = score;
    if (score >= thresholds[label]!) over.push(label);
  });
  return { labels: over, scores };
}
