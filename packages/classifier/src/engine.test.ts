import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadBundle } from './bundle.js';
import { InferenceEngine } from './engine.js';
import { assertSameScores, makeFixtureBundle, TEXTS } from './fixture-bundle.js';

describe('InferenceEngine', () => {
  it('runs the batch it is given as one model run, whatever its lengths, results in input order', async () => {
    const engine = await InferenceEngine.create(await loadBundle(await makeFixtureBundle()));
    const runs: number[][] = [];
    const runLogits = engine.runLogits.bind(engine);
    engine.runLogits = (sequences) => {
      runs.push(sequences.map((ids) => ids.length));
      return runLogits(sequences);
    };
    const encoded = engine.encode(TEXTS);
    const batched = await engine.classifyEncoded(encoded);
    assert.deepEqual(runs, [encoded.map((ids) => ids.length)]);
    const alone = [];
    for (const ids of encoded) alone.push(...(await engine.classifyEncoded([ids])));
    assertSameScores(batched, alone);
    await engine.release();
  });
});
