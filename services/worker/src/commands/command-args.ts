export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses a positive integer option, or returns the fallback when it is absent. */
export function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a positive integer`);
  return parsed;
}
