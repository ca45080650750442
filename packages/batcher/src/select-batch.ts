export interface Costed {
  readonly cost: number;
}

export interface BatchLimits {
  maxItems: number;
  maxTokens: number;
  /** A batch's largest cost is at most this × its smallest, so no item is padded far past its own length. */
  maxCostRatio: number;
}

export interface BatchSelection<E> {
  batch: E[];
  /**
   * True when the batch stopped at maxItems or maxTokens: waiting cannot make it larger. A batch that
   * stopped only at maxCostRatio is not full; items of a similar cost may still arrive to fill it.
   */
  full: boolean;
}

/**
 * Under light load, 16-comment batches as they arrived ran at 32 texts/s padded as one run and at 65 texts/s
 * cut at this length ratio (one fp32 session, silver test texts); batches from a length-sorted backlog
 * mostly stay within it anyway.
 */
export const DEFAULT_MAX_COST_RATIO = 1.5;

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
  let low = sorted.indexOf(oldest);
  let high = low;
  /** Whether the run stays within the cost ratio with `candidate` added (the run is sorted by cost). */
  const withinRatio = (candidate: E): boolean =>
    Math.max(sorted[high]!.cost, candidate.cost) / limits.maxCostRatio <=
    Math.min(sorted[low]!.cost, candidate.cost);
  const withinTokens = (candidate: E): boolean =>
    (high - low + 2) * Math.max(sorted[high]!.cost, candidate.cost) <= limits.maxTokens;
  const fits = (candidate: E | undefined): candidate is E =>
    candidate !== undefined && withinRatio(candidate) && withinTokens(candidate);

  while (high - low + 1 < limits.maxItems) {
    const left = sorted[low - 1];
    const right = sorted[high + 1];
    const preferRight =
      right !== undefined && (left === undefined || right.cost - oldest.cost < oldest.cost - left.cost);
    if (preferRight && fits(right)) high += 1;
    else if (fits(left)) low -= 1;
    else if (fits(right)) high += 1;
    else break;
  }

  const batch = sorted.slice(low, high + 1);
  const stoppedByTokens = [sorted[low - 1], sorted[high + 1]].some(
    (neighbour) => neighbour !== undefined && withinRatio(neighbour) && !withinTokens(neighbour),
  );
  return { batch, full: batch.length >= limits.maxItems || stoppedByTokens };
}
