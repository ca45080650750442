/**
 * Decimals of the scores in published events. 1e-4 is finer than any threshold step, and 17 significant
 * digits made the ten scores about 200 of a labeled event's ~700 bytes. `labels` is decided on the
 * unrounded scores, so a score shown as the threshold itself may still be under it.
 */
export const SCORE_DECIMALS = 4;

const factor = 10 ** SCORE_DECIMALS;

export function roundScores(scores: Record<string, number>): Record<string, number> {
  const rounded: Record<string, number> = {};
  for (const label in scores) rounded[label] = Math.round(scores[label]! * factor) / factor;
  return rounded;
}
