import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadClassifier } from './classifier.js';
import { evaluateClassifier } from './evaluate-classifier.js';
import { evaluationReportJson, evaluationReportTable } from './evaluation-report.js';
import { makeFixtureBundle, TEXTS } from './fixture-bundle.js';
import { readLabeledJsonl } from './labeled-dataset.js';

async function jsonlFile(lines: string[]): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'modstream-eval-')), 'rows.jsonl');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('readLabeledJsonl', () => {
  it('reads the text and the gold label set of each row, skipping blank lines', async () => {
    const path = await jsonlFile([
      JSON.stringify({ text: 'one', a: 1, b: 0 }),
      '',
      JSON.stringify({ text: 'two', a: false, b: true, extra: 'ignored' }),
    ]);
    assert.deepEqual(await readLabeledJsonl(path, ['a', 'b']), {
      texts: ['one', 'two'],
      gold: [['a'], ['b']],
    });
  });

  it('names the file and line of a bad row, never its text', async () => {
    const secret = 'a private comment';
    for (const [line, expected] of [
      [`{"text": "${secret}"`, /:1: not valid JSON$/],
      [JSON.stringify({ body: secret }), /:1: no string "text" field$/],
      [JSON.stringify({ text: secret, a: 2 }), /:1: label column "a" must be 0 or 1, got 2$/],
    ] as const) {
      const path = await jsonlFile([line]);
      await assert.rejects(readLabeledJsonl(path, ['a']), (error: Error) => {
        assert.match(error.message, expected);
        assert.ok(error.message.startsWith(path));
        assert.ok(!error.message.includes(secret));
        return true;
      });
    }
  });
});

describe('evaluateClassifier', () => {
  it('scores the classifier against gold labels, batch by batch, in row order', async () => {
    const classifier = await loadClassifier(await makeFixtureBundle());
    try {
      const predicted = (await classifier.classify(TEXTS)).map((result) => result.labels);
      const [first, ...rest] = predicted;
      assert.ok(first !== undefined && first.length > 0, 'the fixture flags the first text');
      // Gold equals the predictions except on the first row, where gold has no label.
      const gold = [[], ...rest];
      for (const batchSize of [1, 2, TEXTS.length]) {
        const { report, seconds } = await evaluateClassifier(
          classifier,
          { texts: [...TEXTS], gold },
          { batchSize },
        );
        assert.equal(report.count, TEXTS.length);
        assert.equal(report.exactMatch, (TEXTS.length - 1) / TEXTS.length, `batch size ${batchSize}`);
        assert.equal(report.microRecall, 1);
        assert.ok(report.microPrecision < 1);
        assert.ok(seconds >= 0);
        const json = evaluationReportJson(report, classifier.info, { file: 'rows.jsonl', seconds });
        assert.equal(json.rows, TEXTS.length);
        assert.equal(json.exact_match, report.exactMatch);
        assert.equal(json.model_version, classifier.info.modelVersion);
        assert.deepEqual(Object.keys(json.per_label as object), classifier.info.labels);
        const table = evaluationReportTable(report, classifier.info, { file: 'rows.jsonl', seconds });
        assert.match(table, new RegExp(`rows.jsonl: ${TEXTS.length} rows in`));
        assert.match(table, /^exact match\s+0\.\d{4}$/m);
      }
    } finally {
      await classifier.close();
    }
  });
});
