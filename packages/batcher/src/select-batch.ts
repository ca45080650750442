export interface Costed {
  readonly cost: number;
}

export interface BatchLimits {
  maxItems: number;
  maxTokens: number;
}

export interface BatchSelection<E> {
  batch: E[];
  /** True when the batch stopped at a limit rather than because no pending item was left. */
  full: boolean;
}

/**
 * Picks the next batch from `pending` (in arrival order): the pending items are sorted by cost and the
 * batch is the run of cost neighbours around the oldest item, so batches are length-bucketed and the
 * oldest item always goes next. The padded size of a batch is its item count times its largest cost;
 * a single item over maxTokens still goes, alone.
 */
export function selectBatch<E extends Costed>(pending: readonly E[], limits: BatchLimits): BatchSelection<E> {
  const oldest = pending[0];
  if (oldest === undefined) return { batch: [], full: false };
  const sorted = [...pending].sort((a, b) => a.cost - b.cost);
  const anchor = sorted.indexOf(oldest);
  let low = anchor;
  let high = anchor;
  let maxCost = oldest.cost;
  const fits = (candidate: E | undefined): candidate is E =>
    candidate !== undefined && (high - low + 2) * Math.max(maxCost, candidate.cost) <= limits.maxTokens;

  while (high - low + 1 < limits.maxItems) {
    const left = sorted[low - 1];
    const right = sorted[high + 1];
    const preferRight =
      right !== undefined && (left === undefined || right.cost - oldest.cost < oldest.cost - left.cost);
    if (preferRight && fits(right)) {
      high += 1;
      maxCost = right.cost;
    } else if (fits(left)) {
      low -= 1;
    } else if (fits(right)) {
      high += 1;
      maxCost = right.cost;
    } else {
      break;
    }
  }

  const batch = sorted.slice(low, high + 1);
  return { batch, full: batch.length < pending.length || batch.length >= limits.maxItems };
}
