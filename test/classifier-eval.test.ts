import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bundleDir, repoRoot, silverTest } from './classifier-support.js';

/** Where training/finalize.py records the test-split macro-F1: metrics.json beside the bundle, and manifest.json. */
const CANDIDATES: { file: string; path: string[] }[] = [
  { file: 'metrics.json', path: ['macro_f1'] },
  { file: 'manifest.json', path: ['metrics', 'macro_f1'] },
];

async function recordedMacroF1(): Promise<{ value: number; where: string }> {
  for (const { file, path } of CANDIDATES) {
    const full = join(bundleDir, file);
    if (!existsSync(full)) continue;
    let node: unknown = JSON.parse(await readFile(full, 'utf8'));
    for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
    if (typeof node === 'number') return { value: node, where: `${file} ${path.join('.')}` };
  }
  assert.fail(
    `no test macro-F1 recorded for the bundle: looked for ${CANDIDATES.map((c) => `${c.file} ${c.path.join('.')}`).join(', ')}`,
  );
}

describe('modstream eval on the silver test split', () => {
  it('reproduces the macro-F1 recorded for the bundle within 0.005', async () => {
    const { value: expected, where } = await recordedMacroF1();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=@modstream/source',
        '--import',
        'tsx',
        'services/worker/src/cli.ts',
        'eval',
        silverTest,
        '--json',
      ],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as {
      macro_f1: number;
      rows: number;
      per_label: Record<string, unknown>;
    };
    assert.equal(report.rows, 1000);
    assert.equal(Object.keys(report.per_label).length, 10);
    assert.ok(
      Math.abs(report.macro_f1 - expected) <= 0.005,
      `modstream eval macro-F1 ${report.macro_f1} vs ${expected} recorded in ${where}`,
    );
  });
});
