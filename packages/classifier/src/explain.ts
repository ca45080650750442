// Which words raised a label, by occlusion: each word (or short run of words) is removed from the text in
// turn, every variant is classified, and a word's influence on a label is how much the label's score drops
// without it. Tokenizer-agnostic: only `classify` (and `encode`, to find the model's window) is used, so it
// works the same over any bundle. No I/O, no logging; the result is plain JSON-serialisable data.
import type { Classification, TextClassifier } from './types.js';

export interface ExplainOptions {
  /** Labels to explain, flagged or not, in any order (default: every label the full text is flagged with). */
  labels?: readonly string[];
  /**
   * Most occluded variants per text (default 64), the original not counted. With more words than this,
   * contiguous spans of several words are occluded instead, all of the same length but the last.
   */
  maxVariants?: number;
  /** Texts per `classify` call (default 32). */
  batchSize?: number;
}

export const DEFAULT_MAX_VARIANTS = 64;
export const DEFAULT_EXPLAIN_BATCH_SIZE = 32;

/** A run of text by character offsets (UTF-16, as `String.prototype.slice` takes them), `word` its text. */
export interface TextSpan {
  start: number;
  end: number;
  word: string;
}

/** How much one occluded span carried one label. */
export interface SpanInfluence extends TextSpan {
  /** The label's score on the full text minus its score with this span removed (negative: it lowered it). */
  drop: number;
  /** The label's score with this span removed. */
  scoreWithout: number;
}

export interface LabelExplanation {
  label: string;
  /** The label's score on the full text. */
  score: number;
  threshold: number;
  flagged: boolean;
  /** Every occluded span, largest drop first (ties in text order). */
  spans: SpanInfluence[];
}

export interface Explanation {
  modelVersion: string;
  thresholdsVersion: string;
  /** Scores of the full text on every label of the bundle. */
  scores: Record<string, number>;
  /** Labels the full text is flagged with, in bundle order. */
  flagged: string[];
  /** One entry per explained label, in bundle order; empty when nothing is flagged or asked for. */
  labels: LabelExplanation[];
  /** Words in the text (runs of Unicode letters, marks and numbers). */
  words: number;
  /** Words that were occluded: those starting inside the model's token window. */
  wordsExplained: number;
  /** Some words lie past the model's token window (they cannot change a score) and were not occluded. */
  truncated: boolean;
  /** Words per occluded span: 1, or more when there were more words than `maxVariants`. */
  spanWords: number;
  /** Spans of several words were occluded instead of single words (`spanWords` > 1). */
  merged: boolean;
  /** Occluded texts classified, the original not counted (0 when no label was explained). */
  variants: number;
}

/**
 * A word: letters, combining marks and numbers of any script, with apostrophes inside it ("don't",
 * "l'homme"); punctuation, symbols, emoji and whitespace are left out.
 */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu;

/** The words of a text, in order. */
export function splitWords(text: string): TextSpan[] {
  return Array.from(text.matchAll(WORD), (match) => ({
    start: match.index,
    end: match.index + match[0].length,
    word: match[0],
  }));
}

/**
 * The spans to occlude: the words themselves when there are at most `maxVariants`, else runs of
 * ceil(words / maxVariants) consecutive words (the last one shorter), each covering the text from its first
 * word's start to its last word's end.
 */
export function occlusionSpans(
  text: string,
  words: readonly TextSpan[],
  maxVariants: number,
): { spans: TextSpan[]; spanWords: number } {
  checkPositiveInteger(maxVariants, 'maxVariants');
  const spanWords = Math.max(1, Math.ceil(words.length / maxVariants));
  const spans: TextSpan[] = [];
  for (let first = 0; first < words.length; first += spanWords) {
    const start = words[first]!.start;
    const end = words[Math.min(first + spanWords, words.length) - 1]!.end;
    spans.push({ start, end, word: text.slice(start, end) });
  }
  return { spans, spanWords };
}

/**
 * The text without a span: the span goes with the whitespace before it (or, at the start of the text or
 * after punctuation, the whitespace after it), so "you idiot, go" becomes "you, go".
 */
