import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadClassifier, type Classification } from '@modstream/classifier';
import { bundleDir } from './classifier-support.js';

interface Reference {
  labels: string[];
  /** Python ONNX Runtime scores, one row per text, columns in `labels` order. */
  scores: number[][];
  /** Labels Python put over their thresholds, when recorded. */
  predicted: string[][] | undefined;
  /** Texts per ONNX Runtime run when the scores were recorded: int8 dynamic quantisation ranges span the batch. */
  batchSize: number;
}

const DEFAULT_REFERENCE_BATCH = 32; // training/bundle.py BundleScorer.scores default

async function readReference(labels: readonly string[]): Promise<{ texts: string[]; reference: Reference }> {
  const dir = join(bundleDir, 'reference');
  for (const file of ['texts.jsonl', 'scores.json']) {
    assert.ok(existsSync(join(dir, file)), `the bundle has no reference/${file} (recorded by training/)`);
  }
  const texts = (await readFile(join(dir, 'texts.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);
  const raw = JSON.parse(await readFile(join(dir, 'scores.json'), 'utf8')) as Record<string, unknown>;
  const order = (raw.labels as string[] | undefined) ?? [...labels];
  const rows = raw.scores as (number[] | Record<string, number>)[];
  return {
    texts,
    reference: {
      labels: order,
      scores: rows.map((row) => (Array.isArray(row) ? row : order.map((label) => row[label]!))),
      predicted: raw.predicted as string[][] | undefined,
      batchSize: (raw.batch_size as number | undefined) ?? DEFAULT_REFERENCE_BATCH,
    },
  };
}

describe('TypeScript scores equal Python ONNX Runtime scores on the committed bundle', async () => {
  const classifier = await loadClassifier(bundleDir, { bucketSize: 1024 });
  const { labels, thresholds } = classifier.info;
  const { texts, reference } = await readReference(labels);

  /** Classifies in the same batches as the reference run, so every run pads (and quantises) alike. */
  async function classifyLikeReference(): Promise<Classification[]> {
    const results: Classification[] = [];
    for (let start = 0; start < texts.length; start += reference.batchSize) {
      results.push(...(await classifier.classify(texts.slice(start, start + reference.batchSize))));
    }
    return results;
  }

  it('has 100 reference texts scored on every label of the bundle', () => {
    assert.equal(texts.length, 100);
    assert.equal(reference.scores.length, texts.length);
    assert.deepEqual([...reference.labels].sort(), [...labels].sort());
    for (const row of reference.scores) assert.equal(row.length, labels.length);
  });

  it('scores every text on every label within 1e-4 of Python', async () => {
    const results = await classifyLikeReference();
    let worst = { difference: 0, row: -1, label: '' };
    results.forEach((result, row) => {
      reference.labels.forEach((label, column) => {
        const difference = Math.abs(result.scores[label]! - reference.scores[row]![column]!);
        if (!(difference <= worst.difference)) worst = { difference, row, label };
      });
    });
    assert.ok(
      worst.difference <= 1e-4,
      `reference text ${worst.row + 1}, ${worst.label}: off by ${worst.difference}`,
    );
  });

  it('puts the same labels over their thresholds as Python', async () => {
    const results = await classifyLikeReference();
    const expected =
      reference.predicted ??
      reference.scores.map((row) =>
        labels.filter((label) => row[reference.labels.indexOf(label)]! >= thresholds[label]!),
      );
    results.forEach((result, row) => {
      assert.deepEqual(result.labels, expected[row], `reference text ${row + 1}`);
    });
  });

  it('closes', async () => {
    await classifier.close();
  });
});
