import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: repoRoot });

/** The rule ids `pnpm lint` reports for `code` as if it were the file at `path` (relative to the repo). */
async function lintAs(path: string, code: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, path) });
  assert.ok(result, `no lint result for ${path}`);
  return result.messages.map((message) => message.ruleId);
}

describe('lint boundaries', () => {
  const sealed = [
    { client: 'kafkajs', owner: 'packages/kafka-io/src/x.ts', outside: 'test/x.test.ts' },
    { client: 'ioredis', owner: 'packages/label-cache/src/x.ts', outside: 'packages/moderation/src/x.ts' },
    {
      client: 'onnxruntime-node',
      owner: 'packages/classifier/src/x.ts',
      outside: 'services/worker/src/x.ts',
    },
  ];
  for (const { client, owner, outside } of sealed) {
    it(`lets only ${owner.split('/src/')[0]} import ${client}`, async () => {
      const value = `import * as client from '${client}';\nexport const probe = client;\n`;
      const typeOnly = `import type * as client from '${client}';\nexport type Probe = typeof client;\n`;
      assert.deepEqual(await lintAs(outside, value), ['no-restricted-imports']);
      assert.deepEqual(await lintAs('bench/x.ts', typeOnly), ['no-restricted-imports']);
      assert.deepEqual(await lintAs(owner, value), []);
    });
  }

  it('rejects a relative import into another package, from a package or from test/', async () => {
    const code = (path: string) =>
      `import { selectBatch } from '${path}';\nexport const probe = selectBatch;\n`;
    assert.deepEqual(
      await lintAs('packages/moderation/src/x.ts', code('../../batcher/src/select-batch.js')),
      ['no-restricted-imports'],
    );
    assert.deepEqual(await lintAs('test/x.test.ts', code('../packages/batcher/src/index.js')), [
      'no-restricted-imports',
    ]);
    assert.deepEqual(await lintAs('packages/batcher/src/x.ts', code('./select-batch.js')), []);
    assert.deepEqual(await lintAs('packages/moderation/src/x.ts', code('@modstream/batcher')), []);
  });

  it('rejects an import cycle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modstream-lint-cycle-'));
    try {
      await writeFile(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
      await writeFile(join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
      const outsideRepo = new ESLint({ cwd: dir, overrideConfigFile: join(repoRoot, 'eslint.config.js') });
      const [result] = await outsideRepo.lintFiles([join(dir, 'a.ts')]);
      assert.deepEqual(
        result?.messages.map((message) => message.ruleId),
        ['import-x/no-cycle'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
