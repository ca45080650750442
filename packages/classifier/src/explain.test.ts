import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, occlude, occlusionSpans, splitWords } from './explain.js';
import type { Classification, TextClassifier } from './types.js';

const LABELS = ['namecalling', 'sarcasm', 'vulgarity'];

/**
 * A deterministic stand-in for the ONNX classifier: namecalling is 0.9 with "idiot" in the text, vulgarity
 * rises by 0.3 per "damn", sarcasm is 0.7 with "sure" but 0.4 with "really" too. "Tokens" are one per word plus two special ones, truncated
 * at `maxLength`. Every classify call's texts are recorded.
 */
function fakeClassifier(calls: string[][], maxLength = 128): TextClassifier {
  const scoresOf = (text: string): Record<string, number> => {
    const words = splitWords(text).map((word) => word.word.toLowerCase());
    const damns = words.filter((word) => word === 'damn').length;
    return {
      namecalling: words.includes('idiot') ? 0.9 : 0.1,
      sarcasm: words.includes('sure') ? (words.includes('really') ? 0.4 : 0.7) : 0.2,
      vulgarity: Math.min(0.95, 0.1 + 0.3 * damns),
    };
  };
  return {
    info: {
      modelId: 'fake',
      modelVersion: 'v1',
      thresholdsVersion: 't1',
      labels: LABELS,
      thresholds: { namecalling: 0.5, sarcasm: 0.5, vulgarity: 0.5 },
      maxLength,
    },
    encode: (text) => [0, ...splitWords(text).map(() => 1), 2].slice(0, maxLength),
    classify: async (texts) => {
      calls.push([...texts]);
      return texts.map((text): Classification => {
        const scores = scoresOf(text);
        return { labels: LABELS.filter((label) => scores[label]! >= 0.5), scores };
      });
    },
    classifyEncoded: async () => {
      throw new Error('not used by explain');
    },
    close: async () => undefined,
  };
}

describe('splitWords', () => {
  it('finds letters and numbers of any script, keeps punctuation and emoji out', () => {
    const text = "Ça va, l'homme? Naïve 42x — 東京 😀 don’t!";
    assert.deepEqual(
      splitWords(text).map((word) => word.word),
      ['Ça', 'va', "l'homme", 'Naïve', '42x', '東京', 'don’t'],
    );
    for (const word of splitWords(text)) assert.equal(text.slice(word.start, word.end), word.word);
  });

  it('finds no word in punctuation or whitespace only', () => {
    assert.deepEqual(splitWords(' ?! ... 😀 '), []);
  });
});

describe('occlude', () => {
  it('removes a word with the whitespace before it, or after it at the start or after punctuation', () => {
    const text = 'idiot, you idiot. (idiot) go';
    const [first, second, third] = splitWords(text).filter((word) => word.word === 'idiot');
    assert.equal(occlude(text, first!), ', you idiot. (idiot) go');
    assert.equal(occlude(text, second!), 'idiot, you. (idiot) go');
    assert.equal(occlude(text, third!), 'idiot, you idiot. () go');
    assert.equal(occlude('a idiot', { start: 2, end: 7 }), 'a');
  });
});

describe('occlusionSpans', () => {
  const text = 'one two, three four five six seven eight nine ten';
  const words = splitWords(text);

  it('occludes single words while there are no more than maxVariants', () => {
    for (const maxVariants of [10, 64]) {
      const { spans, spanWords } = occlusionSpans(text, words, maxVariants);
      assert.equal(spanWords, 1);
      assert.deepEqual(spans, words);
    }
  });

  it('merges runs of consecutive words so that the spans never outnumber maxVariants', () => {
    for (let maxVariants = 1; maxVariants <= 12; maxVariants += 1) {
      const { spans, spanWords } = occlusionSpans(text, words, maxVariants);
      assert.ok(spans.length <= maxVariants, `${spans.length} spans for maxVariants ${maxVariants}`);
      assert.equal(spanWords, Math.ceil(words.length / maxVariants));
      // Every word in exactly one span, spans in order, each the text from its first to its last word.
      const covered = spans.flatMap((span) => {
        assert.equal(text.slice(span.start, span.end), span.word);
        const inside = words.filter((word) => word.start >= span.start && word.end <= span.end);
        assert.ok(inside.length >= 1 && inside.length <= spanWords);
        assert.equal(inside[0]!.start, span.start);
        assert.equal(inside.at(-1)!.end, span.end);
        return inside;
      });
      assert.deepEqual(covered, words);
    }
  });

  it('ends with a shorter span when the words do not divide evenly', () => {
    const { spans, spanWords } = occlusionSpans(text, words, 4);
    assert.equal(spanWords, 3);
    assert.deepEqual(
      spans.map((span) => span.word),
      ['one two, three', 'four five six', 'seven eight nine', 'ten'],
    );
  });

  it('refuses a maxVariants that is not a positive integer', () => {
    assert.throws(() => occlusionSpans(text, words, 0), RangeError);
    assert.throws(() => occlusionSpans(text, words, 2.5), RangeError);
  });
});

