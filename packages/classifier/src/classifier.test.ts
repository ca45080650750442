import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClassifier } from './classifier.js';
import { BundleError, ClassifierError } from './errors.js';
import { assertSameScores, makeFixtureBundle, TEXTS } from './fixture-bundle.js';
import { LABELS, type Classification } from './types.js';

describe('loadClassifier', () => {
  it('exposes the bundle info and counts tokens after truncation, special tokens included', async () => {
    const classifier = await loadClassifier(await makeFixtureBundle({ maxLength: 8 }));
    assert.equal(classifier.info.maxLength, 8);
    assert.equal(classifier.encode('you are an idiot').length, 6);
    assert.equal(classifier.encode('').length, 2);
    assert.equal(classifier.encode(TEXTS[3]!).length, 8);
    await classifier.close();
  });

  it('scores a text the same alone and padded in a batch of any size', async () => {
    const classifier = await loadClassifier(await makeFixtureBundle());
    const expected = (await Promise.all(TEXTS.map((text) => classifier.classify([text])))).flat();
    for (const size of [2, 4, TEXTS.length]) {
      const batched: Classification[] = [];
      for (let start = 0; start < TEXTS.length; start += size) {
        batched.push(...(await classifier.classify(TEXTS.slice(start, start + size))));
      }
      assertSameScores(batched, expected);
    }
    await classifier.close();
  });

  it('feeds token_type_ids when the manifest lists them', async () => {
    const classifier = await loadClassifier(await makeFixtureBundle({ tokenTypeIds: true }));
    const batched = await classifier.classify(TEXTS);
    assertSameScores(batched, (await Promise.all(TEXTS.map((text) => classifier.classify([text])))).flat());
    await classifier.close();
  });

  it('refuses a model whose inputs differ from the manifest', async () => {
    const dir = await makeFixtureBundle({
      tokenTypeIds: true,
      editManifest: (manifest) => (manifest.inputs = ['input_ids', 'attention_mask']),
    });
    await assert.rejects(
      loadClassifier(dir),
      (error) =>
        error instanceof BundleError &&
        error.kind === 'model_invalid' &&
        /token_type_ids/.test(error.message),
    );
  });

  it('returns several labels at once when several scores pass their thresholds', async () => {
    const thresholds = Object.fromEntries(LABELS.map((label) => [label, 0.5]));
    Object.assign(thresholds, { aspersion: 0, sarcasm: 0, vulgarity: 1 });
    const classifier = await loadClassifier(await makeFixtureBundle({ thresholds }));
    for (const result of await classifier.classify(TEXTS)) {
      assert.ok(result.labels.includes('aspersion') && result.labels.includes('sarcasm'));
      assert.ok(!result.labels.includes('vulgarity'));
      const expected = LABELS.filter((label) => result.scores[label]! >= thresholds[label]!);
      assert.deepEqual(result.labels, expected);
    }
    await classifier.close();
  });

  it('rejects classify after close; close twice is fine', async () => {
    const classifier = await loadClassifier(await makeFixtureBundle());
    await classifier.close();
    await classifier.close();
    await assert.rejects(
      classifier.classify(['x']),
      (error) => error instanceof ClassifierError && error.kind === 'closed',
    );
  });
});
