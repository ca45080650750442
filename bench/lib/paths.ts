import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The silver data set lives beside the repository, never in it. */
export const silverDir =
  process.env.BENCH_SILVER_DIR ?? join(repoRoot, '..', 'shared', 'data', 'incivility-silver');

export const bundleDir = process.env.BENCH_MODEL_DIR ?? join(repoRoot, 'models', 'incivility-minilm-l6');

export function resultsDir(): string {
  const dir = process.env.BENCH_RESULTS_DIR;
  if (dir === undefined || dir === '') throw new Error('BENCH_RESULTS_DIR is not set (bench/run.sh sets it)');
  return dir;
}
