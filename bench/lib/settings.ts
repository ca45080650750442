/** BENCH_QUICK=1 shrinks every duration and count to smoke-test the scripts in about two minutes. */
export const quick = process.env.BENCH_QUICK === '1';

export function numberSetting(name: string, full: number, quickValue: number): number {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`${name} must be a positive number, got ${raw}`);
    return value;
  }
  return quick ? quickValue : full;
}
