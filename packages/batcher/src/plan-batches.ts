import type { BatchLimits } from './select-batch.js';

/**
 * Batches for items that are all at hand (a file to evaluate, a backlog): indices into `costs`, cheapest
 * first, each batch a run of cost neighbours cut where one more item would pass a limit of `limits`, as
 * selectBatch cuts them. A single item over maxTokens still goes, alone.
 */
export function planBatches(costs: readonly number[], limits: BatchLimits): number[][] {
  const order = costs.map((_, index) => index).sort((a, b) => costs[a]! - costs[b]! || a - b);
  const batches: number[][] = [];
  let batch: number[] = [];
  for (const index of order) {
    const smallest = costs[batch[0] ?? index]!;
    const cost = costs[index]!;
    const fits =
      batch.length < limits.maxItems &&
      (batch.length + 1) * cost <= limits.maxTokens &&
      cost / limits.maxCostRatio <= smallest;
    if (batch.length > 0 && !fits) {
      batches.push(batch);
      batch = [];
    }
    batch.push(index);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
