/**
 * Decimals of the scores in published events. 1e-4 is finer than any threshold step, and 17 significant
 * digits made the ten scores about 200 of a labeled event's ~700 bytes. Labels are decided on the rounded
 * score (see @modstream/classifier `labelsOver`), so anyone can recompute an event's labels from its scores
 * and the thresholds its `thresholds_version` names.
 */
export const SCORE_DECIMALS = 4;

const factor = 10 ** SCORE_DECIMALS;

export function roundScore(score: number): number {
  return Math.round(score * factor) / factor;
}

export function roundScores(scores: Record<string, number>): Record<string, number> {
  const rounded: Record<string, number> = {};
  for (const label in scores) rounded[label] = roundScore(scores[label]!);
  return rounded;
}