describe('explain', () => {
  it('ranks the words of each flagged label by how much removing them drops its score', async () => {
    const calls: string[][] = [];
    const text = 'You are an idiot, damn it';
    const result = await explain(fakeClassifier(calls), text);
    assert.deepEqual(result.flagged, ['namecalling']);
    assert.deepEqual(
      result.labels.map((label) => label.label),
      ['namecalling'],
    );
    const [namecalling] = result.labels;
    assert.equal(namecalling!.flagged, true);
    assert.equal(namecalling!.threshold, 0.5);
    assert.deepEqual(namecalling!.spans[0], {
      start: 11,
      end: 16,
      word: 'idiot',
      drop: 0.8,
      scoreWithout: 0.1,
    });
    // The others do not move the score: drop 0, in text order.
    assert.deepEqual(
      namecalling!.spans.slice(1).map((span) => [span.word, span.drop]),
      [
        ['You', 0],
        ['are', 0],
        ['an', 0],
        ['damn', 0],
        ['it', 0],
      ],
    );
    assert.equal(result.words, 6);
    assert.equal(result.variants, 6);
    assert.equal(result.merged, false);
    assert.equal(result.truncated, false);
    // The original alone, then the six variants in one batch.
    assert.deepEqual(calls, [[text], splitWords(text).map((word) => occlude(text, word))]);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
  });

  it('explains labels asked for even when they are not flagged, in bundle order', async () => {
    const result = await explain(fakeClassifier([]), 'damn you idiot', {
      labels: ['vulgarity', 'namecalling'],
    });
    assert.deepEqual(result.flagged, ['namecalling']);
    assert.deepEqual(
      result.labels.map((label) => [label.label, label.flagged, label.spans[0]!.word]),
      [
        ['namecalling', true, 'idiot'],
        ['vulgarity', false, 'damn'],
      ],
    );
    const vulgarity = result.labels[1]!;
    assert.ok(Math.abs(vulgarity.spans[0]!.drop - 0.3) < 1e-9);
  });

  it('ranks last, with a negative drop, a word whose removal raises the score', async () => {
    const result = await explain(fakeClassifier([]), 'Sure, really', { labels: ['sarcasm'] });
    assert.deepEqual(
      result.labels[0]!.spans.map((span) => [span.word, Math.round(span.drop * 100) / 100]),
      [
        ['Sure', 0.2],
        ['really', -0.3],
      ],
    );
  });

  it('caps the variants of a long text by merging words into spans, in batches of batchSize', async () => {
    const calls: string[][] = [];
    const words = Array.from({ length: 100 }, (_, i) => (i === 57 ? 'idiot' : `w${i}`));
    const text = words.join(' ');
    const result = await explain(fakeClassifier(calls), text, { maxVariants: 30, batchSize: 8 });
    assert.equal(result.words, 100);
    assert.equal(result.spanWords, 4);
    assert.equal(result.merged, true);
    assert.equal(result.variants, 25);
    assert.deepEqual(
      calls.map((batch) => batch.length),
      [1, 8, 8, 8, 1],
    );
    const top = result.labels[0]!.spans[0]!;
    assert.equal(top.word, 'w56 idiot w58 w59');
    assert.equal(text.slice(top.start, top.end), top.word);
    assert.equal(top.drop, 0.8);
  });

  it('occludes only the words inside the model token window', async () => {
    const calls: string[][] = [];
    // 2 special tokens + 1 per word, window of 6: the first 4 words are seen.
    const result = await explain(fakeClassifier(calls, 6), 'idiot one two three four five six');
    assert.equal(result.words, 7);
    assert.equal(result.wordsExplained, 4);
    assert.equal(result.truncated, true);
    assert.equal(result.variants, 4);
    assert.deepEqual(
      result.labels[0]!.spans.map((span) => span.word),
      ['idiot', 'one', 'two', 'three'],
    );
  });

  it('classifies only the original when nothing is flagged or the text has no word', async () => {
    for (const text of ['a perfectly fine comment', '?!']) {
      const calls: string[][] = [];
      const result = await explain(fakeClassifier(calls), text);
      assert.deepEqual(calls, [[text]]);
      assert.deepEqual(result.labels, []);
      assert.equal(result.variants, 0);
    }
    const calls: string[][] = [];
    const result = await explain(fakeClassifier(calls), '?!', { labels: ['vulgarity'] });
    assert.equal(calls.length, 1);
    assert.deepEqual(result.labels[0]!.spans, []);
  });

  it('refuses an unknown label and bad limits before classifying anything', async () => {
    const calls: string[][] = [];
    const classifier = fakeClassifier(calls);
    await assert.rejects(explain(classifier, 'x', { labels: ['rudeness'] }), RangeError);
    await assert.rejects(explain(classifier, 'x', { maxVariants: 0 }), RangeError);
    await assert.rejects(explain(classifier, 'x', { batchSize: -1 }), RangeError);
    assert.deepEqual(calls, []);
  });
});
