export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Output rate over the middle 90 % of the outputs (by broker timestamp, ms), and over all of them. */
export function outputRates(timestamps: readonly number[]): {
  eventsPerSec: number;
  overallPerSec: number;
  seconds: number;
} {
  const times = [...timestamps].sort((a, b) => a - b);
  const lo = Math.floor(times.length * 0.05);
  const hi = Math.ceil(times.length * 0.95) - 1;
  const span = (times[hi]! - times[lo]!) / 1000;
  const all = (times[times.length - 1]! - times[0]!) / 1000;
  return {
    eventsPerSec: round((hi - lo) / span),
    overallPerSec: round((times.length - 1) / all),
    seconds: round(all, 2),
  };
}
