import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BundleTokenizer, loadBundle } from '@modstream/classifier';
import { bundleDir, pythonTokenIds, repoRoot, silverTest } from './classifier-support.js';

interface Golden {
  tokenizer_sha256: string;
  max_length: number;
  cases: { name: string; text: string; ids: number[] }[];
}

const goldenPath = join(repoRoot, 'packages/classifier/fixtures/tokenizer-golden.json');

/** Where two id sequences first differ, without the text (comment text is never logged). */
function firstDifference(actual: number[], expected: number[]): string {
  let at = 0;
  while (at < Math.max(actual.length, expected.length) && actual[at] === expected[at]) at += 1;
  return `lengths ${actual.length} vs ${expected.length}, first difference at position ${at}: TS ${JSON.stringify(actual.slice(at, at + 5))} Python ${JSON.stringify(expected.slice(at, at + 5))}`;
}

describe('tokenizer parity with Python tokenizers', async () => {
  const bundle = await loadBundle(bundleDir);
  const tokenizer = new BundleTokenizer(bundle.tokenizerJson, bundle.truncation);
  const tokenizerPath = join(bundleDir, 'tokenizer.json');

  it('gives the same ids for every text of the silver test split', async () => {
    const texts = (await readFile(silverTest, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { text: string }).text);
    const expected = await pythonTokenIds(tokenizerPath, bundle.info.maxLength, { file: silverTest });
    assert.equal(expected.length, texts.length);
    assert.ok(texts.length >= 1000, `only ${texts.length} texts in ${silverTest}`);
    const mismatches = texts.flatMap((text, row) => {
      const actual = tokenizer.encode(text);
      return JSON.stringify(actual) === JSON.stringify(expected[row])
        ? []
        : [`line ${row + 1}: ${firstDifference(actual, expected[row]!)}`];
    });
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${texts.length} texts differ`);
  });

  it('matches the golden ids recorded from Python for the edge-case texts', async () => {
    const golden = JSON.parse(await readFile(goldenPath, 'utf8')) as Golden;
    const sha = createHash('sha256')
      .update(await readFile(tokenizerPath))
      .digest('hex');
    assert.equal(
      golden.tokenizer_sha256,
      sha,
      'the bundle tokenizer.json changed: re-record with packages/classifier/scripts/record_tokenizer_golden.py',
    );
    assert.equal(golden.max_length, bundle.info.maxLength);
    assert.ok(golden.cases.length >= 40);
    const mismatches = golden.cases.flatMap(({ name, text, ids }) => {
      const actual = tokenizer.encode(text);
      return JSON.stringify(actual) === JSON.stringify(ids)
        ? []
        : [`case ${name}: ${firstDifference(actual, ids)}`];
    });
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${golden.cases.length} golden cases differ`);
  });

  it('has golden ids that Python still produces (the golden file is current)', async () => {
    const golden = JSON.parse(await readFile(goldenPath, 'utf8')) as Golden;
    const jsonl = golden.cases.map(({ text }) => JSON.stringify({ text })).join('\n');
    const expected = await pythonTokenIds(tokenizerPath, bundle.info.maxLength, { jsonl });
    assert.deepEqual(
      expected,
      golden.cases.map(({ ids }) => ids),
    );
  });

  it('covers truncation: long golden texts are cut to max_length with [SEP] kept last', async () => {
    const golden = JSON.parse(await readFile(goldenPath, 'utf8')) as Golden;
    const long = golden.cases.filter(({ ids }) => ids.length === bundle.info.maxLength);
    assert.ok(long.length >= 2, 'the golden file needs texts longer than max_length');
    for (const { text, ids } of long) {
      const actual = tokenizer.encode(text);
      assert.equal(actual.length, bundle.info.maxLength);
      assert.equal(actual.at(-1), ids.at(-1));
    }
  });
});
