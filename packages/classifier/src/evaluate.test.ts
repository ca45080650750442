import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from './evaluate.js';

const close = (actual: number | null, expected: number): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);
};

describe('evaluate', () => {
  // Rows (pred | gold) over labels a, b, c:
  //   1: a b | a       2: a | a c       3: (none) | (none)       4: b c | b c       5: c | b
  // a: tp 2 fp 0 fn 0 -> P 1, R 1, F1 1, support 2
  // b: tp 1 fp 1 fn 1 -> P 1/2, R 1/2, F1 1/2, support 2
  // c: tp 1 fp 1 fn 1 -> P 1/2, R 1/2, F1 1/2, support 2
  // micro: tp 4 fp 2 fn 2 -> P 2/3, R 2/3, F1 2/3; macro (1 + 1/2 + 1/2) / 3 = 2/3; exact: rows 3 and 4 = 2/5
  const predictions = [['a', 'b'], ['a'], [], ['b', 'c'], ['c']];
  const gold = [['a'], ['a', 'c'], [], ['c', 'b'], ['b']];

  it('computes per-label precision, recall, F1 and support of the positive class', () => {
    const report = evaluate(predictions, gold, ['a', 'b', 'c']);
    const [a, b, c] = report.perLabel;
    assert.deepEqual(
      { p: a!.precision, r: a!.recall, f1: a!.f1, support: a!.support, predicted: a!.predicted },
      { p: 1, r: 1, f1: 1, support: 2, predicted: 2 },
    );
    assert.deepEqual(
      { tp: b!.truePositives, fp: b!.falsePositives, fn: b!.falseNegatives, f1: b!.f1 },
      { tp: 1, fp: 1, fn: 1, f1: 0.5 },
    );
    assert.equal(c!.precision, 0.5);
    assert.equal(c!.recall, 0.5);
  });

  it('computes micro-F1, macro-F1 and exact match (label order within a row does not matter)', () => {
    const report = evaluate(predictions, gold, ['a', 'b', 'c']);
    assert.equal(report.count, 5);
    close(report.microPrecision, 2 / 3);
    close(report.microRecall, 2 / 3);
    close(report.microF1, 2 / 3);
    close(report.macroF1, 2 / 3);
    close(report.exactMatch, 2 / 5);
  });

  it('averages macro-F1 over frequent labels separately, and scores labels never seen nor predicted as 0', () => {
    // d: no gold, no predictions -> F1 0 (sklearn zero_division=0), pulls the all-label macro-F1 down.
    const report = evaluate(predictions, gold, ['a', 'b', 'c', 'd'], { minSupport: 2 });
    const d = report.perLabel[3]!;
    assert.deepEqual([d.precision, d.recall, d.f1, d.support], [0, 0, 0, 0]);
    close(report.macroF1, 2 / 4);
    assert.deepEqual(report.macroF1Frequent.labels, ['a', 'b', 'c']);
    close(report.macroF1Frequent.value, 2 / 3);
    assert.equal(evaluate(predictions, gold, ['a', 'b', 'c'], { minSupport: 3 }).macroF1Frequent.value, null);
  });

  it('scores a label that is predicted but never gold with precision 0 and recall 0', () => {
    const report = evaluate([['a'], ['a']], [[], []], ['a']);
    assert.deepEqual(
      [report.perLabel[0]!.precision, report.perLabel[0]!.recall, report.perLabel[0]!.f1],
      [0, 0, 0],
    );
    close(report.exactMatch, 0);
  });

  it('rejects rows of different lengths and unknown labels', () => {
    assert.throws(() => evaluate([[]], [], ['a']), RangeError);
    assert.throws(() => evaluate([['z']], [[]], ['a']), /unknown label "z"/);
  });
});
