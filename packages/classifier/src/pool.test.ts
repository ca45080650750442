import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadClassifier } from './classifier.js';
import { BundleError, ClassifierError } from './errors.js';
import { assertSameScores, makeFixtureBundle, TEXTS } from './fixture-bundle.js';
import { ClassifierPool } from './pool.js';
import type { TextClassifier } from './types.js';

/** Largest gap between ticks of a 5 ms interval while `work` runs, and how long it ran. */
async function eventLoopGaps(
  work: () => Promise<unknown>,
): Promise<{ maxGapMs: number; durationMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  await work();
  const durationMs = performance.now() - start;
  clearInterval(timer);
  maxGapMs = Math.max(maxGapMs, performance.now() - last);
  return { maxGapMs, durationMs };
}

const manyLongTexts = Array.from({ length: 2000 }, (_, i) =>
  `you are ${i} an idiot this is not fine , great wrong ! `.repeat(4),
);

describe('ClassifierPool', () => {
  it('returns the same classifications as the in-process classifier', async () => {
    const dir = await makeFixtureBundle({ tokenTypeIds: true });
    const pool = await ClassifierPool.create(dir, { sessions: 2 });
    const local = await loadClassifier(dir);
    assert.equal(pool.sessions, 2);
    assert.equal(pool.encode('you are an idiot').length, local.encode('you are an idiot').length);
    assert.deepEqual(pool.info, local.info);
    assertSameScores(await pool.classify(TEXTS), await local.classify(TEXTS));
    assert.deepEqual(await pool.classify([]), []);
    await Promise.all([pool.close(), local.close()]);
  });

  it('classifies token ids from encode() as it classifies the texts', async () => {
    const dir = await makeFixtureBundle({ tokenTypeIds: true });
    const pool = await ClassifierPool.create(dir, { sessions: 1 });
    const local = await loadClassifier(dir);
    const encoded = TEXTS.map((text) => pool.encode(text));
    assert.deepEqual(
      encoded,
      TEXTS.map((text) => local.encode(text)),
    );
    const fromTexts = await local.classify(TEXTS);
    assertSameScores(await pool.classifyEncoded(encoded), fromTexts);
    assertSameScores(await local.classifyEncoded(encoded), fromTexts);
    assert.deepEqual(await pool.classifyEncoded([]), []);
    await Promise.all([pool.close(), local.close()]);
  });

  it('sends each request to the worker with the fewest texts in flight', async () => {
    const pool = await ClassifierPool.create(await makeFixtureBundle(), { sessions: 2 });
    const requests = [pool.classify(TEXTS.concat(TEXTS)), pool.classify(['a']), pool.classify(['b', 'c'])];
    assert.deepEqual(pool.load, [12, 3]);
    const results = await Promise.all(requests);
    assert.deepEqual(
      results.map((r) => r.length),
      [12, 1, 2],
    );
    assert.deepEqual(pool.load, [0, 0]);
    await pool.close();
  });

  it('keeps the event loop responsive during a long classify, unlike the in-process classifier', async () => {
    const dir = await makeFixtureBundle();
    // Repeat the work until it has run long enough for a stall to show, however fast the machine is.
    const measure = async (classifier: TextClassifier) => {
      const gaps = await eventLoopGaps(async () => {
        const start = performance.now();
        do await classifier.classify(manyLongTexts);
        while (performance.now() - start < 300);
      });
      await classifier.close();
      return gaps;
    };
    const pooled = await measure(await ClassifierPool.create(dir, { sessions: 1 }));
    assert.ok(pooled.maxGapMs < 100, `event loop stalled ${pooled.maxGapMs} ms during a pool classify`);
    // The same work in-process stalls the loop: the measurement can tell.
    const inProcess = await measure(await loadClassifier(dir));
    assert.ok(inProcess.maxGapMs > 100, `in-process stall of ${inProcess.maxGapMs} ms not detected`);
  });

  it('fails to create with the load error of the bundle, and closes its workers', async () => {
    const dir = await makeFixtureBundle({ editManifest: (manifest) => (manifest.output = 'scores') });
    await assert.rejects(
      ClassifierPool.create(dir, { sessions: 2 }),
      (error) =>
        error instanceof BundleError &&
        error.kind === 'model_invalid' &&
        error.file === 'model.onnx' &&
        /model\.onnx has outputs \[logits\]/.test(error.message),
    );
    const corrupt = await makeFixtureBundle();
    await writeFile(join(corrupt, 'model.onnx'), 'not a model');
    await assert.rejects(
      ClassifierPool.create(corrupt),
      (error) => error instanceof BundleError && error.kind === 'checksum_mismatch',
    );
  });

  it('lets a request in flight finish on close, then rejects new ones; close twice is fine', async () => {
    const pool = await ClassifierPool.create(await makeFixtureBundle(), { sessions: 1 });
    const inFlight = pool.classify(TEXTS);
    await Promise.all([pool.close(), pool.close()]);
    assert.equal((await inFlight).length, TEXTS.length);
    await assert.rejects(
      pool.classify(['x']),
      (error) => error instanceof ClassifierError && error.kind === 'closed',
    );
  });
});