export function occlude(text: string, span: { start: number; end: number }): string {
  let { start, end } = span;
  const before = /\s+$/u.exec(text.slice(0, start));
  if (before !== null) start -= before[0].length;
  else end += /^\s*/u.exec(text.slice(end))![0].length;
  return text.slice(0, start) + text.slice(end);
}

/**
 * How many of `words` start inside the model's token window: word k does when the text before it still
 * encodes to fewer than `maxLength` tokens (special tokens included), so at least its first token is seen.
 * Binary search over prefixes; only long texts pay for it.
 */
export function wordsInWindow(classifier: TextClassifier, text: string, words: readonly TextSpan[]): number {
  const { maxLength } = classifier.info;
  if (words.length === 0 || classifier.encode(text).length < maxLength) return words.length;
  const fits = (k: number): boolean => classifier.encode(text.slice(0, words[k]!.start)).length < maxLength;
  let low = 1; // the first word is always seen
  let high = words.length; // words[low - 1] fits; words[high] (if any) does not
  while (low < high) {
    const middle = (low + high) >> 1;
    if (fits(middle)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Explains a text's labels by occlusion: for each flagged label (or each label asked for), every word (or
 * span of words) with how much the label's score drops when it is removed, largest drop first. Runs the
 * original text once, then at most `maxVariants` variants in `batchSize` batches (in parallel, so a pool
 * spreads them over its sessions).
 */
export async function explain(
  classifier: TextClassifier,
  text: string,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const { labels: bundleLabels, thresholds, modelVersion, thresholdsVersion } = classifier.info;
  const maxVariants = options.maxVariants ?? DEFAULT_MAX_VARIANTS;
  const batchSize = options.batchSize ?? DEFAULT_EXPLAIN_BATCH_SIZE;
  checkPositiveInteger(maxVariants, 'maxVariants');
  checkPositiveInteger(batchSize, 'batchSize');
  for (const label of options.labels ?? []) {
    if (!bundleLabels.includes(label)) {
      throw new RangeError(`unknown label "${label}" (the bundle has ${bundleLabels.join(', ')})`);
    }
  }

  const [original] = await classifier.classify([text]);
  if (original === undefined) throw new RangeError('classify returned no result for the text');
  const wanted = new Set(options.labels ?? original.labels);
  const explained = bundleLabels.filter((label) => wanted.has(label));

  const words = splitWords(text);
  const base = {
    modelVersion,
    thresholdsVersion,
    scores: original.scores,
    flagged: original.labels,
    words: words.length,
  };
  if (explained.length === 0 || words.length === 0) {
    return {
      ...base,
      labels: explained.map((label) => labelExplanation(label, original.scores[label]!, thresholds, [])),
      wordsExplained: 0,
      truncated: false,
      spanWords: 1,
      merged: false,
      variants: 0,
    };
  }

  const inWindow = wordsInWindow(classifier, text, words);
  const { spans, spanWords } = occlusionSpans(text, words.slice(0, inWindow), maxVariants);
  const variants = spans.map((span) => occlude(text, span));
  const batches: Promise<Classification[]>[] = [];
  for (let first = 0; first < variants.length; first += batchSize) {
    batches.push(classifier.classify(variants.slice(first, first + batchSize)));
  }
  const results = (await Promise.all(batches)).flat();
  if (results.length !== variants.length) {
    throw new RangeError(`classify returned ${results.length} results for ${variants.length} texts`);
  }

  return {
    ...base,
    labels: explained.map((label) => {
      const score = original.scores[label]!;
      const influences = spans.map((span, index): SpanInfluence => {
        const scoreWithout = results[index]!.scores[label]!;
        return { ...span, drop: score - scoreWithout, scoreWithout };
      });
      influences.sort((a, b) => b.drop - a.drop || a.start - b.start);
      return labelExplanation(label, score, thresholds, influences);
    }),
    wordsExplained: inWindow,
    truncated: inWindow < words.length,
    spanWords,
    merged: spanWords > 1,
    variants: variants.length,
  };
}

function labelExplanation(
  label: string,
  score: number,
  thresholds: Readonly<Record<string, number>>,
  spans: SpanInfluence[],
): LabelExplanation {
  const threshold = thresholds[label]!;
  return { label, score, threshold, flagged: score >= threshold, spans };
}

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
}
