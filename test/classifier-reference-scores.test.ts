import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadClassifier, type Classification } from '@modstream/classifier';
import { bundleDir } from './classifier-support.js';

/** reference/scores.json as training/reference.py writes it. */
interface ReferenceFile {
  model_version: string;
  computed_with: string;
  /** Texts per ONNX Runtime run, when not one (int8 activation ranges span the padded batch). */
  batch_size?: number;
  labels: string[];
  items: { id: string; tokens: number; scores: Record<string, number>; labels: string[] }[];
}

async function readReference(): Promise<{ texts: string[]; reference: ReferenceFile }> {
  const dir = join(bundleDir, 'reference');
  for (const file of ['texts.jsonl', 'scores.json']) {
    assert.ok(
      existsSync(join(dir, file)),
      `the bundle has no reference/${file} (recorded by training/reference.py)`,
    );
  }
  const texts = (await readFile(join(dir, 'texts.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);
  return { texts, reference: JSON.parse(await readFile(join(dir, 'scores.json'), 'utf8')) as ReferenceFile };
}

describe('TypeScript scores equal Python ONNX Runtime scores on the committed bundle', async () => {
  const classifier = await loadClassifier(bundleDir);
  const { texts, reference } = await readReference();
  const batchSize = reference.batch_size ?? 1; // "one text per run" unless the file says otherwise

  /** Classifies in the batches the reference was recorded with, so every run pads (and quantises) alike. */
  async function classifyLikeReference(): Promise<Classification[]> {
    const results: Classification[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      results.push(...(await classifier.classify(texts.slice(start, start + batchSize))));
    }
    return results;
  }

  it('has 100 reference texts scored with this bundle on every label', () => {
    assert.equal(texts.length, 100);
    assert.equal(reference.items.length, texts.length);
    assert.equal(reference.model_version, classifier.info.modelVersion);
    assert.deepEqual(reference.labels, classifier.info.labels);
    for (const item of reference.items) assert.deepEqual(Object.keys(item.scores), reference.labels);
  });

  it('counts the same tokens as Python for every reference text', () => {
    texts.forEach((text, row) => {
      assert.equal(
        classifier.encode(text).length,
        reference.items[row]!.tokens,
        `reference ${reference.items[row]!.id}`,
      );
    });
  });

  it('scores every text on every label within 1e-4 of Python, with the same labels', async () => {
    const results = await classifyLikeReference();
    let worst = { difference: 0, at: '' };
    results.forEach((result, row) => {
      const item = reference.items[row]!;
      for (const label of reference.labels) {
        const difference = Math.abs(result.scores[label]! - item.scores[label]!);
        if (!(difference <= worst.difference)) worst = { difference, at: `${item.id} ${label}` };
      }
      assert.deepEqual(result.labels, item.labels, `labels of reference ${item.id}`);
    });
    assert.ok(worst.difference <= 1e-4, `${worst.at}: off by ${worst.difference}`);
  });

  it('closes', async () => {
    await classifier.close();
  });
});
