import assert from 'node:assert/strict';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadBundle } from './bundle.js';
import { BundleError } from './errors.js';
import { makeFixtureBundle } from './fixture-bundle.js';

async function bundleError(dir: string): Promise<BundleError> {
  try {
    await loadBundle(dir);
  } catch (error) {
    assert.ok(error instanceof BundleError, `expected a BundleError, got ${String(error)}`);
    return error;
  }
  assert.fail('loadBundle accepted a broken bundle');
}

describe('loadBundle', () => {
  it('loads a valid bundle: info from the manifest, truncation from max_length', async () => {
    const bundle = await loadBundle(await makeFixtureBundle({ maxLength: 12 }));
    assert.equal(bundle.info.modelVersion, 'fixture-1');
    assert.equal(bundle.info.thresholdsVersion, 'fixture-thresholds-1');
    assert.equal(bundle.info.labels.length, 10);
    assert.equal(bundle.info.maxLength, 12);
    assert.deepEqual(bundle.truncation, { maxLength: 12, direction: 'right' });
    assert.deepEqual(bundle.inputs, ['input_ids', 'attention_mask']);
  });

  it('names the file whose sha256 does not match', async () => {
    const dir = await makeFixtureBundle();
    await appendFile(join(dir, 'tokenizer.json'), ' ');
    const error = await bundleError(dir);
    assert.equal(error.kind, 'checksum_mismatch');
    assert.equal(error.file, 'tokenizer.json');
    assert.match(
      error.message,
      /sha256 of tokenizer\.json is [0-9a-f]{64}, manifest\.json says [0-9a-f]{64}/,
    );
  });

  it('skips the hashes only when asked', async () => {
    const dir = await makeFixtureBundle();
    await appendFile(join(dir, 'model.onnx'), Buffer.from([0]));
    assert.equal((await bundleError(dir)).file, 'model.onnx');
    await loadBundle(dir, { verify: false });
  });

  it('names a listed file that is missing', async () => {
    const dir = await makeFixtureBundle();
    await rm(join(dir, 'model.onnx'));
    const error = await bundleError(dir);
    assert.equal(error.kind, 'file_missing');
    assert.equal(error.file, 'model.onnx');
    assert.match(error.message, /cannot read model\.onnx listed in manifest\.json/);
  });

  it('reports a missing or unparsable manifest', async () => {
    const dir = await makeFixtureBundle();
    await writeFile(join(dir, 'manifest.json'), '{"format": ');
    assert.equal((await bundleError(dir)).kind, 'manifest_invalid');
    await rm(join(dir, 'manifest.json'));
    assert.equal((await bundleError(dir)).kind, 'manifest_missing');
  });

  it('reports every manifest problem at once, with its path', async () => {
    const dir = await makeFixtureBundle({
      editManifest: (manifest) => {
        manifest.format = 'something-else';
        manifest.thresholds = { aspersion: 1.5 };
        manifest.inputs = ['input_ids'];
        delete manifest.model_version;
        (manifest.files as Record<string, unknown>)['model.onnx'] = { sha256: 'abc' };
      },
    });
    const error = await bundleError(dir);
    assert.equal(error.kind, 'manifest_invalid');
    for (const path of [
      'format',
      'model_version',
      'thresholds.aspersion',
      'inputs',
      'files.model.onnx.sha256',
    ]) {
      assert.match(
        error.message,
        new RegExp(`^${path.replaceAll('.', '\\.')}: `, 'm'),
        `no issue at ${path}`,
      );
    }
  });

  it('requires exactly one threshold per label and unique labels', async () => {
    const missing = await makeFixtureBundle({
      editManifest: (manifest) => delete (manifest.thresholds as Record<string, number>).sarcasm,
    });
    assert.match(
      (await bundleError(missing)).message,
      /^thresholds: thresholds must have exactly one entry per label/m,
    );
    const duplicated = await makeFixtureBundle({
      editManifest: (manifest) => (manifest.labels as string[]).push('sarcasm'),
    });
    assert.match((await bundleError(duplicated)).message, /^labels: labels must be unique/m);
  });

  it('rejects file paths outside the bundle', async () => {
    const dir = await makeFixtureBundle({
      editManifest: (manifest) => {
        (manifest.files as Record<string, unknown>)['../outside.txt'] = { sha256: '0'.repeat(64) };
      },
    });
    assert.match((await bundleError(dir)).message, /must be a path inside the bundle/);
  });

  it('rejects a tokenizer.json whose truncation disagrees with max_length', async () => {
    const dir = await makeFixtureBundle({
      maxLength: 16,
      editManifest: (manifest) => (manifest.max_length = 32),
    });
    const error = await bundleError(dir);
    assert.equal(error.kind, 'tokenizer_invalid');
    assert.match(error.message, /truncates to 16 tokens but manifest\.json max_length is 32/);
  });

  it('keeps extra manifest fields such as metrics', async () => {
    const dir = await makeFixtureBundle({
      editManifest: (manifest) => (manifest.metrics = { macro_f1: 0.5 }),
    });
    const bundle = await loadBundle(dir);
    assert.deepEqual(bundle.manifest.metrics, { macro_f1: 0.5 });
    assert.equal(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).metrics.macro_f1, 0.5);
  });
});
