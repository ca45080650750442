import { existsSync } from 'node:fs';
import { BundleError, loadClassifier, type TextClassifier } from '@modstream/classifier';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_MODEL_DIR = 'models/incivility-minilm-l6';

/** The repository root, four levels above this file in src/commands/ or dist/commands/. */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The bundle directory: --model (relative to the working directory), else MODSTREAM_MODEL_DIR, else the default
 * bundle; a relative default is looked up in the working directory first, then in the repository root.
 */
export function resolveModelDir(flag: string | undefined): string {
  if (flag !== undefined) return resolve(flag);
  const requested = process.env.MODSTREAM_MODEL_DIR || DEFAULT_MODEL_DIR;
  if (isAbsolute(requested)) return requested;
  const fromCwd = resolve(requested);
  return existsSync(fromCwd) ? fromCwd : resolve(repoRoot, requested);
}

/** Parses a positive integer option, or returns the fallback when it is absent. */
export function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a positive integer`);
  return parsed;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The bundle a model command (classify, explain) runs on, or the exit code when it cannot start: 2 with the
 * usage when there is neither a text argument nor piped stdin, 1 with the reason when the bundle is unusable.
 */
export async function loadCommandClassifier(
  command: string,
  usage: string,
  options: { model?: string; threads?: number; texts: readonly string[] },
): Promise<TextClassifier | number> {
  if (options.texts.length === 0 && process.stdin.isTTY) {
    process.stderr.write(usage);
    return 2;
  }
  try {
    return await loadClassifier(resolveModelDir(options.model), { intraOpThreads: options.threads });
  } catch (error) {
    if (!(error instanceof BundleError || error instanceof UsageError)) throw error;
    process.stderr.write(`modstream ${command}: ${error.message}\n`);
    return 1;
  }
}
