// Paths and the Python interpreter shared by the classifier integration tests.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** The committed bundle, or MODSTREAM_TEST_MODEL_DIR to check another one. */
export const bundleDir = process.env.MODSTREAM_TEST_MODEL_DIR
  ? resolve(process.env.MODSTREAM_TEST_MODEL_DIR)
  : fileURLToPath(new URL('../models/incivility-minilm-l6/', import.meta.url));
export const silverTest = fileURLToPath(
  new URL('../../shared/data/incivility-silver/test.jsonl', import.meta.url),
);

/** The repo's .venv Python (scripts/setup-python.sh), or MODSTREAM_PYTHON; fails clearly when neither exists. */
export function python(): string {
  const path = process.env.MODSTREAM_PYTHON || fileURLToPath(new URL('../.venv/bin/python', import.meta.url));
  if (!existsSync(path)) {
    throw new Error(
      `no Python at ${path}: run bash scripts/setup-python.sh (creates .venv) or set MODSTREAM_PYTHON`,
    );
  }
  return path;
}

/** Token ids from the Python `tokenizers` package for JSON lines with a "text" field (a file path or the lines). */
export async function pythonTokenIds(
  tokenizerJson: string,
  maxLength: number,
  input: { file: string } | { jsonl: string },
): Promise<number[][]> {
  const script = fileURLToPath(new URL('../packages/classifier/scripts/tokenize_texts.py', import.meta.url));
  const args = [script, '--tokenizer', tokenizerJson, '--max-length', String(maxLength)];
  if ('file' in input) args.push('--input', input.file);
  const child = promisify(execFile)(python(), args, { maxBuffer: 256 * 1024 * 1024 });
  if ('jsonl' in input) child.child.stdin!.end(input.jsonl);
  const { stdout } = await child;
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as number[]);
}
