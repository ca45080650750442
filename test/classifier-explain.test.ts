import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { explain, loadClassifier } from '@modstream/classifier';
import { bundleDir } from './classifier-support.js';

/** Explanations by occlusion on the committed bundle: the word that carries a label comes out on top. */
describe('explain on the committed bundle', async () => {
  const classifier = await loadClassifier(bundleDir);
  after(() => classifier.close());

  it('puts "idiot" on top of the namecalling label of "You are a complete idiot"', async () => {
    const text = 'You are a complete idiot';
    const result = await explain(classifier, text);
    // The shipped model flags this text with namecalling only (score 0.957, threshold 0.55).
    assert.deepEqual(result.flagged, ['namecalling']);
    const top = result.labels.reduce((best, label) => (label.score > best.score ? label : best));
    assert.equal(top.label, 'namecalling');
    const [first, second] = top.spans;
    assert.equal(first!.word, 'idiot');
    assert.equal(text.slice(first!.start, first!.end), 'idiot');
    // Removing it unflags the comment; no other word comes close.
    assert.ok(first!.scoreWithout < top.threshold, `namecalling without "idiot": ${first!.scoreWithout}`);
    assert.ok(first!.drop > 5 * second!.drop, `drops ${first!.drop} and ${second!.drop}`);
    assert.equal(result.variants, 5);
    assert.equal(result.merged, false);
  });

  it('puts the profanity on top of the vulgarity label of a vulgar comment', async () => {
    const text = 'What the fuck is wrong with you people, this is bullshit';
    const result = await explain(classifier, text);
    // Flagged with aspersion and vulgarity (0.982, threshold 0.65).
    assert.ok(result.flagged.includes('vulgarity'), `flagged: ${result.flagged.join(', ')}`);
    const vulgarity = result.labels.find((label) => label.label === 'vulgarity')!;
    assert.ok(['fuck', 'bullshit'].includes(vulgarity.spans[0]!.word), `top: ${vulgarity.spans[0]!.word}`);
    // Two profanities each carry the label on their own, so removing one moves the score little; removing
    // both words at once is what unflags it (checked with the same classifier).
    const [without] = await classifier.classify(['What the is wrong with you people, this is']);
    assert.ok(
      without!.scores.vulgarity! < vulgarity.threshold,
      `vulgarity without both: ${without!.scores.vulgarity}`,
    );
  });

  it('explains a label asked for though not flagged, and merges words into spans on a long comment', async () => {
    const text = Array.from({ length: 12 }, () => 'You are a complete idiot and this is a silly idea.').join(
      ' ',
    );
    const result = await explain(classifier, text, { labels: ['vulgarity', 'namecalling'], maxVariants: 16 });
    assert.deepEqual(
      result.labels.map((label) => label.label),
      ['namecalling', 'vulgarity'],
    );
    assert.equal(result.words, 132);
    // About 13 tokens a sentence: the model's 128-token window ends in the tenth, the rest is not occluded.
    assert.equal(result.truncated, true);
    assert.ok(result.wordsExplained > 90 && result.wordsExplained < 120, `${result.wordsExplained} words`);
    assert.equal(result.merged, true);
    assert.ok(result.variants <= 16, `${result.variants} variants`);
    for (const label of result.labels) {
      for (const span of label.spans) assert.equal(text.slice(span.start, span.end), span.word);
    }
  });
});
